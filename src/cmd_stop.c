#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmds.h"
#include "exitcodes.h"
#include "lifecycle.h"
#include "lock.h"
#include "marker.h"
#include "msg.h"
#include "opt.h"
#include "report.h"
#include "sup.h"
#include "sys.h"

#define STR(x) #x
#define XSTR(x) STR(x)

const char cmd_stop_usage[] =
	"usage: tether stop -n NAME [--signal SIG] [--timeout SECONDS]\n"
	HELP("Stop NAME by identity only: SIG (default TERM), wait, then KILL. A\n"
	     "supervised daemon is stopped through its supervisor instead, even\n"
	     "while it is down between two runs, and waited for. A stop clears\n"
	     "NAME's restart marker first: the daemon sees a stop.\n"
	     "  -n, --name NAME       the daemon\n"
	     "  -s, --signal SIG      first signal (name or number)\n"
	     "  -t, --timeout SECONDS grace before KILL (default " XSTR(CONFIG_STOP_TIMEOUT) ")\n"
	     "Exit: 0 stopped or not running, 1 failed, 4 cannot tell (another pid\n"
	     "namespace's record, or no /proc/PID/stat), 151 pid reused (nothing\n"
	     "signalled), 155/156 record refused/corrupt, 157 survived KILL (or\n"
	     "the supervisor's stop), 158 the supervisor or its tool unreachable.\n");

struct stop_opts {
	const char *name;
	int sig;
	int grace_ms;
};

