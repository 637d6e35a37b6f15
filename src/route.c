#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "exitcodes.h"
#include "fmt.h"
#include "lifecycle.h"
#include "lock.h"
#include "marker.h"
#include "mem.h"
#include "msg.h"
#include "procfs.h"
#include "route.h"
#include "run.h"
#include "sup.h"
#include "sys.h"

#define POLL_MS 20
#define DIED_GRACE_MS 2000
#define ANCESTRY_MAX 64
#define TARGETS_FIRST 4

static void resolve_owner(struct tether_ctx *ctx, struct target *t)
{
	const struct record *r = &t->view.rec;

	t->owner = r->owner;
	if (t->owner.type != OWNER_UNKNOWN)
		return;
	owner_clear(&t->owner);
	t->owner.type = OWNER_NONE;
	if (!procfs_available(ctx)) {
		msg_warn(ctx, "%s: no /proc at %s and no owner recorded: taking the unsupervised path",
			 r->name, ctx->proc_root);
		return;
	}
	if (t->view.verdict == IDENT_ALIVE && sup_detect(ctx, r->id.pid, &t->owner) < 0)
		t->owner.type = OWNER_NONE;
	msg_trace(ctx, "%s: no owner recorded, resolved live: %s", r->name, owner_type_name(t->owner.type));
}

static int plan_one(struct tether_ctx *ctx, int dirfd, const char *name, struct target *t)
{
	memset(t, 0, sizeof *t);
	view_load(ctx, dirfd, name, &t->view);
	if (t->view.res == STATE_ABSENT) {
		msg_error(ctx, "%s: no record (start it with tether exec or tether start)", name);
		return EX_FAIL;
	}
	if (t->view.res != STATE_OK)
		return state_exit_code(t->view.res, EX_FAIL);
	if (view_other_ns(&t->view))
		return life_refuse_other_ns(ctx, &t->view.rec, "not restarted");
	resolve_owner(ctx, t);
	return 0;
}

/* Plan NAME as the next target; it restarts with the first earlier
 * target that has the same owner. 0, or an exit code. */
static int plan_next(struct tether_ctx *ctx, int dirfd, const char *name, struct route_plan *p, int *cap)
{
	struct target *t;

	if (p->count == *cap) {
		int more = *cap ? 2 * *cap : TARGETS_FIRST;
		void *grown = mem_realloc(p->t, (size_t)more * sizeof *p->t);
		if (!grown) {
			msg_syserr(ctx, "mmap", NULL);
			return EX_FAIL;
		}
		p->t = grown;
		*cap = more;
		/* mremap may have moved them: argv points into each record. */
		for (int j = 0; j < p->count; j++)
			record_rebase(&p->t[j].view.rec);
	}
	t = &p->t[p->count++];
	int code = plan_one(ctx, dirfd, name, t);
	t->leader = p->count - 1;
	for (int j = 0; j < p->count - 1; j++)
		if (p->t[j].owner.type != OWNER_NONE && owner_same(&p->t[j].owner, &t->owner)) {
			t->leader = j;
			break;
		}
	return code;
}

struct plan_all {
	struct tether_ctx *ctx;
	int dirfd;
	struct route_plan *p;
	int cap;
	int code;
};

static int plan_each(const char *name, void *arg)
{
	struct plan_all *a = arg;

	a->code = plan_next(a->ctx, a->dirfd, name, a->p, &a->cap);
	return a->code ? -1 : 0;
}

/* restart -n a -n a: a restart's second round would find the first's
 * new process and take it for another caller's. */
static int named_before(char *const names[], int i)
{
	for (int j = 0; j < i; j++)
		if (!strcmp(names[j], names[i]))
			return 1;
	return 0;
}

int route_plan(struct tether_ctx *ctx, int dirfd, char *const names[], int count, struct route_plan *p)
{
	struct plan_all all = { ctx, dirfd, p, 0, 0 };

	p->count = 0;
	p->t = NULL;
	if (!count)
		return state_each(ctx, dirfd, plan_each, &all) < 0 && !all.code ? EX_FAIL : all.code;
	for (int i = 0; !all.code && i < count; i++)
		if (!named_before(names, i))
			all.code = plan_next(ctx, dirfd, names[i], p, &all.cap);
	return all.code;
}

