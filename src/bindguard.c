#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bindguard.h"
#include "ctl.h"
#include "exitcodes.h"
#include "fmt.h"
#include "lifecycle.h"
#include "lock.h"
#include "msg.h"
#include "procfs.h"
#include "report.h"
#include "sup.h"
#include "sys.h"

#define LOCK_POLL_MIN_MS 1
#define LOCK_POLL_MAX_MS 16
#define LOCK_WAIT_EXTRA_MS 5000
#define CMDLINE_MAX ARGV_BYTES

int guard_exit_code(enum guard_result r)
{
	switch (r) {
	case GUARD_BIND:
		return 0;
	case GUARD_RUNNING:
	case GUARD_RECONCILED:
		return EX_RUNNING;
	case GUARD_REFUSED:
		return EX_INSECURE;
	default:
		return EX_FAIL;
	}
}

/* dir and base of an absolute path; the dir's fd. */
static int open_parent(const char *path, char *base, size_t cap)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash || fmt(base, cap, "%s%s", slash + 1, GUARD_LOCK_SUFFIX) >= cap) {
		errno = EINVAL;
		return -1;
	}
	fmt(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int guard_lock(struct tether_ctx *ctx, const char *sock, int wait_ms)
{
	char base[NAME_MAX + 1];
	long long end = now_ms() + wait_ms;
	int dfd = open_parent(sock, base, sizeof base), fd;

	if (dfd < 0) {
		msg_syserr(ctx, "open the directory of", sock);
		return -1;
	}
	/* Polled, not blocking, so the wait is bounded; backing off keeps a
	 * crowd of waiters (a start race) from spinning. */
	for (int step = LOCK_POLL_MIN_MS; (fd = lock_take(ctx, dfd, base, LOCK_EX | LOCK_NB)) < 0 &&
					   errno == EWOULDBLOCK;) {
		if (now_ms() >= end) {
			msg_error(ctx, "bind lock %s%s still held after %d s", sock, GUARD_LOCK_SUFFIX, wait_ms / MS_PER_S);
			errno = ETIMEDOUT;
			break;
		}
		sleep_backoff(&step, LOCK_POLL_MAX_MS, end);
	}
	sys_close_keep_errno(dfd);
	return fd;
}

void guard_release(struct guard *g)
{
	lock_release(g->lockfd);
	g->lockfd = -1;
}

static const char *kind_of(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) < 0)
		return "unreadable";
	if (S_ISLNK(sb.st_mode))
		return "a symlink";
	if (S_ISREG(sb.st_mode))
		return "a regular file";
	if (S_ISDIR(sb.st_mode))
		return "a directory";
	return "not a socket";
}

/* Unlink path if it is (still) a socket. Called once its owner is gone:
 * an owner removes its socket before it exits, so one left now is stale. */
static int clear_path(struct tether_ctx *ctx, const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(sb.st_mode)) {
		msg_error(ctx, "%s is %s now: refusing to replace it", path, kind_of(path));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		msg_syserr(ctx, "unlink", path);
		return -1;
	}
	msg_trace(ctx, "unlinked stale socket %s", path);
	return 0;
}

/* Stop a previous owner by identity; never pid 1, ourselves or our parent. */
static int stop_owner(struct tether_ctx *ctx, const struct ident *id, const char *why, int grace_ms, struct guard *g)
{
	if (id->pid <= 1 || id->pid == (int)getpid() || id->pid == (int)getppid()) {
		msg_error(ctx, "will not stop pid %d (%s)", id->pid, why);
		return -1;
	}
	msg_warn(ctx, "stopping pid %d: %s", id->pid, why);
	enum ident_verdict v = ident_stop(ctx, id, SIGTERM, grace_ms);
	if (v == IDENT_ALIVE && ident_wait_gone(ctx, id, 0) < 0) {
		msg_error(ctx, "pid %d survived SIGKILL", id->pid);
		return -1;
	}
	if (v == IDENT_ALIVE && !g->prev.pid)
		g->prev = *id;
	return 0;
}