static int parse(struct tether_ctx *ctx, int argc, char **argv, struct stop_opts *o)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "signal", OPT_VALUE, 's' },
		{ "timeout", OPT_VALUE, 't' },
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	long long secs;
	int c;

	while ((c = opt_next(&st, argc, argv, "n:s:t:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_stop_usage))
			continue;
		if (c == 'n')
			o->name = st.arg;
		else if (c == 's' && (o->sig = signal_parse(st.arg)) > 0)
			continue;
		else if (c == 's')
			return opt_usage(ctx, cmd_stop_usage, "unknown signal", st.arg);
		else if (c == 't' && opt_num(st.arg, 0, 86400, &secs) == 0)
			o->grace_ms = (int)secs * MS_PER_S;
		else if (c == 't')
			return opt_usage(ctx, cmd_stop_usage, "bad timeout", st.arg);
		else
			return opt_error(ctx, cmd_stop_usage, &st, c);
	}
	if (!o->name || !name_valid(o->name))
		return opt_usage(ctx, cmd_stop_usage, o->name ? "bad name" : "-n NAME is required", o->name);
	if (st.ind < argc)
		return opt_usage(ctx, cmd_stop_usage, "unexpected argument", argv[st.ind]);
	return 0;
}


/* A record without an owner: ask the live process; a dead one cannot
 * tell, and is taken as unsupervised. */
static void resolve_owner(struct tether_ctx *ctx, struct view *v)
{
	struct owner *o = &v->rec.owner;

	if (o->type != OWNER_UNKNOWN)
		return;
	if (!view_running(v) || sup_detect(ctx, v->rec.id.pid, o) < 0) {
		owner_clear(o);
		o->type = OWNER_NONE;
	}
}

/* The owner may be between two runs of the daemon (a crash loop): wait
 * until no identity recorded for it is alive, however many it records
 * meanwhile. 0, or -1 with *pid the one still running, or -2 if its
 * liveness could not be read until the end. */
static int wait_down(struct tether_ctx *ctx, int dirfd, const char *name, int timeout_ms, int *pid)
{
	long long end = now_ms() + timeout_ms;
	struct view v;

	for (int nap = 1;;) {
		view_load(ctx, dirfd, name, &v);
		if (v.verdict == IDENT_UNKNOWN && now_ms() < end) {
			sleep_backoff(&nap, 100, end);  /* cannot tell yet: not down */
			continue;
		}
		if (v.verdict == IDENT_UNKNOWN) {
			*pid = v.rec.id.pid;
			return -2;
		}
		if (!view_running(&v))
			return 0;
		long long left = end - now_ms();
		if (left < 0 || ident_wait_gone(ctx, &v.rec.id, (int)left) < 0) {
			*pid = v.rec.id.pid;
			return -1;
		}
	}
}

/* Keep the record, marked stopped, so that `tether restart` can ask the
 * owner to start it again. Under the name's lock: the record read may be
 * one the owner wrote while it was being stopped. */
static int mark_stopped(struct tether_ctx *ctx, int dirfd, const struct record *r)
{
	char lockname[NAME_MAX_LEN + 16];
	struct view v;
	int lfd, code = EX_DONE;

	lock_file_name(lockname, r->name, ".lock");
	lfd = lock_take(ctx, dirfd, lockname, LOCK_EX);
	if (lfd < 0)
		return EX_FAIL;
	view_load(ctx, dirfd, r->name, &v);
	if (view_running(&v)) {
		msg_error(ctx, "%s: started again as pid %d while it was being stopped", r->name, v.rec.id.pid);
		code = EX_FAIL;
	} else if (v.res == STATE_OK) {
		if (v.rec.owner.type == OWNER_UNKNOWN)
			v.rec.owner = r->owner;
		v.rec.stopped = 1;
		if (state_save(ctx, dirfd, &v.rec) < 0) {
			msg_error(ctx, "%s: stopped, but the record could not be marked so", r->name);
			code = EX_FAIL;
		}
	}
	lock_release(lfd);
	return code;
}

/* Through the owner, whether or not the daemon runs at this instant: one
 * that is down may be due for a respawn. Without the name's lock, which
 * the owner may need to record a run it starts meanwhile. */
static int stop_owned(struct tether_ctx *ctx, int dirfd, const struct view *v, const struct stop_opts *o)
{
	const struct record *r = &v->rec;
	int pid, code;

	if (r->stopped && !view_running(v)) {
		msg_trace(ctx, "%s: already stopped through %s", r->name, owner_type_name(r->owner.type));
		return EX_DONE;
	}
	msg_trace(ctx, "%s: stopping through %s", r->name, owner_type_name(r->owner.type));
	code = sup_stop(ctx, &r->owner);
	if (code != EX_DONE)
		return code;
	code = wait_down(ctx, dirfd, r->name, o->grace_ms + MS_PER_S, &pid);
	if (code == -2) {
		msg_error(ctx, "%s: %s accepted the stop, but %s/%d/stat cannot be read to see it done", r->name,
			  owner_type_name(r->owner.type), ctx->proc_root, pid);
		return EX_UNKNOWN;
	}
	if (code < 0) {
		msg_error(ctx, "%s: %s accepted the stop but pid %d is still running", r->name,
			  owner_type_name(r->owner.type), pid);
		return EX_TIMEOUT;
	}
	return mark_stopped(ctx, dirfd, r);
}

int cmd_stop(struct tether_ctx *ctx, int argc, char **argv)
{
	struct stop_opts o = { NULL, SIGTERM, CONFIG_STOP_TIMEOUT * MS_PER_S };
	char lockname[NAME_MAX_LEN + 16];
	struct view v;
	int code = parse(ctx, argc, argv, &o), dirfd, lfd;

	if (code)
		return code;
	dirfd = state_dir_open(ctx, 0);
	if (dirfd < 0)
		return dirfd == -2 ? EX_INSECURE : errno == ENOENT ? EX_DONE : EX_FAIL;
	lock_file_name(lockname, o.name, ".lock");
	lfd = lock_take(ctx, dirfd, lockname, LOCK_EX);
	view_load(ctx, dirfd, o.name, &v);
	if (view_other_ns(&v)) {
		code = life_refuse_other_ns(ctx, &v.rec, "not signalled");
		lock_release(lfd);
		close(dirfd);
		return code;
	}
	if (v.res == STATE_OK) {
		/* Left by a restart that never went through, a marker would
		 * make the daemon take this stop for a restart. */
		marker_remove(ctx, dirfd, o.name);
		resolve_owner(ctx, &v);
	}
	if (v.res != STATE_OK) {
		code = state_exit_code(v.res, EX_DONE);
	} else if (life_managed(&v.rec)) {
		lock_release(lfd);
		lfd = -1;
		code = stop_owned(ctx, dirfd, &v, &o);
	} else if (v.verdict == IDENT_REUSED || view_running(&v)) {
		code = life_stop_ident(ctx, &v.rec, o.sig, o.grace_ms);
	} else if (v.verdict == IDENT_UNKNOWN) {
		msg_error(ctx, "%s: cannot read %s/%d/stat: not signalled", o.name, ctx->proc_root, v.rec.id.pid);
		code = EX_UNKNOWN;
	}
	if (code == EX_DONE && v.res == STATE_OK && !life_managed(&v.rec))
		state_remove(ctx, dirfd, o.name);
	lock_release(lfd);
	close(dirfd);
	return code;
}
