#include <errno.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmds.h"
#include "exitcodes.h"
#include "lifecycle.h"
#include "lock.h"
#include "msg.h"
#include "opt.h"
#include "report.h"

const char cmd_list_usage[] =
	"usage: tether list [--prune] [--json]\n"
	HELP("Every record in the state dir with its verified liveness, one per line.\n"
	     "      --prune  remove records whose process is dead or reused, naming each\n")
#if CONFIG_JSON
	HELP("      --json   one JSON object per line\n")
#endif
	HELP("Corrupt and refused records are reported, never removed.\n"
	     "Exit: 0, or 1 if the state dir cannot be read, a record cannot be pruned\n"
	     "or stdout cannot be written.\n");

struct list_run {
	struct tether_ctx *ctx;
	int dirfd;
	int prune;
	int failed;  /* a prune that could not be done */
	enum report_mode mode;
	struct out out;  /* lines gathered, written whole a chunk at a time */
};

static int prunable(const struct view *v)
{
	return v->res == STATE_OK && (v->verdict == IDENT_DEAD || v->verdict == IDENT_REUSED ||
				      v->verdict == IDENT_UNVERIFIED_DEAD);
}

/* Re-check under the record's lock, so a daemon restarted meanwhile
 * keeps its new record. A record that is not pruned after all (it came
 * back to life, or the lock or the removal failed) is listed as it is
 * now; a failure is already said on stderr and makes the exit 1. */
static void prune(struct list_run *l, const char *name, const struct view *seen)
{
	char lockname[NAME_MAX_LEN + 16];
	struct view v;
	int lfd;

	lock_file_name(lockname, name, ".lock");
	lfd = lock_take(l->ctx, l->dirfd, lockname, LOCK_EX);
	if (lfd < 0) {
		l->failed = 1;
		report_add(&l->out, name, seen, l->mode);
		return;
	}
	view_load(l->ctx, l->dirfd, name, &v);
	if (!prunable(&v)) {
		report_add(&l->out, name, &v, l->mode);
	} else if (state_remove(l->ctx, l->dirfd, name) < 0) {
		l->failed = 1;
		report_add(&l->out, name, &v, l->mode);
	} else {
		unlinkat(l->dirfd, lockname, 0);
		out_fmt(&l->out, "pruned %s (%s, pid %d)\n", name, view_state(&v), v.rec.id.pid);
		out_line(&l->out);
	}
	lock_release(lfd);
}

static int list_one(const char *name, void *arg)
{
	struct list_run *l = arg;
	struct view v;

	view_load(l->ctx, l->dirfd, name, &v);
	if (l->prune && prunable(&v))
		prune(l, name, &v);
	else
		report_add(&l->out, name, &v, l->mode);
	return 0;
}

int cmd_list(struct tether_ctx *ctx, int argc, char **argv)
{
	static const struct opt_long longs[] = {
		{ "prune", OPT_FLAG, 'p' },
		{ "json", OPT_FLAG, OPT_JSON },
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	struct list_run l = { .ctx = ctx, .dirfd = -1, .mode = REPORT_HUMAN };
	int c, r;

	out_init(&l.out, 1);
	while ((c = opt_next(&st, argc, argv, "vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_list_usage))
			continue;
		if (c == 'p')
			l.prune = 1;
		else if (c == OPT_JSON && CONFIG_JSON)
			l.mode = REPORT_JSON;
		else
			return opt_error(ctx, cmd_list_usage, &st, c);
	}
	if (st.ind < argc)
		return opt_usage(ctx, cmd_list_usage, "unexpected argument", argv[st.ind]);
	l.dirfd = state_dir_open(ctx, 0);
	if (l.dirfd < 0)
		return l.dirfd == -1 && errno == ENOENT ? EX_DONE : l.dirfd == -2 ? EX_INSECURE : EX_FAIL;
	ctx->pending = &l.out;
	r = state_each(ctx, l.dirfd, list_one, &l);
	ctx->pending = NULL;
	if (out_flush(&l.out) < 0) {
		msg_syserr(ctx, "cannot write", "stdout");
		l.failed = 1;
	}
	close(l.dirfd);
	return r < 0 || l.failed ? EX_FAIL : EX_DONE;
}