void route_free(struct route_plan *p)
{
	mem_free(p->t);
	p->t = NULL;
	p->count = 0;
}

void route_print(const struct route_plan *p)
{
	for (int i = 0; i < p->count; i++) {
		const struct target *t = &p->t[i];
		struct out o;
		out_init(&o, 1);
		out_fmt(&o, "%s %s pid=%d via ", t->view.rec.name, view_state(&t->view), t->view.rec.id.pid);
		sup_put(&o, &t->owner, 0);
		if (t->leader != i)
			out_fmt(&o, "  (restarted together with %s)\n", p->t[t->leader].view.rec.name);
		out_flush(&o);
	}
}

/* Is this process (or an ancestor) the daemon, or inside its unit? */
static int caller_inside(struct tether_ctx *ctx, const struct target *t)
{
	struct proc_stat st;
	int pid = (int)getppid();

	if (!procfs_available(ctx))
		return 0;
	for (int depth = 0; pid > 1 && depth < ANCESTRY_MAX; depth++) {
		if (pid == t->view.rec.id.pid && t->view.verdict == IDENT_ALIVE)
			return 1;
		if (procfs_stat(ctx, pid, &st) < 0)
			break;
		pid = st.ppid;
	}
	if (t->owner.type == OWNER_SYSTEMD) {
		struct owner self;
		return sup_detect(ctx, 0, &self) == 0 && owner_same(&self, &t->owner);
	}
	return 0;
}

static void write_markers(struct tether_ctx *ctx, int dirfd, const struct route_plan *p, int leader)
{
	for (int i = 0; i < p->count; i++)
		if (p->t[i].leader == leader && marker_write(ctx, dirfd, p->t[i].view.rec.name, p->t[i].owner.type,
							     CONFIG_MARKER_TTL) < 0)
			msg_warn(ctx, "%s: could not write the restart marker", p->t[i].view.rec.name);
}

/* A restart that was not accepted must not leave markers behind: the
 * daemon would take its next real stop for a restart. */
static void drop_markers(struct tether_ctx *ctx, int dirfd, const struct route_plan *p, int leader)
{
	for (int i = 0; i < p->count; i++)
		if (leader < 0 || p->t[i].leader == leader)
			marker_consume(ctx, dirfd, p->t[i].view.rec.name, OWNER_UNKNOWN);
}

#define HANDOFF_ARGS 16

static int handoff(struct tether_ctx *ctx, int dirfd, struct route_plan *p, const struct route_opts *o)
{
	char exe[PATH_MAX], after[48], secs[16], unit[64];
	char *argv[HANDOFF_ARGS + 2 * 64 + 1];
	struct ident self, helper;
	struct spawn_opts so = { .cwd = "/", .detach = 1 };
	int n = 0, systemd = -1;

	if (procfs_readlink(ctx, (int)getpid(), "exe", exe, sizeof exe) < 0 || ident_of(ctx, 0, &self) < 0) {
		msg_syserr(ctx, "cannot find own executable under", ctx->proc_root);
		return EX_FAIL;
	}
	if (p->count > 64) {
		msg_error(ctx, "at most 64 daemons per self-restart");
		return EX_USAGE;
	}
	fmt(after, sizeof after, "%d:%llu", self.pid, self.start);
	fmt(secs, sizeof secs, "%d", o->timeout_ms / MS_PER_S);
	fmt(unit, sizeof unit, "--unit=tether-restart-%d", self.pid);
	for (int i = 0; i < p->count; i++)
		if (p->t[i].owner.type == OWNER_SYSTEMD)
			systemd = i;
	if (systemd >= 0) {
		argv[n++] = "systemd-run";
		argv[n++] = unit;
		argv[n++] = "--collect";
		argv[n++] = "--quiet";
		argv[n++] = "--";
	}
	argv[n++] = exe;
	argv[n++] = "--state-dir";
	argv[n++] = (char *)ctx->state_dir;
	argv[n++] = "restart";
	argv[n++] = "--after";
	argv[n++] = after;
	argv[n++] = "--timeout";
	argv[n++] = secs;
	for (int i = 0; i < p->count; i++) {
		argv[n++] = "-n";
		argv[n++] = p->t[i].view.rec.name;
	}
	argv[n] = NULL;
	for (int i = 0; i < p->count; i++)
		if (p->t[i].leader == i)
			write_markers(ctx, dirfd, p, i);
	if (systemd >= 0) {
		int code = sup_tool(ctx, argv);
		if (code != EX_DONE) {
			drop_markers(ctx, dirfd, p, -1);
			return code;
		}
		say(1, "restart scheduled: handed off to transient unit %s\n", unit + sizeof "--unit=" - 1);
		return EX_SCHEDULED;
	}
	if (spawn(ctx, argv, &so, &helper) < 0) {
		drop_markers(ctx, dirfd, p, -1);
		return EX_FAIL;
	}
	say(1, "restart scheduled: handed off to helper pid %d\n", helper.pid);
	return EX_SCHEDULED;
}

