#include <errno.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmds.h"
#include "exitcodes.h"
#include "fmt.h"
#include "lifecycle.h"
#include "lock.h"
#include "msg.h"
#include "opt.h"
#include "report.h"

const char cmd_start_usage[] =
	"usage: tether start -n NAME [--log FILE] [--cwd DIR] -- CMD [ARG]...\n"
	HELP("The unsupervised path: spawn CMD detached (double fork, setsid, stdin\n"
	     "from /dev/null, every other fd closed), record it, and return once it\n"
	     "has been exec'd. Concurrent starts of NAME produce one daemon. A NAME\n"
	     "whose record names a supervisor (stopped through it) is that\n"
	     "supervisor's to start: tether restart -n NAME asks it.\n"
	     "  -n, --name NAME  the daemon's name\n"
	     "      --log FILE   append its stdout and stderr to FILE (default /dev/null)\n"
	     "      --cwd DIR    run it in DIR (default: the current directory)\n"
	     "      --sock PATH  its control socket, stored in the record\n"
	     "Exit: 0 started, 1 failed (exec error printed), 152 already running,\n"
	     "164 managed by a supervisor.\n");

struct start_opts {
	const char *name;
	struct spawn_opts spawn;
	const char *sock;
	char **cmd;
	int cmdc;
};

static int parse(struct tether_ctx *ctx, int argc, char **argv, struct start_opts *o)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "log", OPT_VALUE, 'L' },
		{ "cwd", OPT_VALUE, 'D' },
		{ "sock", OPT_VALUE, 'S' },
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	int c;

	while ((c = opt_next(&st, argc, argv, "n:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_start_usage))
			continue;
		if (c == 'n')
			o->name = st.arg;
		else if (c == 'L')
			o->spawn.log = st.arg;
		else if (c == 'D')
			o->spawn.cwd = st.arg;
		else if (c == 'S')
			o->sock = st.arg;
		else
			return opt_error(ctx, cmd_start_usage, &st, c);
	}
	if (!o->name || !name_valid(o->name))
		return opt_usage(ctx, cmd_start_usage, o->name ? "bad name" : "-n NAME is required", o->name);
	if (st.ind >= argc)
		return opt_usage(ctx, cmd_start_usage, "no command given", NULL);
	o->cmd = argv + st.ind;
	o->cmdc = argc - st.ind;
	if (o->sock && fmt(NULL, 0, "%s", o->sock) >= SOCK_MAX)
		return opt_usage(ctx, cmd_start_usage, "--sock too long", NULL);
	return 0;
}

int cmd_start(struct tether_ctx *ctx, int argc, char **argv)
{
	struct start_opts o = { .spawn = { .detach = 1 } };
	struct view old;
	char lockname[NAME_MAX_LEN + 16];
	int code = parse(ctx, argc, argv, &o), dirfd, lfd;

	if (code)
		return code;
	dirfd = state_dir_open(ctx, 1);
	if (dirfd < 0)
		return dirfd == -2 ? EX_INSECURE : EX_FAIL;
	lock_file_name(lockname, o.name, ".lock");
	lfd = lock_take(ctx, dirfd, lockname, LOCK_EX);
	if (lfd < 0) {
		close(dirfd);
		return EX_FAIL;
	}
	view_load(ctx, dirfd, o.name, &old);
	if (view_running(&old)) {
		msg_error(ctx, "%s is already running (pid %d)", o.name, old.rec.id.pid);
		code = EX_RUNNING;
	} else if (view_other_ns(&old)) {
		code = life_refuse_other_ns(ctx, &old.rec, "not started beside it");
	} else if (old.res == STATE_INSECURE) {
		code = EX_INSECURE;
	} else if (old.res == STATE_OK && life_managed(&old.rec)) {
		code = life_refuse_managed(ctx, &old.rec);
	} else {
		if (old.res == STATE_CORRUPT)
			state_quarantine(ctx, dirfd, o.name);
		code = life_spawn_record(ctx, dirfd, o.name, o.cmd, o.cmdc, &o.spawn, o.sock,
				  old.res == STATE_OK ? old.rec.restarts : 0);
	}
	lock_release(lfd);
	close(dirfd);
	return code;
}
