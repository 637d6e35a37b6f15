#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bindguard.h"
#include "env.h"
#include "exitcodes.h"
#include "fmt.h"
#include "lifecycle.h"
#include "lock.h"
#include "marker.h"
#include "mem.h"
#include "msg.h"
#include "procfs.h"
#include "report.h"
#include "spawn.h"
#include "sup.h"
#include "supervise.h"
#include "sys.h"

#define STATE_ENV "TETHER_STATE_DIR"
#define HOW_MAX 48
#define LOCKNAME_MAX (NAME_MAX_LEN + 16)
#define POLL_ERROR_SLEEP_MS 10

enum sv_state { SV_RUNNING, SV_STOPPING, SV_BACKOFF, SV_FAILED, SV_DOWN };
enum then { THEN_DOWN, THEN_RESPAWN };

static const char *const state_names[] = { "running", "stopping", "backoff", "failed", "down" };
static const int handled_signals[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1 };

struct child {
	const struct sv_child_cfg *cfg;
	enum sv_state state;
	struct ident id;            /* the current process, or the last one */
	int live;                   /* id.pid is our child, not reaped yet */
	enum then then;             /* SV_STOPPING: what follows its exit */
	int requested;              /* the next spawn answers a restart request */
	int kill_sent;
	long long kill_at;
	long long respawn_at;
	long long started_ms;
	unsigned long long restarts;
	struct sv_deaths deaths;
};

struct sv {
	struct tether_ctx *ctx;
	const struct sv_opts *o;
	const struct sv_config *cfg;
	int dirfd;
	int sigfd;
	char hash[CTL_CFG_HEX + 1];
	struct ident self;
	struct ctl_server srv;
	int n;
	struct child child[SV_CHILDREN_MAX];
	struct ctl_child list[SV_CHILDREN_MAX];
	int stopping_sig;           /* shutdown under way: the signal passed on */
	int next_down;              /* shutdown: the child to stop next, backwards */
};

static struct child *by_name(struct sv *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->child[i].cfg->name, name))
			return &s->child[i];
	return NULL;
}

static struct child *by_pid(struct sv *s, int pid)
{
	for (int i = 0; i < s->n; i++)
		if (s->child[i].live && s->child[i].id.pid == pid)
			return &s->child[i];
	return NULL;
}

