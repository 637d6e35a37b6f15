#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "exitcodes.h"
#include "fmt.h"
#include "lifecycle.h"
#include "lock.h"
#include "marker.h"
#include "msg.h"
#include "opt.h"
#include "procfs.h"
#include "report.h"
#include "sup.h"
#include "sys.h"

#define EXIT_NOTFOUND 127
#define EXIT_NOEXEC 126

const char cmd_exec_usage[] =
	"usage: tether exec -n NAME [--sock PATH] [--cfg HASH] -- CMD [ARG]...\n"
	HELP("Record this process as NAME (pid, start time, boot id, owner, argv),\n"
	     "then exec CMD in place: the daemon keeps this pid and start time.\n"
	     "For procd `command`, runit/s6 `run` scripts and systemd ExecStart=.\n"
	     "  -n, --name NAME  the daemon's name\n"
	     "      --sock PATH  its control socket, stored in the record\n"
	     "      --cfg HASH   its config hash, stored in the record\n"
	     "Exit: 152 if NAME is already running (pid printed); 126/127 if CMD\n"
	     "cannot be executed / found. A state dir that cannot be written is\n"
	     "reported and CMD runs unrecorded.\n");

struct exec_opts {
	const char *name;
	const char *sock;
	const char *cfg;
	char **cmd;
	int cmdc;
};

static int parse(struct tether_ctx *ctx, int argc, char **argv, struct exec_opts *o)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "sock", OPT_VALUE, 'S' },
		{ "cfg", OPT_VALUE, 'C' },
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	int c;

	while ((c = opt_next(&st, argc, argv, "n:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_exec_usage))
			continue;
		if (c == 'n')
			o->name = st.arg;
		else if (c == 'S')
			o->sock = st.arg;
		else if (c == 'C')
			o->cfg = st.arg;
		else
			return opt_error(ctx, cmd_exec_usage, &st, c);
	}
	if (!o->name || !name_valid(o->name))
		return opt_usage(ctx, cmd_exec_usage, o->name ? "bad name" : "-n NAME is required", o->name);
	if (st.ind >= argc)
		return opt_usage(ctx, cmd_exec_usage, "no command given", NULL);
	o->cmd = argv + st.ind;
	o->cmdc = argc - st.ind;
	if ((o->sock && fmt(NULL, 0, "%s", o->sock) >= SOCK_MAX) || (o->cfg && fmt(NULL, 0, "%s", o->cfg) > CFG_MAX))
		return opt_usage(ctx, cmd_exec_usage, "--sock or --cfg too long", NULL);
	return 0;
}

/* Fill r with who we are; the daemon inherits all of it through execve. */
static int describe_self(struct tether_ctx *ctx, const struct exec_opts *o, char **cmd, int cmdc, struct record *r)
{
	record_init(r, o->name);
	if (ident_of(ctx, 0, &r->id) < 0) {
		if (procfs_available(ctx))
			msg_syserr(ctx, "read own stat under", ctx->proc_root);
		r->id.pid = (int)getpid();  /* no /proc: unverified identity */
	}
	ident_exe_of_cmd(cmd, NULL, &r->id, r->exe, sizeof r->exe);
	if (sup_detect(ctx, 0, &r->owner) < 0)
		r->owner.type = OWNER_NONE;
	if (record_set_argv(r, cmdc, cmd) < 0) {
		msg_warn(ctx, "%s not recorded: argv too long to record (max %d args, %d bytes)", o->name, ARGV_MAX,
			 ARGV_BYTES);
		return -1;
	}
	if (!sys_getcwd(r->cwd, sizeof r->cwd))
		r->cwd[0] = 0;
	fmt(r->sock, sizeof r->sock, "%s", o->sock ? o->sock : "");
	fmt(r->cfg, sizeof r->cfg, "%s", o->cfg ? o->cfg : "");
	r->since = (long long)time(NULL);
	return 0;
}

/* Returns 0 to go on and exec, or an exit code. */
static int record(struct tether_ctx *ctx, const struct exec_opts *o, char **cmd, int cmdc, int *saved)
{
	struct view old;
	struct record r;
	char lockname[NAME_MAX_LEN + 16];
	int dirfd = state_dir_open(ctx, 1), lfd, code = 0;

	if (dirfd < 0) {
		msg_warn(ctx, "%s not recorded: state dir unusable", o->name);
		return 0;
	}
	lock_file_name(lockname, o->name, ".lock");
	lfd = lock_take(ctx, dirfd, lockname, LOCK_EX);
	view_load(ctx, dirfd, o->name, &old);
	if (view_running(&old) && old.rec.id.pid != (int)getpid()) {
		msg_error(ctx, "%s is already running (pid %d)", o->name, old.rec.id.pid);
		say(1, "%d\n", old.rec.id.pid);
		code = EX_RUNNING;
	} else if (view_other_ns(&old)) {
		code = life_refuse_other_ns(ctx, &old.rec, "not run beside it");
	} else if (describe_self(ctx, o, cmd, cmdc, &r) < 0) {
		/* Not recordable: still run it, as with a read-only state dir. */
	} else {
		if (old.res == STATE_CORRUPT)
			state_quarantine(ctx, dirfd, o->name);
		if (old.res == STATE_OK)
			r.restarts = old.rec.restarts;
		if (marker_consume(ctx, dirfd, o->name, r.owner.type))
			r.restarts++;
		if (state_save(ctx, dirfd, &r) < 0)
			msg_warn(ctx, "%s not recorded", o->name);
		else
			*saved = 1;
	}
	lock_release(lfd);
	close(dirfd);
	return code;
}

/* The exec failed: the record we wrote names a process about to exit.
 * Drop it, under the lock and only if it is still ours: a start may have
 * written its own since, and an earlier record we did not replace is
 * not ours to drop. */
static void drop_own_record(struct tether_ctx *ctx, const char *name)
{
	char lockname[NAME_MAX_LEN + 16];
	struct view v;
	int dirfd = state_dir_open(ctx, 0), lfd;

	if (dirfd < 0)
		return;
	lock_file_name(lockname, name, ".lock");
	lfd = lock_take(ctx, dirfd, lockname, LOCK_EX);
	view_load(ctx, dirfd, name, &v);
	if (lfd >= 0 && v.res == STATE_OK && v.rec.id.pid == (int)getpid())
		state_remove(ctx, dirfd, name);
	lock_release(lfd);
	close(dirfd);
}

int cmd_exec(struct tether_ctx *ctx, int argc, char **argv)
{
	struct exec_opts o = { 0 };
	int code = parse(ctx, argc, argv, &o);

	if (code)
		return code;
	int saved = 0;
	code = record(ctx, &o, o.cmd, o.cmdc, &saved);
	if (code)
		return code;
	execvp(o.cmd[0], o.cmd);
	code = errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
	msg_syserr(ctx, "exec", o.cmd[0]);
	if (saved)
		drop_own_record(ctx, o.name);
	return code;
}