static int live_record_owner(struct tether_ctx *ctx, int dirfd, const struct guard_want *w, struct ident *id)
{
	struct view v;

	view_load(ctx, dirfd, w->name, &v);
	if (v.res != STATE_OK || strcmp(v.rec.sock, w->sock) || v.verdict != IDENT_ALIVE)
		return 0;
	*id = v.rec.id;
	return 1;
}

/* Hung, dead or foreign: stop whoever holds the socket, then unlink it. */
static enum guard_result reclaim(struct tether_ctx *ctx, int dirfd, const struct guard_want *w, enum ctl_probe p,
				 int listener, struct guard *g)
{
	struct ident rec, lis;
	char why[96];
	int have_rec = live_record_owner(ctx, dirfd, w, &rec);

	fmt(why, sizeof why, "the owner of %s is %s", w->sock, ctl_probe_name(p));
	if (have_rec && stop_owner(ctx, &rec, why, w->grace_ms, g) < 0)
		return GUARD_FAILED;
	if (listener > 0 && (!have_rec || listener != rec.pid) && ident_of(ctx, listener, &lis) == 0 &&
	    stop_owner(ctx, &lis, why, w->grace_ms, g) < 0)
		return GUARD_FAILED;
	return clear_path(ctx, w->sock) < 0 ? GUARD_FAILED : GUARD_BIND;
}

static void argv_of(struct tether_ctx *ctx, int pid, struct record *r)
{
	char buf[CMDLINE_MAX], *args[ARGV_MAX + 1], *arg;
	ssize_t n = procfs_read(ctx, pid, "cmdline", buf, sizeof buf);
	size_t at = 0;
	int argc = 0;

	while (n > 0 && argc < ARGV_MAX && (arg = procfs_arg_next(buf, (size_t)n, sizeof buf, &at)))
		args[argc++] = arg;
	if (record_set_argv(r, argc, args) < 0)
		r->argc = 0;
}

/* Rewrite NAME's record from the live owner's own status. */
static enum guard_result reconcile(struct tether_ctx *ctx, int dirfd, const struct guard_want *w,
				   const struct ctl_reply *rp, const struct view *old)
{
	char lockname[NAME_MAX_LEN + 16];
	struct record r;
	int lfd;

	record_init(&r, w->name);
	if (ident_of(ctx, rp->pid, &r.id) < 0 || r.id.start != rp->start) {
		msg_error(ctx, "%s: owner pid %d vanished while reconciling", w->sock, rp->pid);
		return GUARD_FAILED;
	}
	if (sup_detect(ctx, rp->pid, &r.owner) < 0)
		r.owner.type = OWNER_NONE;
	argv_of(ctx, rp->pid, &r);
	if (procfs_readlink(ctx, rp->pid, "cwd", r.cwd, sizeof r.cwd) < 0)
		r.cwd[0] = 0;
	if (r.argc)
		fmt(r.exe, sizeof r.exe, "%s", r.argv[0]);
	fmt(r.sock, sizeof r.sock, "%s", w->sock);
	fmt(r.cfg, sizeof r.cfg, "%s", rp->cfg);
	r.since = (long long)time(NULL);
	r.restarts = old->res == STATE_OK ? old->rec.restarts : 0;
	lock_file_name(lockname, w->name, ".lock");
	lfd = lock_take(ctx, dirfd, lockname, LOCK_EX);
	if (lfd < 0)
		return GUARD_FAILED;
	int rc = state_save(ctx, dirfd, &r);
	lock_release(lfd);
	if (rc < 0)
		return GUARD_FAILED;
	msg_warn(ctx, "%s: live owner pid %d kept; its record %s was %s and is rewritten from its status", w->sock,
		 rp->pid, w->name, old->res == STATE_OK ? "naming another process" : "missing");
	return GUARD_RECONCILED;
}