static void describe(int status, char *buf, size_t cap)
{
	if (status < 0)
		fmt(buf, cap, "could not be started");
	else if (WIFEXITED(status))
		fmt(buf, cap, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fmt(buf, cap, "killed by signal %d", WTERMSIG(status));
	else
		fmt(buf, cap, "ended (wait status %d)", status);
}

/* ---- records ---- */

static int save_locked(struct sv *s, const struct record *r)
{
	char lockname[LOCKNAME_MAX];
	int lfd, rc;

	lock_file_name(lockname, r->name, ".lock");
	lfd = lock_take(s->ctx, s->dirfd, lockname, LOCK_EX);
	if (lfd < 0)
		return -1;
	rc = state_save(s->ctx, s->dirfd, r);
	lock_release(lfd);
	return rc;
}

static void record_child(struct sv *s, const struct child *c)
{
	struct record r;

	if (!c->id.pid)
		return;  /* never ran: nothing to name */
	record_init(&r, c->cfg->name);
	/* The executable as spawn resolved it, left unknown for a shell or a
	 * wrapper that execs another program, as for start: restart --all
	 * --changed finds a child whose binary was replaced. */
	r.id = c->id;
	r.owner.type = OWNER_TETHER;
	fmt(r.owner.dir, sizeof r.owner.dir, "%s", s->o->sock);
	fmt(r.owner.instance, sizeof r.owner.instance, "%s", c->cfg->name);
	if (record_set_argv(&r, c->cfg->argc, c->cfg->argv) < 0)
		r.argc = 0;
	if (!sys_getcwd(r.cwd, sizeof r.cwd))
		r.cwd[0] = 0;
	/* The path as spawn's PATH search found it (restart --changed needs
	 * one); the identity stays the one read at spawn. */
	struct ident scratch;
	ident_exe_of_cmd(c->cfg->argv, NULL, &scratch, r.exe, sizeof r.exe);
	r.since = (long long)time(NULL);
	r.restarts = c->restarts;
	r.failed = c->state == SV_FAILED;
	if (save_locked(s, &r) < 0)
		msg_warn(s->ctx, "%s: pid %d not recorded", c->cfg->name, c->id.pid);
}

/* Our own record: enough for `tether restart -n NAME` to respawn us. */
static int record_self(struct sv *s)
{
	char exe[PATH_MAX], *args[ARGV_MAX + 1];
	struct record r;
	struct view old;
	int argc = 0;

	record_init(&r, s->o->name);
	r.id = s->self;
	if (sup_detect(s->ctx, 0, &r.owner) < 0)
		r.owner.type = OWNER_NONE;
	if (procfs_readlink(s->ctx, (int)getpid(), "exe", exe, sizeof exe) < 0)
		fmt(exe, sizeof exe, "tether");
	args[argc++] = exe;
	args[argc++] = "--state-dir";
	args[argc++] = (char *)s->ctx->state_dir;
	for (int i = 0; i < s->o->argc && argc < ARGV_MAX; i++)
		args[argc++] = s->o->argv[i];
	if (record_set_argv(&r, argc, args) < 0)
		msg_warn(s->ctx, "%s: command line too long to record: a restart cannot respawn it", s->o->name);
	if (!sys_getcwd(r.cwd, sizeof r.cwd))
		r.cwd[0] = 0;
	fmt(r.exe, sizeof r.exe, "%s", exe);
	fmt(r.sock, sizeof r.sock, "%s", s->o->sock);
	fmt(r.cfg, sizeof r.cfg, "%s", s->hash);
	r.since = (long long)time(NULL);
	view_load(s->ctx, s->dirfd, s->o->name, &old);
	if (old.res == STATE_OK)
		r.restarts = old.rec.restarts;
	if (marker_consume(s->ctx, s->dirfd, s->o->name, OWNER_UNKNOWN))
		r.restarts++;
	return save_locked(s, &r);
}

/* Remove NAME's record if it still names pid (a successor's stays, and
 * one written in another pid namespace, whose pid numbers another). */
static void remove_if_ours(struct sv *s, const char *name, int pid)
{
	struct view v;

	view_load(s->ctx, s->dirfd, name, &v);
	if (v.res == STATE_OK && v.rec.id.pid == pid && !view_other_ns(&v))
		state_remove(s->ctx, s->dirfd, name);
}

/* ---- children ---- */

static void child_died(struct sv *s, struct child *c, long long now, int status);

/* Ours, plus what tells a child (and tether inside it) who supervises it. */
static int child_env(struct sv *s, struct child *c, struct env *e)
{
	if (env_init(e, environ) == 0 && env_set(e, SV_ENV_SOCK, s->o->sock) == 0 &&
	    env_set(e, STATE_ENV, s->ctx->state_dir) == 0 && env_set(e, SV_ENV_CHILD, c->cfg->name) == 0)
		return 0;
	msg_syserr(s->ctx, "environment for", c->cfg->name);
	return -1;
}

static int spawn_with_env(struct sv *s, struct child *c, struct ident *id)
{
	struct spawn_opts so = { .log = s->o->log, .detach = 0 };
	struct env e;
	int r = -1;

	if (child_env(s, c, &e) == 0) {
		so.env = e.vars;
		r = spawn(s->ctx, c->cfg->argv, &so, id);
	}
	env_free(&e);
	return r;
}

static void child_spawn(struct sv *s, struct child *c, long long now)
{
	struct ident id;

	c->kill_sent = 0;
	c->started_ms = now;
	c->state = SV_RUNNING;
	if (spawn_with_env(s, c, &id) < 0) {
		c->live = 0;
		child_died(s, c, now, -1);
		return;
	}
	c->id = id;
	c->live = 1;
	if (c->requested)
		marker_consume(s->ctx, s->dirfd, c->cfg->name, OWNER_TETHER);
	c->requested = 0;
	record_child(s, c);
	msg_trace(s->ctx, "%s: started, pid %d", c->cfg->name, id.pid);
}

/* Our own unreaped child: its pid cannot be reused, kill(2) is exact. */
static void stop_begin(struct sv *s, struct child *c, int sig, long long now)
{
	c->state = SV_STOPPING;
	c->kill_sent = 0;
	c->kill_at = now + s->o->grace_ms;
	kill(c->id.pid, sig);
	if (sig != SIGCONT)
		kill(c->id.pid, SIGCONT);  /* a stopped child cannot act on TERM */
}

static void child_died(struct sv *s, struct child *c, long long now, int status)
{
	char how[HOW_MAX];
	long long ran = now - c->started_ms;
	int delay;

	describe(status, how, sizeof how);
	if (c->state == SV_STOPPING && c->then == THEN_RESPAWN && !s->stopping_sig) {
		msg_error(s->ctx, "%s: pid %d %s; restarting it", c->cfg->name, c->id.pid, how);
		c->restarts++;
		child_spawn(s, c, now);
		return;
	}
	if (c->state == SV_STOPPING || s->stopping_sig) {
		msg_trace(s->ctx, "%s: pid %d %s", c->cfg->name, c->id.pid, how);
		c->state = SV_DOWN;
		return;
	}
	delay = sv_backoff(&s->o->policy, &c->deaths, now, ran);
	if (delay < 0) {
		msg_error(s->ctx, "%s: %s; %d deaths within %d s: giving up, marked failed", c->cfg->name, how,
			  s->o->policy.give_up, s->o->policy.window_ms / MS_PER_S);
		c->state = SV_FAILED;
		record_child(s, c);
		return;
	}
	msg_error(s->ctx, "%s: %s after %lld ms; respawn in %d ms", c->cfg->name, how, ran, delay);
	c->state = SV_BACKOFF;
	c->respawn_at = now + delay;
}

/* The child a control request names, or NULL with err saying why not. */
static struct child *request_child(struct sv *s, const char *name, char *err, size_t cap)
{
	struct child *c = by_name(s, name);

	if (!c)
		return fmt(err, cap, "no child %s", name), NULL;
	if (s->stopping_sig)
		return fmt(err, cap, "%s", CTL_ERR_SHUTDOWN), NULL;
	return c;
}

static int child_restart(struct sv *s, const char *name, char *err, size_t cap, long long now)
{
	struct child *c = request_child(s, name, err, cap);

	if (!c)
		return -1;
	c->requested = 1;
	memset(&c->deaths, 0, sizeof c->deaths);
	if (c->state == SV_RUNNING) {
		c->then = THEN_RESPAWN;
		stop_begin(s, c, SIGTERM, now);
	} else if (c->state == SV_STOPPING) {
		c->then = THEN_RESPAWN;
	} else {
		c->restarts++;
		child_spawn(s, c, now);
	}
	return 0;
}

static int child_stop(struct sv *s, const char *name, char *err, size_t cap, long long now)
{
	struct child *c = request_child(s, name, err, cap);

	if (!c)
		return -1;
	if (c->state == SV_RUNNING) {
		c->then = THEN_DOWN;
		stop_begin(s, c, SIGTERM, now);
	} else if (c->state == SV_STOPPING) {
		c->then = THEN_DOWN;
	} else {
		c->state = SV_DOWN;
	}
	return 0;
}

/* ---- shutdown, in reverse config order, one child at a time ---- */

static void shutdown_begin(struct sv *s, int sig)
{
	if (s->stopping_sig)
		return;
	msg_error(s->ctx, "signal %d: stopping %d children in reverse order", sig, s->n);
	s->stopping_sig = sig;
	s->next_down = s->n - 1;
}

static void shutdown_step(struct sv *s, long long now)
{
	while (s->next_down >= 0) {
		struct child *c = &s->child[s->next_down];
		if (c->live && c->state != SV_STOPPING) {
			c->then = THEN_DOWN;
			stop_begin(s, c, s->stopping_sig, now);
		}
		if (c->live)
			return;
		c->state = SV_DOWN;
		s->next_down--;
	}
}

static void finish(struct sv *s)
{
	for (int i = 0; i < s->n; i++)
		remove_if_ours(s, s->child[i].cfg->name, s->child[i].id.pid);
	remove_if_ours(s, s->o->name, s->self.pid);
	ctl_close(&s->srv, 1);
	msg_trace(s->ctx, "stopped");
}

/* ---- requests: control socket and SIGUSR1 ---- */

static void fill_list(struct sv *s, struct ctl_reply *rp)
{
	for (int i = 0; i < s->n; i++) {
		const struct child *c = &s->child[i];
		struct ctl_child *l = &s->list[i];
		fmt(l->name, sizeof l->name, "%s", c->cfg->name);
		l->pid = c->live ? c->id.pid : 0;
		l->start = c->live ? c->id.start : 0;
		fmt(l->state, sizeof l->state, "%s", state_names[c->state]);
		l->restarts = c->restarts;
	}
	rp->list = 1;
	rp->children = s->list;
	rp->nchildren = s->n;
}

static void on_request(void *arg, const struct ctl_request *rq, const struct ctl_peer *peer, struct ctl_reply *rp)
{
	struct sv *s = arg;
	long long now = now_ms();
	int r = 0;

	if (rq->op == CTL_RESTART || rq->op == CTL_STOP)
		msg_error(s->ctx, "%s %s asked by pid %d (uid %d)", ctl_op_name(rq->op), rq->name[0] ? rq->name : "(all)",
			  (int)peer->pid, (int)peer->uid);
	switch (rq->op) {
	case CTL_LIST:
		fill_list(s, rp);
		break;
	case CTL_RESTART:
		if (!rq->name[0])
			r = -1, fmt(rp->err, sizeof rp->err, "restart needs a child name");
		else
			r = child_restart(s, rq->name, rp->err, sizeof rp->err, now);
		break;
	case CTL_STOP:
		if (rq->name[0])
			r = child_stop(s, rq->name, rp->err, sizeof rp->err, now);
		else
			shutdown_begin(s, SIGTERM);
		break;
	default:
		break;
	}
	if (r < 0) {
		rp->ok = 0;
		msg_error(s->ctx, "%s %s: %s: nothing done", ctl_op_name(rq->op), rq->name, rp->err);
	} else if (rq->op == CTL_STATUS && s->stopping_sig) {
		rp->ok = 0;
		fmt(rp->err, sizeof rp->err, "%s", CTL_ERR_SHUTDOWN);
	}
}

/* SIGUSR1: restart each child named in STATE_DIR/NAME.restart, one per
 * line, then remove the file. */
static void requests_from_file(struct sv *s, long long now)
{
	uint8_t buf[RECORD_MAX + 1];
	char file[LOCKNAME_MAX], name[NAME_MAX_LEN + 1], err[CTL_ERR_MAX];
	size_t len = 0;
	enum state_result res;

	fmt(file, sizeof file, "%s" SV_REQUEST_SUFFIX, s->o->name);
	res = state_read_file(s->ctx, s->dirfd, file, buf, &len);
	if (res == STATE_ABSENT) {
		msg_error(s->ctx, "SIGUSR1 but no %s/%s: nothing to restart", s->ctx->state_dir, file);
		return;
	}
	unlinkat(s->dirfd, file, 0);
	if (res != STATE_OK)
		return;
	buf[len] = '\n';
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (buf[e] != '\n')
			e++;
		while (i < e && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		size_t n = e;
		while (n > i && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r'))
			n--;
		if (n > i && buf[i] != '#') {
			fmt(name, sizeof name, "%.*s", (int)(n - i), (const char *)buf + i);
			msg_error(s->ctx, "restart %s asked by %s", name, file);
			if (n - i > NAME_MAX_LEN || child_restart(s, name, err, sizeof err, now) < 0)
				msg_error(s->ctx, "restart %s: %s: nothing done", name, n - i > NAME_MAX_LEN ? "name too long" : err);
		}
		i = e + 1;
	}
}

static void read_signals(struct sv *s, long long now)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			shutdown_begin(s, (int)si.ssi_signo);
			break;
		case SIGHUP:
			for (int i = 0; i < s->n; i++)
				if (s->child[i].live)
					kill(s->child[i].id.pid, SIGHUP);
			break;
		case SIGUSR1:
			requests_from_file(s, now);
			break;
		default:
			break;  /* SIGCHLD: reap() runs after every wakeup */
		}
	}
}

