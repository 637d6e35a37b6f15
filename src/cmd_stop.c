#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmds.h"
#include "exitcodes.h"
#include "lifecycle.h"
#include "lock.h"
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
	     "supervised daemon is stopped through its supervisor instead.\n"
	     "  -n, --name NAME       the daemon\n"
	     "  -s, --signal SIG      first signal (name or number)\n"
	     "  -t, --timeout SECONDS grace before KILL (default " XSTR(CONFIG_STOP_TIMEOUT) ")\n"
	     "Exit: 0 stopped or not running, 1 failed, 151 pid reused (nothing\n"
	     "signalled), 155/156 record refused/corrupt, 157 survived KILL.\n");

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

static int supervised(const struct owner *o)
{
	return o->type != OWNER_NONE && o->type != OWNER_UNKNOWN;
}

static int stop_running(struct tether_ctx *ctx, struct record *r, const struct stop_opts *o)
{
	if (r->owner.type == OWNER_UNKNOWN && sup_detect(ctx, r->id.pid, &r->owner) < 0)
		r->owner.type = OWNER_NONE;
	if (!supervised(&r->owner))
		return life_stop_ident(ctx, r, o->sig, o->grace_ms);
	msg_trace(ctx, "%s: stopping through %s", r->name, owner_type_name(r->owner.type));
	int code = sup_stop(ctx, &r->owner);
	if (code != EX_DONE)
		return code;
	if (ident_wait_gone(ctx, &r->id, o->grace_ms + MS_PER_S) < 0) {
		msg_error(ctx, "%s: %s accepted the stop but pid %d is still running", r->name,
			  owner_type_name(r->owner.type), r->id.pid);
		return EX_TIMEOUT;
	}
	return EX_DONE;
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
	if (v.res != STATE_OK)
		code = state_exit_code(v.res, EX_DONE);
	else if (v.verdict == IDENT_REUSED)
		code = life_stop_ident(ctx, &v.rec, o.sig, o.grace_ms);
	else if (view_running(&v))
		code = stop_running(ctx, &v.rec, &o);
	else if (v.verdict == IDENT_UNKNOWN) {
		msg_error(ctx, "%s: cannot read %s/%d/stat: not signalled", o.name, ctx->proc_root, v.rec.id.pid);
		code = EX_UNKNOWN;
	}
	/* A supervised daemon keeps its record, marked stopped, so that
	 * `tether restart` can ask its supervisor to start it again. */
	if (code == EX_DONE && v.res == STATE_OK && supervised(&v.rec.owner)) {
		v.rec.stopped = 1;
		state_save(ctx, dirfd, &v.rec);
	} else if (code == EX_DONE && v.res == STATE_OK) {
		state_remove(ctx, dirfd, o.name);
	}
	lock_release(lfd);
	close(dirfd);
	return code;
}
