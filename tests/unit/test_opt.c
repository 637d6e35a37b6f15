/* The option parser every command uses: what opt_next returns for each
 * form of a command line, and the one-line usage errors it leads to. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "opt.h"
#include "tap.h"

#define ARGS_MAX 16
#define TRACE_MAX 256

enum { OPT_NAME = OPT_FIRST_FREE, OPT_FLAGGY };

static const struct opt_long longs[] = {
	{ "name", OPT_VALUE, 'n' },
	{ "name-only", OPT_VALUE, OPT_NAME },
	{ "json", OPT_FLAG, OPT_JSON },
	{ "flaggy", OPT_FLAG, OPT_FLAGGY },
	OPT_COMMON_LONG,
	{ 0 },
};

static const char *label(int c)
{
	static char one[2];

	switch (c) {
	case OPT_NAME: return "name-only";
	case OPT_JSON: return "json";
	case OPT_FLAGGY: return "flaggy";
	case OPT_STATE_DIR: return "state-dir";
	case OPT_PROC_ROOT: return "proc-root";
	}
	one[0] = (char)c;
	return one;
}

/* How opt_next walks "cmd LINE" (words split at spaces): each result in
 * turn, "n=ARG" for an option's argument, "[ARG]" for an operand, an error
 * as "unknown(-x)", and "end@IND" where the operands start. */