/* Every zombie, ours or an orphan handed to us as PID 1 (or subreaper). */
static void reap(struct sv *s, long long now)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct child *c = by_pid(s, (int)pid);
		if (!c) {
			msg_trace(s->ctx, "reaped pid %d (not a child of ours: an orphan)", (int)pid);
			continue;
		}
		c->live = 0;
		child_died(s, c, now, status);
	}
}

static void timers(struct sv *s, long long now)
{
	for (int i = 0; i < s->n; i++) {
		struct child *c = &s->child[i];
		if (c->state == SV_STOPPING && c->live && !c->kill_sent && now >= c->kill_at) {
			msg_error(s->ctx, "%s: pid %d still running %d ms after the signal: KILL", c->cfg->name, c->id.pid,
				  s->o->grace_ms);
			kill(c->id.pid, SIGKILL);
			c->kill_sent = 1;
		}
		if (c->state == SV_BACKOFF && now >= c->respawn_at) {
			if (s->stopping_sig) {
				c->state = SV_DOWN;
				continue;
			}
			c->restarts++;
			child_spawn(s, c, now);
		}
	}
	if (s->stopping_sig)
		shutdown_step(s, now);
}

static int next_timeout(const struct sv *s, long long now)
{
	long long best = ctl_next_deadline(&s->srv, now);

	for (int i = 0; i < s->n; i++) {
		const struct child *c = &s->child[i];
		long long at = c->state == SV_STOPPING && c->live && !c->kill_sent ? c->kill_at
			     : c->state == SV_BACKOFF ? c->respawn_at : -1;
		if (at < 0)
			continue;
		at = at > now ? at - now : 0;
		if (best < 0 || at < best)
			best = at;
	}
	return best > INT_MAX ? INT_MAX : (int)best;
}

