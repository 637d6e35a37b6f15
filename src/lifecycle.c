#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "fmt.h"
#include "lifecycle.h"
#include "msg.h"
#include "opt.h"
#include "procfs.h"
#include "sys.h"

/* path into out (PATH_MAX), made absolute from here (NULL: unknown, as
 * given): a restart from another directory must find the same one. */
static int absolute(struct tether_ctx *ctx, char *out, const char *here, const char *path)
{
	size_t n = here && path[0] != '/' ? fmt(out, PATH_MAX, "%s/%s", here, path)
					  : fmt(out, PATH_MAX, "%s", path);

	if (n < PATH_MAX)
		return 0;
	msg_error(ctx, "%s: path too long", path);
	return -1;
}

int life_spawn_record(struct tether_ctx *ctx, int dirfd, const char *name, char *const cmd[], int cmdc,
		      const struct spawn_opts *so, const char *sock, unsigned long long restarts)
{
	struct record r;
	char here[PATH_MAX];
	const char *cwd = sys_getcwd(here, sizeof here);

	record_init(&r, name);
	if (record_set_argv(&r, cmdc, cmd) < 0) {
		msg_error(ctx, "argv too long to record (max %d args, %d bytes)", ARGV_MAX, ARGV_BYTES);
		return EX_FAIL;
	}
	/* A relative --log is the caller's, not --cwd's: both are made
	 * absolute from here before spawn changes directory. */
	if (absolute(ctx, r.cwd, cwd, so->cwd ? so->cwd : cwd ? cwd : "") < 0 ||
	    absolute(ctx, r.log, cwd, so->log ? so->log : "") < 0)
		return EX_FAIL;
	if (!so->log)
		r.log[0] = 0;
	struct spawn_opts o = *so;
	o.cwd = so->cwd ? r.cwd : NULL;
	o.log = so->log ? r.log : NULL;
	o.exe_out = r.exe;
	o.exe_cap = sizeof r.exe;
	if (spawn(ctx, cmd, &o, &r.id) < 0)
		return EX_FAIL;
	if (!r.id.start && procfs_available(ctx))
		msg_warn(ctx, "%s: could not read the start time of pid %d", name, r.id.pid);
	r.owner.type = OWNER_NONE;
	r.since = (long long)time(NULL);
	r.restarts = restarts;
	fmt(r.sock, sizeof r.sock, "%s", sock ? sock : "");
	if (state_save(ctx, dirfd, &r) < 0) {
		msg_error(ctx, "%s started as pid %d but could not be recorded", name, r.id.pid);
		return EX_FAIL;
	}
	msg_trace(ctx, "%s started: pid %d start %llu", name, r.id.pid, r.id.start);
	return EX_DONE;
}

int life_managed(const struct record *r)
{
	return r->owner.type != OWNER_NONE && r->owner.type != OWNER_UNKNOWN;
}

int life_refuse_managed(struct tether_ctx *ctx, const struct record *r)
{
	const struct owner *o = &r->owner;
	const char *where = o->unit[0] ? o->unit : o->dir[0] ? o->dir : o->service;

	msg_error(ctx, "%s is managed by %s%s%s%s: not spawned beside it; start it through its owner: tether restart -n %s"
		  " (if that owner is gone for good, remove %s/%s.cbor)",
		  r->name, owner_type_name(o->type), where[0] ? " (" : "", where, where[0] ? ")" : "", r->name,
		  ctx->state_dir, r->name);
	return EX_MANAGED;
}

void life_other_ns_why(const struct tether_ctx *ctx, const struct record *r, const char *not_done, char *buf,
		       size_t cap)
{
	fmt(buf, cap, "recorded in another pid namespace (pid:[%llu], here pid:[%llu]): "
	    "its pid %d cannot be verified from here: %s", r->id.pidns_ino, ctx->pidns_ino, r->id.pid, not_done);
}

int life_refuse_other_ns(struct tether_ctx *ctx, const struct record *r, const char *not_done)
{
	char why[256];

	life_other_ns_why(ctx, r, not_done, why, sizeof why);
	msg_error(ctx, "%s: %s; manage it from its own namespace", r->name, why);
	return EX_UNKNOWN;
}

int life_stop_ident(struct tether_ctx *ctx, const struct record *r, int sig, int grace_ms)
{
	enum ident_verdict v = ident_stop(ctx, &r->id, sig, grace_ms);

	if (v == IDENT_OTHER_NS)
		return life_refuse_other_ns(ctx, r, "not signalled");
	if (v == IDENT_REUSED) {
		msg_error(ctx, "%s: pid %d now belongs to another process: not signalled", r->name, r->id.pid);
		return EX_REUSED;
	}
	if (v == IDENT_ALIVE && ident_wait_gone(ctx, &r->id, 0) < 0) {
		msg_error(ctx, "%s: pid %d survived SIGKILL", r->name, r->id.pid);
		return EX_TIMEOUT;
	}
	/* Without /proc a zombie still answers kill(pid, 0): KILL was sent,
	 * and that is all that can be known. */
	if (v == IDENT_UNVERIFIED && ident_wait_gone(ctx, &r->id, 0) < 0)
		msg_warn(ctx, "%s: pid %d was sent KILL; without /proc its exit cannot be verified", r->name, r->id.pid);
	if (v == IDENT_UNKNOWN) {
		msg_error(ctx, "%s: cannot read %s/%d/stat: not signalled", r->name, ctx->proc_root, r->id.pid);
		return EX_FAIL;
	}
	return EX_DONE;
}

static const struct { const char *name; int sig; } signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "PWR", SIGPWR }, { "WINCH", SIGWINCH },
};

int signal_parse(const char *s)
{
	long long n;

	if (opt_num(s, 1, NSIG - 1, &n) == 0)
		return (int)n;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
		if (!strcmp(s, signals[i].name))
			return signals[i].sig;
	return -1;
}

void lock_file_name(char *buf, const char *name, const char *suffix)
{
	fmt(buf, NAME_MAX_LEN + 16, "%s%s", name, suffix);
}