int route_wait_new(struct tether_ctx *ctx, int dirfd, const char *name, const struct ident *old, int timeout_ms,
		   struct ident *now)
{
	long long end = now_ms() + timeout_ms, died = 0;
	int nap = 1;
	struct view v;

	for (;;) {
		view_load(ctx, dirfd, name, &v);
		int changed = v.res == STATE_OK && (v.rec.id.pid != old->pid || v.rec.id.start != old->start);
		if (changed && view_running(&v)) {
			*now = v.rec.id;
			return 0;
		}
		/* A new process came and went: give its owner a moment to
		 * bring another one, no more than that. */
		if (changed && !died)
			died = now_ms();
		if (died && now_ms() - died >= DIED_GRACE_MS) {
			errno = ECHILD;
			return -1;
		}
		if (now_ms() >= end) {
			errno = ETIMEDOUT;
			return -1;
		}
		sleep_backoff(&nap, POLL_MS, end);
	}
}

/* The record read again under the lock: -1 if it still names the process
 * this restart set out to replace, or a dead one; else the outcome. A new
 * live identity means another caller restarted it meanwhile: done. */
static int restart_raced(struct tether_ctx *ctx, struct target *t, const struct view *now)
{
	const struct ident *was = &t->view.rec.id, *is = &now->rec.id;

	if (now->res == STATE_ABSENT)
		msg_error(ctx, "%s: its record was removed while the restart waited for its lock", t->view.rec.name);
	if (now->res != STATE_OK)
		return state_exit_code(now->res, EX_FAIL);
	if ((is->pid == was->pid && is->start == was->start) || !view_running(now))
		return -1;
	t->raced = 1;
	return EX_DONE;
}

/* Stop now's process by identity, spawn from its record. */
static int respawn(struct tether_ctx *ctx, int dirfd, const struct view *now)
{
	const struct record *r = &now->rec;
	struct spawn_opts so = { .cwd = r->cwd[0] ? r->cwd : NULL, .log = r->log[0] ? r->log : NULL, .detach = 1 };
	int code = EX_DONE;

	if (!r->argc) {
		msg_error(ctx, "%s: the record holds no command: cannot respawn", r->name);
		return EX_FAIL;
	}
	if (life_managed(r))
		return life_refuse_managed(ctx, r);
	if (view_other_ns(now))
		return life_refuse_other_ns(ctx, r, "not restarted");
	if (now->verdict == IDENT_ALIVE || now->verdict == IDENT_UNVERIFIED)
		code = life_stop_ident(ctx, r, SIGTERM, CONFIG_STOP_TIMEOUT * MS_PER_S);
	if (code == EX_DONE || code == EX_REUSED)
		code = life_spawn_record(ctx, dirfd, r->name, r->argv, r->argc, &so, r->sock, r->restarts + 1);
	return code;
}

/* The unsupervised route, under NAME.lock and from the record as it is
 * then, not as it was planned: a restart that waited for the lock while
 * another restarted the daemon must not spawn a second copy. */
static int restart_none(struct tether_ctx *ctx, int dirfd, struct target *t)
{
	struct view now;
	char lockname[NAME_MAX_LEN + 16];
	int code, lfd;

	lock_file_name(lockname, t->view.rec.name, ".lock");
	lfd = lock_take(ctx, dirfd, lockname, LOCK_EX);
	if (lfd < 0)
		return EX_FAIL;
	view_load(ctx, dirfd, t->view.rec.name, &now);
	code = restart_raced(ctx, t, &now);
	if (code < 0) {
		/* The marker only now, under the lock a stop takes to remove
		 * one: a stop under way cannot see a restart's marker appear. */
		if (marker_write(ctx, dirfd, t->view.rec.name, OWNER_NONE, CONFIG_MARKER_TTL) < 0)
			msg_warn(ctx, "%s: could not write the restart marker", t->view.rec.name);
		else
			t->marked = 1;
		code = respawn(ctx, dirfd, &now);
		marker_consume(ctx, dirfd, t->view.rec.name, OWNER_UNKNOWN);
		t->marked = 0;
	}
	lock_release(lfd);
	return code;
}