static void loop(struct sv *s)
{
	struct pollfd pfd[1 + 1 + CTL_CONNS_MAX];

	for (;;) {
		long long now = now_ms();
		timers(s, now);
		if (s->stopping_sig && s->next_down < 0)
			return;
		int n = 1 + ctl_pollfds(&s->srv, pfd + 1);
		pfd[0] = (struct pollfd){ s->sigfd, POLLIN, 0 };
		if (poll(pfd, (nfds_t)n, next_timeout(s, now)) < 0 && errno != EINTR) {
			msg_syserr(s->ctx, "poll", NULL);
			sleep_ms(POLL_ERROR_SLEEP_MS);
		}
		now = now_ms();
		if (pfd[0].revents)
			read_signals(s, now);
		reap(s, now);
		ctl_service(&s->srv, pfd + 1, n - 1, now);
	}
}

/* ---- start ---- */

/* Children a previous owner of this socket left (it was killed): stop
 * them by identity; drop records of children no longer configured. */
static int sweep_one(const char *name, void *arg)
{
	struct sv *s = arg;
	struct view v;

	if (!strcmp(name, s->o->name))
		return 0;
	view_load(s->ctx, s->dirfd, name, &v);
	if (v.res != STATE_OK || v.rec.owner.type != OWNER_TETHER || strcmp(v.rec.owner.dir, s->o->sock) ||
	    view_other_ns(&v))
		return 0;
	if (view_running(&v)) {
		msg_warn(s->ctx, "%s: pid %d was left by the previous owner of %s: stopping it", name, v.rec.id.pid,
			 s->o->sock);
		life_stop_ident(s->ctx, &v.rec, SIGTERM, s->o->grace_ms);
	}
	int configured = 0;
	for (int i = 0; i < s->cfg->count; i++)
		configured |= !strcmp(s->cfg->child[i].name, name);
	if (!configured)
		state_remove(s->ctx, s->dirfd, name);
	return 0;
}

