#include <errno.h>
#include <unistd.h>

#include "cmds.h"
#include "exitcodes.h"
#include "msg.h"
#include "opt.h"
#include "report.h"

#define NAMES_MAX 64

const char cmd_status_usage[] =
	"usage: tether status [-n NAME]... [--json | --shell]\n"
	HELP("Identity-verified liveness of NAME (every record without -n).\n"
	     "  -n, --name NAME  the daemon (repeatable)\n")
#if CONFIG_JSON
	HELP("      --json       one JSON object per daemon and line\n")
#endif
	HELP("      --shell      shell assignments (TETHER_STATE=... TETHER_PID=...)\n"
	     "Exit (LSB): 0 running, 1 dead (record left), 3 not running, 4 unknown,\n"
	     "(4 also: recorded in another pid namespace), 151 pid reused by another\n"
	     "process, 155 record refused, 156 corrupt.\n"
	     "With several daemons, the first one not running decides; with no -n and\n"
	     "no records, 0.\n");

struct status_run {
	struct tether_ctx *ctx;
	int dirfd;
	enum report_mode mode;
	int code;
};

static int status_one(const char *name, void *arg)
{
	struct status_run *s = arg;
	struct view v;

	view_load(s->ctx, s->dirfd, name, &v);
	if (v.res == STATE_OK && (v.verdict == IDENT_UNVERIFIED || v.verdict == IDENT_UNVERIFIED_DEAD))
		msg_warn(s->ctx, "%s: no /proc at %s: identity unverified (kill -0 only)", name, s->ctx->proc_root);
	if (view_other_ns(&v))
		msg_warn(s->ctx, "%s: recorded in another pid namespace (pid:[%llu], here pid:[%llu]): "
			 "pid %d cannot be verified from here", name, v.rec.id.pidns_ino, s->ctx->pidns_ino, v.rec.id.pid);
	if (report_view(name, &v, s->mode) < 0)
		msg_syserr(s->ctx, "cannot write", "stdout");  /* the exit code still answers */
	if (!s->code)
		s->code = view_status_code(&v);
	return 0;
}

int cmd_status(struct tether_ctx *ctx, int argc, char **argv)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "json", OPT_FLAG, OPT_JSON },
		{ "shell", OPT_FLAG, 's' },
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	struct status_run s = { ctx, -1, REPORT_HUMAN, 0 };
	const char *names[NAMES_MAX];
	int n = 0, c;

	while ((c = opt_next(&st, argc, argv, "n:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_status_usage))
			continue;
		if (c == 'n' && n < NAMES_MAX && name_valid(st.arg))
			names[n++] = st.arg;
		else if (c == 'n')
			return opt_usage(ctx, cmd_status_usage, "bad or too many names", st.arg);
		else if (c == OPT_JSON && CONFIG_JSON)
			s.mode = REPORT_JSON;
		else if (c == 's')
			s.mode = REPORT_SHELL;
		else
			return opt_error(ctx, cmd_status_usage, &st, c);
	}
	if (st.ind < argc)
		return opt_usage(ctx, cmd_status_usage, "unexpected argument", argv[st.ind]);
	s.dirfd = state_dir_open(ctx, 0);
	if (s.dirfd == -2)
		return EX_INSECURE;
	if (s.dirfd < 0 && errno != ENOENT)
		return EX_UNKNOWN;
	for (int i = 0; i < n; i++)
		status_one(names[i], &s);
	if (!n && s.dirfd >= 0 && state_each(ctx, s.dirfd, status_one, &s) < 0)
		s.code = EX_UNKNOWN;
	if (s.dirfd >= 0)
		close(s.dirfd);
	return s.code;  /* no -n and no records, the dir there or not: 0 */
}