static int restart_group(struct tether_ctx *ctx, int dirfd, struct route_plan *p, int leader)
{
	struct target *t = &p->t[leader];

	msg_trace(ctx, "%s: restarting via %s", t->view.rec.name, owner_type_name(t->owner.type));
	if (t->owner.type == OWNER_NONE)
		return restart_none(ctx, dirfd, t);
	write_markers(ctx, dirfd, p, leader);
	int code = sup_restart(ctx, &t->owner);
	if (code != EX_DONE)
		drop_markers(ctx, dirfd, p, leader);
	return code;
}

static void report(const struct target *t, const struct route_opts *o)
{
	const char *via = owner_type_name(t->owner.type);

	if (t->code != EX_DONE)
		return;
	if (!o->wait && t->owner.type != OWNER_NONE)
		say(1, "%s restart requested via %s (pid was %d)\n", t->view.rec.name, via, t->view.rec.id.pid);
	else if (t->raced)
		say(1, "%s was restarted meanwhile by another caller: pid %d -> %d\n", t->view.rec.name,
		    t->view.rec.id.pid, t->new_pid);
	else
		say(1, "%s restarted via %s: pid %d -> %d\n", t->view.rec.name, via, t->view.rec.id.pid, t->new_pid);
}

static void wait_member(struct tether_ctx *ctx, int dirfd, struct target *t, const struct route_opts *o)
{
	struct ident now;

	if (t->code != EX_DONE || (!o->wait && t->owner.type != OWNER_NONE))
		return;
	if (route_wait_new(ctx, dirfd, t->view.rec.name, &t->view.rec.id, o->timeout_ms, &now) < 0) {
		if (errno == ECHILD)
			msg_error(ctx, "%s: restarted via %s, but the new process exited at once", t->view.rec.name,
				  owner_type_name(t->owner.type));
		else
			msg_error(ctx, "%s: no new identity within %d s after the restart via %s", t->view.rec.name,
				  o->timeout_ms / MS_PER_S, owner_type_name(t->owner.type));
		t->code = errno == ECHILD ? EX_FAIL : EX_TIMEOUT;
		return;
	}
	t->new_pid = now.pid;
	t->new_start = now.start;
}

static void wait_caller(struct tether_ctx *ctx, const struct route_opts *o)
{
	struct ident caller = { .pid = o->after_pid, .start = o->after_start };

	if (ident_wait_gone(ctx, &caller, CONFIG_HANDOFF_TIMEOUT * MS_PER_S) < 0)
		msg_warn(ctx, "caller pid %d still running after %d s: restarting anyway", caller.pid,
			 CONFIG_HANDOFF_TIMEOUT);
	sleep_ms(CONFIG_HANDOFF_SETTLE_MS);
}

int route_restart(struct tether_ctx *ctx, int dirfd, struct route_plan *p, const struct route_opts *o)
{
	int code = EX_DONE;

	if (o->dry_run) {
		route_print(p);
		return EX_DONE;
	}
	if (o->after_pid) {
		wait_caller(ctx, o);
	} else {
		for (int i = 0; i < p->count; i++)
			if (caller_inside(ctx, &p->t[i]))
				return handoff(ctx, dirfd, p, o);
	}
	for (int i = 0; i < p->count; i++)
		if (p->t[i].leader == i)
			p->t[i].code = restart_group(ctx, dirfd, p, i);
	for (int i = 0; i < p->count; i++) {
		struct target *t = &p->t[i];
		if (t->leader != i)
			t->code = p->t[t->leader].code;
		wait_member(ctx, dirfd, t, o);
		if (!o->quiet)
			report(t, o);
		if (t->code != EX_DONE && code == EX_DONE)
			code = t->code;
	}
	return code;
}