static int conflicts(struct sv *s)
{
	for (int i = 0; i < s->cfg->count; i++) {
		struct view v;
		view_load(s->ctx, s->dirfd, s->cfg->child[i].name, &v);
		if (v.res == STATE_INSECURE)
			return EX_INSECURE;
		if (view_other_ns(&v))
			return life_refuse_other_ns(s->ctx, &v.rec, "not starting");
		if (view_running(&v)) {
			msg_error(s->ctx, "child %s is already running as pid %d (owner %s): not starting",
				  s->cfg->child[i].name, v.rec.id.pid, owner_type_name(v.rec.owner.type));
			return EX_RUNNING;
		}
		if (v.res == STATE_CORRUPT)
			state_quarantine(s->ctx, s->dirfd, s->cfg->child[i].name);
	}
	return 0;
}

static int serve(struct sv *s)
{
	struct ctl_reply self = { .v = CTL_VERSION, .ok = 1 };

	if (ident_of(s->ctx, 0, &s->self) < 0)
		s->self.pid = (int)getpid();
	self.pid = s->self.pid;
	self.start = s->self.start;
	fmt(self.name, sizeof self.name, "%s", s->o->name);
	fmt(self.sock, sizeof self.sock, "%s", s->o->sock);
	fmt(self.cfg, sizeof self.cfg, "%s", s->hash);
	if (ctl_listen(s->ctx, &s->srv, s->o->sock, &self, on_request, s) < 0)
		return EX_FAIL;
	if (record_self(s) < 0) {
		ctl_close(&s->srv, 1);
		return EX_FAIL;
	}
	return 0;
}