static const char *trace(const char *shorts, const char *line)
{
	static char out[TRACE_MAX];
	static char words[TRACE_MAX];
	char *argv[ARGS_MAX + 1] = { "cmd" };
	int argc = 1, c;
	struct opt_state st = OPT_STATE_INIT;
	size_t n = 0;

	snprintf(words, sizeof words, "%s", line);
	for (char *w = strtok(words, " "); w && argc < ARGS_MAX; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	out[0] = '\0';
	for (;;) {
		c = opt_next(&st, argc, argv, shorts, longs);
		if (n)
			n += snprintf(out + n, sizeof out - n, " ");
		if (c == OPT_END) {
			snprintf(out + n, sizeof out - n, "end@%d", st.ind);
			return out;
		}
		if (c == OPT_UNKNOWN || c == OPT_NEEDS_ARG || c == OPT_TAKES_NONE) {
			snprintf(out + n, sizeof out - n, "%s(%s)", c == OPT_UNKNOWN ? "unknown"
				 : c == OPT_NEEDS_ARG ? "needs-arg" : "takes-none", st.opt);
			return out;
		}
		if (c == OPT_OPERAND)
			n += snprintf(out + n, sizeof out - n, "[%s]", st.arg);
		else if (st.arg)
			n += snprintf(out + n, sizeof out - n, "%s=%s", label(c), st.arg);
		else
			n += snprintf(out + n, sizeof out - n, "%s", label(c));
	}
}

static void test_short(void)
{
	is_str(trace("n:vh", "-v"), "v end@2", "a short flag");
	is_str(trace("n:vh", "-vh -v"), "v h v end@3", "short flags group: -vh is -v -h");
	is_str(trace("n:vh", "-nNAME"), "n=NAME end@2", "a short option's argument attached: -nNAME");
	is_str(trace("n:vh", "-n NAME"), "n=NAME end@3", "a short option's argument separate: -n NAME");
	is_str(trace("n:vh", "-vnNAME -h"), "v n=NAME h end@3", "a group may end in an option with its argument");
	is_str(trace("n:vh", "-vn NAME"), "v n=NAME end@3", "a group's last option takes the next word");
	is_str(trace("n:vh", "-n -v"), "n=-v end@3", "the word after -n is its argument even if it looks like an option");
	is_str(trace("n:vh", "-n --"), "n=-- end@3", "even if it is --");
	is_str(trace("n:vh", "-v -n NAME -v"), "v n=NAME v end@5", "an option after an argument is parsed");
}

static void test_long(void)
{
	is_str(trace("n:vh", "--name NAME"), "n=NAME end@3", "--name NAME");
	is_str(trace("n:vh", "--name=NAME"), "n=NAME end@2", "--name=NAME");
	is_str(trace("n:vh", "--name=a=b"), "n=a=b end@2", "--name=a=b: the first = splits");
	is_str(trace("n:vh", "--name="), "n= end@2", "--name= is an empty argument");
	is_str(trace("n:vh", "--name -v"), "n=-v end@3", "the word after --name is its argument even if it looks like an option");
	is_str(trace("n:vh", "--json --flaggy"), "json flaggy end@3", "long flags");
	is_str(trace("n:vh", "--name-only X"), "name-only=X end@3", "a name that extends another is its own option");
	is_str(trace("n:vh", "--state-dir /s --proc-root=/p --verbose --help"),
	       "state-dir=/s proc-root=/p v h end@6", "the common long options");
}

static void test_errors(void)
{
	is_str(trace("n:vh", "-x"), "unknown(-x)", "an unknown short option");
	is_str(trace("n:vh", "-vx"), "v unknown(-x)", "an unknown short option in a group names only itself");
	is_str(trace("n:vh", "-:"), "unknown(-:)", "':' is never an option");
	is_str(trace("n:vh", "--bogus"), "unknown(--bogus)", "an unknown long option");
	is_str(trace("n:vh", "--bogus=1"), "unknown(--bogus=1)", "an unknown long option with a value, named as written");
	is_str(trace("n:vh", "-v -n"), "v needs-arg(-n)", "a short option's missing argument");
	is_str(trace("n:vh", "-vn"), "v needs-arg(-n)", "a short option's missing argument at a group's end");
	is_str(trace("n:vh", "--name"), "needs-arg(--name)", "a long option's missing argument");
	is_str(trace("n:vh", "--json=1"), "takes-none(--json=1)", "a long flag refuses =value");
	is_str(trace("n:vh", "--help="), "takes-none(--help=)", "a long flag refuses even an empty =value");
	is_str(trace("n:vh", "--na x"), "unknown(--na)", "no abbreviations: --na is not --name");
	is_str(trace("n:vh", "--js"), "unknown(--js)", "no abbreviations even when unambiguous");
	is_str(trace("n:vh", "--=x"), "unknown(--=x)", "an empty long name");

	char *argv[] = { "cmd", "-n", NULL };
	struct opt_state st = OPT_STATE_INIT;
	is_int(opt_next(&st, 2, argv, "n:vh", longs), OPT_NEEDS_ARG, "missing argument: its own code");
	is_int(st.val, 'n', "missing argument: val says which option");
	char *argv2[] = { "cmd", "--json=1", NULL };
	struct opt_state st2 = OPT_STATE_INIT;
	is_int(opt_next(&st2, 2, argv2, "n:vh", longs), OPT_TAKES_NONE, "unexpected argument: its own code");
	is_int(st2.val, OPT_JSON, "unexpected argument: val says which option");
}

static void test_end(void)
{
	is_str(trace("n:vh", ""), "end@1", "no arguments");
	is_str(trace("n:vh", "-v -- -h"), "v end@3", "-- ends the options; the operands start after it");
	is_str(trace("n:vh", "-- --"), "end@2", "a second -- is an operand");
	is_str(trace("n:vh", "-v cmd -h"), "v end@2", "parsing stops at the first operand");
	is_str(trace("n:vh", "cmd"), "end@1", "an operand first: no options at all");
	is_str(trace("n:vh", "- -v"), "end@1", "a lone - is an operand");
	is_str(trace("n:vh", "-n x cmd --name y"), "n=x end@3", "options after the operand stay the operand's");

	char *argv[] = { "cmd", "-v", "cmd", "-h", NULL };
	struct opt_state st = OPT_STATE_INIT;
	opt_next(&st, 4, argv, "vh", longs);
	opt_next(&st, 4, argv, "vh", longs);
	is_int(opt_next(&st, 4, argv, "vh", longs), OPT_END, "after the end, opt_next stays at the end");
	is_int(st.ind, 2, "and ind stays at the first operand");
}

static void test_in_order(void)
{
	is_str(trace("-vh", "1 -v 2"), "[1] v [2] end@4", "with '-': operands come back in order between options");
	is_str(trace("-n:vh", "-n x 1 --json"), "n=x [1] json end@5", "with '-': options after an operand are parsed");
	is_str(trace("-vh", "-v -- -h 1"), "v [-h] [1] end@5", "with '-': after -- everything is an operand");
	is_str(trace("-vh", "- -v"), "[-] v end@3", "with '-': a lone - is an operand");
	is_str(trace("-vh", "1 --bogus"), "[1] unknown(--bogus)", "with '-': errors after an operand");
}

static void test_common(void)
{
	struct tether_ctx ctx = { .cmd = "test" };
	char *argv[] = { "cmd", "--state-dir=/s", "--proc-root", "/p", "-vv", "--json", NULL };
	struct opt_state st = OPT_STATE_INIT;
	int c, mine = 0;

	while ((c = opt_next(&st, 6, argv, "vh", longs)) != OPT_END)
		if (!opt_common(&ctx, &st, c, "usage"))
			mine += c == OPT_JSON;
	is_str(ctx.state_dir, "/s", "opt_common: --state-dir=DIR sets the state dir");
	is_str(ctx.proc_root, "/p", "opt_common: --proc-root DIR sets the proc root");
	is_int(ctx.verbose, 2, "opt_common: each -v counts");
	is_int(mine, 1, "opt_common: leaves the command's own options to it");
}

/* What opt_error prints on stderr for argv, and that it returns EX_USAGE. */
static const char *error_for(char *arg, int *code)
{
	static char out[TRACE_MAX];
	struct tether_ctx ctx = { .cmd = "test" };
	char *argv[] = { "cmd", arg, NULL };
	struct opt_state st = OPT_STATE_INIT;
	struct tap_catch err;
	int c;

	tap_catch(&err, 2);
	do
		c = opt_next(&st, 2, argv, "n:vh", longs);
	while (c == 'v');
	*code = opt_error(&ctx, "usage: tether test [-v]\nmore\n", &st, c);
	return tap_caught(&err, out, sizeof out);
}

static void test_messages(void)
{
	int code;

	is_str(error_for("--bogus", &code), "tether: test: unknown option: --bogus\nusage: tether test [-v]\n",
	       "unknown option: one line naming it, then the synopsis");
	is_int(code, EX_USAGE, "a usage error's exit code");
	is_str(error_for("-vx", &code), "tether: test: unknown option: -x\nusage: tether test [-v]\n",
	       "unknown short option in a group: named alone");
	is_str(error_for("--name", &code), "tether: test: option needs an argument: --name\nusage: tether test [-v]\n",
	       "missing argument");
	is_str(error_for("-n", &code), "tether: test: option needs an argument: -n\nusage: tether test [-v]\n",
	       "missing argument of a short option");
	is_str(error_for("--json=1", &code), "tether: test: option takes no argument: --json=1\nusage: tether test [-v]\n",
	       "unexpected argument");
	is_str(error_for("--flaggy", &code), "tether: test: unknown option: --flaggy\nusage: tether test [-v]\n",
	       "an option the command does not take (a compiled-out one): unknown");
}

int main(void)
{
	test_short();
	test_long();
	test_errors();
	test_end();
	test_in_order();
	test_common();
	test_messages();
	return tap_done();
}