static enum guard_result decide_live(struct tether_ctx *ctx, int dirfd, const struct guard_want *w,
				     const struct ctl_reply *rp, struct guard *g)
{
	struct ident owner = { .pid = rp->pid, .start = rp->start };
	struct view v;
	char why[128];

	if (!rp->ok && !strcmp(rp->err, CTL_ERR_SHUTDOWN)) {
		msg_trace(ctx, "%s: owner pid %d is shutting down: waiting for it", w->sock, rp->pid);
		if (ident_wait_gone(ctx, &owner, w->grace_ms) < 0 &&
		    stop_owner(ctx, &owner, "it did not finish shutting down in time", w->grace_ms, g) < 0)
			return GUARD_FAILED;
		return clear_path(ctx, w->sock) < 0 ? GUARD_FAILED : GUARD_BIND;
	}
	if (w->cfg[0] && rp->cfg[0] && strcmp(w->cfg, rp->cfg)) {
		fmt(why, sizeof why, "it runs config %s, this start has %s", rp->cfg, w->cfg);
		if (stop_owner(ctx, &owner, why, w->grace_ms, g) < 0)
			return GUARD_FAILED;
		return clear_path(ctx, w->sock) < 0 ? GUARD_FAILED : GUARD_BIND;
	}
	g->owner_pid = rp->pid;
	if (strcmp(rp->name, w->name)) {
		msg_error(ctx, "%s is owned by %s (pid %d), not %s", w->sock, rp->name, rp->pid, w->name);
		return GUARD_RUNNING;
	}
	view_load(ctx, dirfd, w->name, &v);
	if (v.res == STATE_OK && v.rec.id.pid == rp->pid && v.rec.id.start == rp->start && !strcmp(v.rec.sock, w->sock))
		return GUARD_RUNNING;
	if (v.res == STATE_INSECURE)
		return GUARD_REFUSED;
	if (view_other_ns(&v)) {
		msg_error(ctx, "%s is owned by pid %d, and %s's record was written in another pid namespace: not rewritten",
			  w->sock, rp->pid, w->name);
		return GUARD_RUNNING;
	}
	if (v.res == STATE_CORRUPT)
		state_quarantine(ctx, dirfd, w->name);
	return reconcile(ctx, dirfd, w, rp, &v);
}

enum guard_result guard_take(struct tether_ctx *ctx, int dirfd, const struct guard_want *w, struct guard *g)
{
	struct ctl_reply rp;
	enum guard_result r;
	enum ctl_probe p;
	int listener;

	memset(g, 0, sizeof *g);
	g->lockfd = guard_lock(ctx, w->sock, w->probe_ms + 2 * w->grace_ms + LOCK_WAIT_EXTRA_MS);
	if (g->lockfd < 0)
		return errno == EPERM || errno == ELOOP ? GUARD_REFUSED : GUARD_FAILED;
	p = ctl_probe(ctx, w->sock, w->probe_ms, &rp, &listener);
	msg_trace(ctx, "%s: %s (listener pid %d)", w->sock, ctl_probe_name(p), listener);
	switch (p) {
	case CTL_PROBE_ABSENT:
		r = GUARD_BIND;
		break;
	case CTL_PROBE_LIVE:
		r = decide_live(ctx, dirfd, w, &rp, g);
		break;
	case CTL_PROBE_NOTSOCK:
		msg_error(ctx, "%s is %s, not a socket: refusing to replace it", w->sock, kind_of(w->sock));
		r = GUARD_REFUSED;
		break;
	case CTL_PROBE_ERROR:
		msg_syserr(ctx, "probe", w->sock);
		r = GUARD_FAILED;
		break;
	default:
		r = reclaim(ctx, dirfd, w, p, listener, g);
		break;
	}
	if (r != GUARD_BIND)
		guard_release(g);
	return r;
}