static int start(struct sv *s)
{
	struct guard_want w = { s->o->name, s->o->sock, s->hash, s->o->probe_ms, s->o->grace_ms };
	struct guard g;
	enum guard_result r = guard_take(s->ctx, s->dirfd, &w, &g);
	long long now;
	int code;

	if (r == GUARD_RUNNING || r == GUARD_RECONCILED) {
		msg_error(s->ctx, "%s is already running (pid %d)", s->o->name, g.owner_pid);
		say(1, "%d\n", g.owner_pid);
	}
	if (r != GUARD_BIND)
		return guard_exit_code(r);
	state_each(s->ctx, s->dirfd, sweep_one, s);
	code = conflicts(s);
	if (!code)
		code = serve(s);
	if (code) {
		guard_release(&g);
		return code;
	}
	now = now_ms();
	for (int i = 0; i < s->n; i++)
		child_spawn(s, &s->child[i], now);
	guard_release(&g);
	msg_trace(s->ctx, "%s: %d children, socket %s, config %s", s->o->name, s->n, s->o->sock, s->hash);
	return 0;
}

static int signals_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof handled_signals / sizeof *handled_signals; i++)
		sigaddset(&set, handled_signals[i]);
	signal(SIGPIPE, SIG_IGN);
	/* Blocked signals reach even PID 1, which drops default-action ones. */
	sigprocmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int supervise_run(struct tether_ctx *ctx, const struct sv_opts *o, const struct sv_config *c)
{
	struct sv *s = mem_alloc(sizeof *s);
	sigset_t old;
	int code;

	if (!s) {
		msg_syserr(ctx, "mmap", NULL);
		return EX_FAIL;
	}
	s->ctx = ctx;
	s->o = o;
	s->cfg = c;
	s->n = c->count;
	s->srv.fd = -1;
	for (int i = 0; i < s->n; i++)
		s->child[i].cfg = &c->child[i];
	sv_config_hash(c, s->hash);
	s->dirfd = state_dir_open(ctx, 1);
	if (s->dirfd < 0) {
		code = s->dirfd == -2 ? EX_INSECURE : EX_FAIL;
		mem_free(s);
		return code;
	}
	s->sigfd = signals_block(&old);
	if (s->sigfd < 0) {
		msg_syserr(ctx, "signalfd", NULL);
		code = EX_FAIL;
	} else {
		code = start(s);
		if (!code) {
			loop(s);
			finish(s);
		}
		close(s->sigfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(s->dirfd);
	mem_free(s);
	return code;
}
