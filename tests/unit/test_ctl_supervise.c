/* tether supervise's config (file and command line), its canonical hash,
 * and the respawn policy: doubling delay, cap, give-up window. */
#include <string.h>

#include "ctx.h"
#include "tap.h"

#if CONFIG_CMD_SUPERVISE
#include "supervise.h"

static struct sv_config cfg, cfg2;
static char err[SV_ERR_MAX];

static int parse(struct sv_config *c, const char *text)
{
	err[0] = 0;
	return sv_config_parse(c, text, strlen(text), err, sizeof err);
}

static void test_file(void)
{
	ok(parse(&cfg, "# web tier\n\nweb  /usr/sbin/httpd -f '/etc/my httpd.conf'\n"
		       "\tdb sh -c \"echo \\\"hi\\\" $x\" 'it''s'\nlog logger a\\ b #x\n") == 0,
	   "a file with comments, blanks, quotes and escapes parses");
	is_int(cfg.count, 3, "three children");
	is_str(cfg.child[0].name, "web", "the first word is the name");
	is_int(cfg.child[0].argc, 3, "the rest is the command");
	is_str(cfg.child[0].argv[2], "/etc/my httpd.conf", "'...' keeps blanks");
	ok(cfg.child[0].argv[3] == NULL, "argv is NULL-terminated");
	is_str(cfg.child[1].argv[2], "echo \"hi\" $x", "\"...\" with \\\" inside, $ left alone");
	is_str(cfg.child[1].argv[3], "its", "adjacent quotes join into one word");
	is_str(cfg.child[2].argv[1], "a b", "a backslash escapes a blank");
	is_str(cfg.child[2].argv[2], "#x", "a '#' after the first word is an argument");

	ok(parse(&cfg, "web 'unterminated\n") < 0, "an unterminated quote is refused");
	is_str(err, "line 1: unterminated quote", "naming the line");
	ok(parse(&cfg, "ok true\nweb\n") < 0, "a name without a command is refused");
	is_str(err, "line 2: no command for child: web", "naming the line and the child");
	ok(parse(&cfg, "a true\na false\n") < 0 && strstr(err, "duplicate child name"), "duplicate names are refused");
	ok(parse(&cfg, "../x true\n") < 0 && strstr(err, "bad child name"), "a name with a slash is refused");
	ok(parse(&cfg, "# nothing\n\n") < 0 && strstr(err, "no children"), "a config without children is refused");
	ok(parse(&cfg, "a x\\") < 0, "a backslash at the very end is refused");
	ok(parse(&cfg, "a true") == 0 && cfg.count == 1, "the last line needs no newline");
}

static void test_args_and_hash(void)
{
	char *argv[] = { "web", "/usr/sbin/httpd", "-f", "/etc/my httpd.conf", "--", "db", "sleep", "1", NULL };
	char h1[CTL_CFG_HEX + 1], h2[CTL_CFG_HEX + 1];

	ok(sv_config_args(&cfg, 8, argv, err, sizeof err) == 0 && cfg.count == 2, "-- groups make children");
	is_int(cfg.child[1].argc, 2, "each group's command ends at the next --");
	ok(parse(&cfg2, "# the same children\nweb /usr/sbin/httpd -f '/etc/my httpd.conf'\n\ndb sleep 1\n") == 0,
	   "the same children from a file parse");
	sv_config_hash(&cfg, h1);
	sv_config_hash(&cfg2, h2);
	is_str(h2, h1, "file and command line with the same children hash alike");
	ok(parse(&cfg2, "web /usr/sbin/httpd -f '/etc/my httpd.conf'\ndb sleep 2\n") == 0, "(one argument changed)");
	sv_config_hash(&cfg2, h2);
	ok(strcmp(h1, h2) != 0, "one changed argument changes the hash");
	ok(parse(&cfg2, "web /usr/sbin/httpd -f /etc/my httpd.conf\ndb sleep 1\n") == 0, "(a word split in two)");
	sv_config_hash(&cfg2, h2);
	ok(strcmp(h1, h2) != 0, "splitting a word changes the hash (the form is canonical, not joined text)");
	is_int(strlen(h1), CTL_CFG_HEX, "the hash is 16 hex digits");

	char *empty[] = { "web", "--", "db", "true", NULL };
	ok(sv_config_args(&cfg, 4, empty, err, sizeof err) < 0, "a group without a command is refused");
	char *none[] = { NULL };
	ok(sv_config_args(&cfg, 0, none, err, sizeof err) < 0, "no groups at all is refused");
}

static void test_backoff(void)
{
	struct sv_policy p = { 100, 400, 5, 10000 };
	struct sv_deaths d = { 0 };
	long long t = 1000000;

	is_int(sv_backoff(&p, &d, t, 50), 100, "first death: the minimum delay");
	is_int(sv_backoff(&p, &d, t += 150, 50), 200, "second: doubled");
	is_int(sv_backoff(&p, &d, t += 250, 50), 400, "third: doubled again");
	is_int(sv_backoff(&p, &d, t += 450, 50), 400, "fourth: held at the cap");
	is_int(sv_backoff(&p, &d, t += 450, 50), -1, "fifth within the window: give up");

	memset(&d, 0, sizeof d);
	is_int(sv_backoff(&p, &d, t, 50), 100, "(start over)");
	is_int(sv_backoff(&p, &d, t += 200, 50), 200, "(second)");
	is_int(sv_backoff(&p, &d, t += 20000, 20000), 100, "a child that ran the whole window starts over");
	is_int(d.n, 1, "and only this death counts");

	memset(&d, 0, sizeof d);
	for (int i = 0; i < 4; i++)
		sv_backoff(&p, &d, t += 100, 50);
	is_int(sv_backoff(&p, &d, t += 9000, 50), -1, "five deaths inside 10 s give up");
	memset(&d, 0, sizeof d);
	for (int i = 0; i < 4; i++)
		sv_backoff(&p, &d, t += 3000, 50);
	ok(sv_backoff(&p, &d, t += 3000, 50) > 0, "five deaths spread over 15 s do not");

	struct sv_policy big = { 20000, 30000, 64, 60000 };
	memset(&d, 0, sizeof d);
	sv_backoff(&big, &d, t, 1);
	is_int(sv_backoff(&big, &d, t + 1, 1), 30000, "doubling never overshoots the cap");
}

int main(void)
{
	test_file();
	test_args_and_hash();
	test_backoff();
	return tap_done();
}
#else
int main(void)
{
	tap_skip_all("CONFIG_CMD_SUPERVISE is off");
	return 0;
}
#endif
