/* tether: keep daemons alive and restartable without fighting whoever
 * supervises them. Multi-call entry point: tether [GLOBAL] COMMAND ... */
#include <string.h>

#include "cmds.h"
#include "ctx.h"
#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "opt.h"
#include "sys.h"
#include "version.h"

struct command {
	const char *name;
	int (*run)(struct tether_ctx *, int, char **);
	const char *usage;
	const char *summary;
};

#define ENTRY(name, fn, sum) { name, cmd_##fn, cmd_##fn##_usage, sum },
static const struct command commands[] = {
	ENTRY("exec", exec, "record this process, then exec the daemon in place")
	ENTRY("start", start, "spawn a daemon detached (the unsupervised path)")
	ENTRY("status", status, "identity-verified liveness (LSB exit codes)")
	ENTRY("stop", stop, "TERM, wait, KILL: by identity only")
	ENTRY("list", list, "every record with its liveness; --prune reaps")
#if CONFIG_CMD_DETECT
	ENTRY("detect", detect, "print the supervisor that owns a process")
#endif
	ENTRY("restart", restart, "restart through the daemon's owner, never around it")
#if CONFIG_CMD_UPDATE
	ENTRY("update", update, "swap a daemon's binary atomically, restart, verify, roll back")
#endif
#if CONFIG_CMD_UP
	ENTRY("up", up, "make sure a daemon runs: wait for its owner, or spawn it once")
#endif
#if CONFIG_CMD_SUPERVISE
	ENTRY("supervise", supervise, "run children, restart one at a time, reap as PID 1")
#endif
	ENTRY("marker", marker, "is a restart expected? (for TERM handlers, finish scripts)")
#if CONFIG_CMD_CBOR_DIAG
	ENTRY("cbor-diag", cbor_diag, "print CBOR on stdin as RFC 8949 diagnostic notation")
#endif
};

static const char usage_head[] =
	"usage: tether [--state-dir DIR] [--proc-root DIR] [-v] COMMAND [ARGS]\n"
	"       tether COMMAND --help | tether --help | tether --version\n\n"
	"commands:\n";

/* 0, or -1 if it could not be written. */
static int usage(int fd)
{
	int r = say(fd, "%s", usage_head);

	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		r |= say(fd, "  %-10s %s\n", commands[i].name, commands[i].summary);
	return r;
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	/* Global options: only before COMMAND; each command accepts them too,
	 * parsed the same way (--state-dir DIR or --state-dir=DIR, -vv). */
	static const struct opt_long longs[] = { { "version", OPT_FLAG, 'V' }, OPT_COMMON_LONG, { 0 } };
	struct opt_state st = OPT_STATE_INIT;
	struct tether_ctx ctx;
	int i, o;

	sys_std_fds();
	ctx_init(&ctx);
	while ((o = opt_next(&st, argc, argv, "vh", longs)) != OPT_END) {
		if (o == 'h')
			return usage(1) < 0 ? EX_FAIL : EX_DONE;
		if (o == 'V')
			return say(1, "tether %s\n", TETHER_VERSION) < 0 ? EX_FAIL : EX_DONE;
		if (opt_common(&ctx, &st, o, usage_head))
			continue;
		msg_error(&ctx, "%s: %s", opt_why(o), st.opt);
		usage(2);
		return EX_USAGE;
	}
	i = st.ind;
	if (i >= argc) {
		usage(2);
		return EX_USAGE;
	}
	if (!strcmp(argv[i], "help")) {  /* tether help [COMMAND] */
		if (++i >= argc || !strcmp(argv[i], "help"))
			return usage(1) < 0 ? EX_FAIL : EX_DONE;
		if (find(argv[i]))
			return say(1, "%s", find(argv[i])->usage) < 0 ? EX_FAIL : EX_DONE;
	}
	const struct command *c = find(argv[i]);
	if (!c) {
		msg_error(&ctx, "unknown command: %s", argv[i]);
		usage(2);
		return EX_USAGE;
	}
	ctx.cmd = c->name;
	return c->run(&ctx, argc - i, argv + i);
}
