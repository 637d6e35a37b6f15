#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "cmds.h"
#include "exitcodes.h"
#include "marker.h"
#include "msg.h"
#include "opt.h"
#include "report.h"

#define STR(x) #x
#define XSTR(x) STR(x)

const char cmd_marker_usage[] =
	"usage: tether marker -n NAME [--set [--ttl SECONDS] | --clear]\n"
	HELP("Tell a restart from a stop: exits 0 while a valid restart marker for\n"
	     "NAME exists (tether restart writes one first), 163 otherwise. For a\n"
	     "daemon's TERM handler, a runit/s6 finish script or a procd stop hook.\n"
	     "  -n, --name NAME      the daemon\n"
	     "      --set            write a marker now (owner from NAME's record)\n"
	     "      --ttl SECONDS    its lifetime (default " XSTR(CONFIG_MARKER_TTL) ", max 86400)\n"
	     "      --clear          remove NAME's marker\n"
	     "Malformed, expired or foreign-owner markers are reported and ignored.\n");

int cmd_marker(struct tether_ctx *ctx, int argc, char **argv)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "set", OPT_FLAG, 'S' },
		{ "clear", OPT_FLAG, 'C' },
		{ "ttl", OPT_VALUE, 'T' },
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	const char *name = NULL;
	long long ttl = CONFIG_MARKER_TTL;
	int set = 0, clear = 0, c, dirfd, code;
	struct marker m;
	struct view v;

	/* Run from TERM handlers, often while the same TERM is still being
	 * sent to the daemon's whole group or cgroup: a check killed by it
	 * would read as "no marker", a stop. It takes a millisecond. */
	signal(SIGTERM, SIG_IGN);
	while ((c = opt_next(&st, argc, argv, "n:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_marker_usage))
			continue;
		if (c == 'n')
			name = st.arg;
		else if (c == 'S')
			set = 1;
		else if (c == 'C')
			clear = 1;
		else if (c == 'T' && opt_num(st.arg, 1, MARKER_TTL_MAX, &ttl) < 0)
			return opt_usage(ctx, cmd_marker_usage, "bad --ttl", st.arg);
		else if (c != 'T')
			return opt_error(ctx, cmd_marker_usage, &st, c);
	}
	if (!name || !name_valid(name))
		return opt_usage(ctx, cmd_marker_usage, name ? "bad name" : "-n NAME is required", name);
	if (st.ind < argc || (set && clear))
		return opt_usage(ctx, cmd_marker_usage, "bad arguments", NULL);
	dirfd = state_dir_open(ctx, set);
	if (dirfd < 0)
		return dirfd == -2 ? EX_INSECURE : errno == ENOENT && !set ? EX_NOMARKER : EX_FAIL;
	view_load(ctx, dirfd, name, &v);
	enum owner_type owner = v.res == STATE_OK ? v.rec.owner.type : OWNER_UNKNOWN;
	if (set)
		code = marker_write(ctx, dirfd, name, owner == OWNER_UNKNOWN ? OWNER_NONE : owner, (int)ttl) < 0
			? EX_FAIL : EX_DONE;
	else if (clear)
		code = marker_consume(ctx, dirfd, name, OWNER_UNKNOWN), code = EX_DONE;
	else
		code = marker_check(ctx, dirfd, name, owner, &m) == MARKER_VALID ? EX_DONE : EX_NOMARKER;
	close(dirfd);
	return code;
}
