#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmds.h"
#include "elfcheck.h"
#include "env.h"
#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "opt.h"
#include "procfs.h"
#include "route.h"
#include "run.h"
#include "swap.h"
#include "sys.h"

#define NAMES_MAX 64
#define HEALTH_TIMEOUT_S 10
#define STR(x) #x
#define XSTR(x) STR(x)

const char cmd_update_usage[] =
	"usage: tether update (-n NAME)... --binary NEW [--target PATH] [options]\n"
	"       tether update --binary NEW --target PATH [options]\n"
	HELP("Install NEW over the daemons' binary atomically (the old one is kept as\n"
	     "PATH.tether-old), restart each daemon through its owner, verify it, and\n"
	     "roll back (binary and restart) if any daemon fails. Without -n, every\n"
	     "record whose process runs PATH is updated.\n"
	     "  -n, --name NAME          a daemon (repeatable)\n"
	     "  -b, --binary NEW         the new binary (an ELF for this machine)\n"
	     "      --target PATH        the binary to replace (default: the daemons' exe)\n"
	     "      --settle SECONDS     each daemon must stay up this long (default " XSTR(CONFIG_SETTLE_TIME) ")\n"
	     "      --health-cmd CMD     must exit 0 (run by sh, with TETHER_NAME, TETHER_PID)\n"
	     "      --health-timeout S   bound on the health command (default " XSTR(HEALTH_TIMEOUT_S) ")\n"
	     "  -t, --timeout SECONDS    wait for each new identity (default " XSTR(CONFIG_RESTART_TIMEOUT) ")\n"
	     "      --dry-run            print the plan, change nothing\n")
#if CONFIG_JSON
	HELP("      --json               one JSON object per daemon with its outcome\n")
#endif
	HELP("Exit: 0 updated, 1 refused or failed before any change, 150 scheduled\n"
	     "(self-update handed off, not verified), 153 rolled back, 154 rollback\n"
	     "failed too (both binaries left on disk).\n");

struct update_opts {
	char *names[NAMES_MAX];
	int count;
	char found[NAMES_MAX][NAME_MAX_LEN + 1];  /* names found by exe point here */
	const char *binary;
	const char *target;
	int settle_ms;
	const char *health;
	int health_ms;
	int json;
	struct route_opts route;
};

static int parse(struct tether_ctx *ctx, int argc, char **argv, struct update_opts *o)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "binary", OPT_VALUE, 'b' },
		{ "target", OPT_VALUE, 'T' },
		{ "settle", OPT_VALUE, 'S' },
		{ "health-cmd", OPT_VALUE, 'H' },
		{ "health-timeout", OPT_VALUE, 'K' },
		{ "timeout", OPT_VALUE, 't' },
		{ "dry-run", OPT_FLAG, 'D' },
		{ "json", OPT_FLAG, OPT_JSON },
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	long long v;
	int c;

	while ((c = opt_next(&st, argc, argv, "n:b:t:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_update_usage))
			continue;
		if (c == 'n' && o->count < NAMES_MAX && name_valid(st.arg))
			o->names[o->count++] = st.arg;
		else if (c == 'b')
			o->binary = st.arg;
		else if (c == 'T')
			o->target = st.arg;
		else if (c == 'H')
			o->health = st.arg;
		else if (c == 'D')
			o->route.dry_run = 1;
		else if (c == OPT_JSON && CONFIG_JSON)
			o->json = 1;
		else if ((c == 'S' || c == 'K' || c == 't') && opt_num(st.arg, 0, 86400, &v) == 0)
			*(c == 'S' ? &o->settle_ms : c == 'K' ? &o->health_ms : &o->route.timeout_ms) = (int)v * MS_PER_S;
		else
			return c < 0 ? opt_error(ctx, cmd_update_usage, &st, c)
				     : opt_bad_value(ctx, cmd_update_usage, &st);
	}
	if (st.ind < argc)
		return opt_usage(ctx, cmd_update_usage, "unexpected argument", argv[st.ind]);
	if (!o->binary)
		return opt_usage(ctx, cmd_update_usage, "--binary NEW is required", NULL);
	if (!o->count && !o->target)
		return opt_usage(ctx, cmd_update_usage, "give -n NAME or --target PATH", NULL);
	return 0;
}

struct by_exe {
	unsigned long long dev, ino;
	struct update_opts *o;
	struct tether_ctx *ctx;
	int dirfd;
};

/* Records whose process runs the target (its recorded exe identity). */
static int match_exe(const char *name, void *arg)
{
	struct by_exe *b = arg;
	struct view v;

	view_load(b->ctx, b->dirfd, name, &v);
	if (v.res == STATE_OK && v.rec.id.exe_ino == b->ino && v.rec.id.exe_dev == b->dev && view_running(&v) &&
	    b->o->count < NAMES_MAX) {
		char *slot = b->o->found[b->o->count];
		fmt(slot, sizeof b->o->found[0], "%s", name);
		b->o->names[b->o->count++] = slot;
	}
	return 0;
}

/* Fill o->target from the named records when not given. */
static int resolve_target(struct tether_ctx *ctx, int dirfd, struct update_opts *o, char *buf)
{
	struct view v;

	if (o->target)
		return 0;
	view_load(ctx, dirfd, o->names[0], &v);
	if (v.res != STATE_OK || !v.rec.exe[0]) {
		msg_error(ctx, "%s: no recorded executable: give --target PATH", o->names[0]);
		return -1;
	}
	if (!strchr(v.rec.exe, '/') && v.rec.cwd[0] != '/') {
		msg_error(ctx, "%s: recorded executable %s is not a path: give --target PATH", o->names[0], v.rec.exe);
		return -1;
	}
	fmt(buf, PATH_MAX, "%s", v.rec.exe);
	o->target = buf;
	return 0;
}

static int validate(struct tether_ctx *ctx, const struct update_opts *o)
{
	struct stat nsb, tsb;
	const char *why;

	if (elf_check_file(o->binary, &why) < 0) {
		msg_error(ctx, "refusing %s: %s; nothing changed", o->binary, why);
		return EX_FAIL;
	}
	if (stat(o->target, &tsb) < 0) {
		msg_syserr(ctx, "target", o->target);
		return EX_FAIL;
	}
	if (stat(o->binary, &nsb) == 0 && nsb.st_dev == tsb.st_dev && nsb.st_ino == tsb.st_ino) {
		msg_error(ctx, "refusing %s: it is the target %s itself; nothing changed", o->binary, o->target);
		return EX_FAIL;
	}
	return EX_DONE;
}

/* sh -c CMD with TETHER_NAME and TETHER_PID naming the daemon. */
static int run_health(struct tether_ctx *ctx, const struct update_opts *o, const struct target *t, int *status)
{
	char *argv[] = { "sh", "-c", (char *)o->health, NULL };
	char pid[16];
	struct env e;
	int r = -1;

	fmt(pid, sizeof pid, "%d", t->new_pid);
	if (env_init(&e, environ) == 0 && env_set(&e, "TETHER_NAME", t->view.rec.name) == 0 &&
	    env_set(&e, "TETHER_PID", pid) == 0)
		r = run_wait(ctx, argv, e.vars, o->health_ms, status);
	env_free(&e);
	return r;
}

static int health_ok(struct tether_ctx *ctx, const struct update_opts *o, const struct target *t, const char **why)
{
	int status;

	if (!o->health)
		return 1;
	if (run_health(ctx, o, t, &status) < 0) {
		*why = errno == ETIMEDOUT ? "health check timed out" : "health check could not run";
		return 0;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		*why = "health check failed";
		return 0;
	}
	return 1;
}

/* After the restart: new identity, alive after the settle time, not
 * running the old binary, healthy. After a rollback (s NULL) only the
 * first two: the health check already judged the new binary, and the old
 * one ran before. Returns the index of the first failed daemon, or -1;
 * *why says what failed. */
static int verify(struct tether_ctx *ctx, const struct update_opts *o, struct route_plan *p,
		  const struct swap *s, const char **why)
{
	for (int i = 0; i < p->count; i++) {
		struct target *t = &p->t[i];
		if (t->code != EX_DONE)
			return *why = "restart failed", i;
	}
	sleep_ms(o->settle_ms);
	for (int i = 0; i < p->count; i++) {
		struct target *t = &p->t[i];
		struct ident now = t->view.rec.id;
		now.pid = t->new_pid;
		now.start = t->new_start;
		now.exe_ino = 0;
		if (ident_check(ctx, &now) != IDENT_ALIVE)
			return *why = "exited within the settle time", i;
		unsigned long long dev, ino;
		if (s && procfs_exe_id(ctx, now.pid, &dev, &ino) == 0 && dev == s->old_dev && ino == s->old_ino)
			return *why = "still runs the old binary", i;
		if (s && !health_ok(ctx, o, t, why))
			return i;
	}
	return -1;
}

static void report(const struct update_opts *o, const struct route_plan *p, const char *result, int failed,
		   const char *why)
{
	for (int i = 0; i < p->count; i++) {
		const struct target *t = &p->t[i];
#if CONFIG_JSON
		if (o->json) {
			struct out out;
			out_init(&out, 1);
			out_fmt(&out, "{\"name\":");
			out_json_str(&out, t->view.rec.name);
			out_fmt(&out, ",\"result\":\"%s\",\"route\":\"%s\",\"old_pid\":%d,\"new_pid\":%d", result,
				owner_type_name(t->owner.type), t->view.rec.id.pid, t->new_pid);
			if (i == failed) {
				out_fmt(&out, ",\"reason\":");
				out_json_str(&out, why);
			}
			out_fmt(&out, "}\n");
			out_flush(&out);
			continue;
		}
#endif
		(void)o;
		say(1, "%s %s via %s: pid %d -> %d%s%s\n", t->view.rec.name, result, owner_type_name(t->owner.type),
		    t->view.rec.id.pid, t->new_pid, i == failed ? ": " : "", i == failed ? why : "");
	}
}

static int replan_restart(struct tether_ctx *ctx, int dirfd, struct update_opts *o, struct route_plan *p)
{
	route_free(p);
	int code = route_plan(ctx, dirfd, o->names, o->count, p);
	return code ? code : route_restart(ctx, dirfd, p, &o->route);
}

static int rollback(struct tether_ctx *ctx, int dirfd, struct update_opts *o, struct route_plan *p,
		    struct swap *s, int failed, const char *why)
{
	char name[NAME_MAX_LEN + 1];
	const char *why2 = "";

	fmt(name, sizeof name, "%s", p->t[failed].view.rec.name);
	msg_error(ctx, "%s: %s: rolling back to %s", name, why, s->old);
	if (swap_rollback(ctx, s) < 0) {
		msg_error(ctx, "ROLLBACK FAILED: could not restore %s; the old binary is still at %s", s->target, s->old);
		return EX_ROLLBACKFAIL;
	}
	int code = replan_restart(ctx, dirfd, o, p);
	int bad = code == EX_DONE ? verify(ctx, o, p, NULL, &why2) : 0;
	if (code != EX_DONE || bad >= 0) {
		msg_error(ctx, "ROLLBACK FAILED: old binary restored at %s but %s did not come back (%s); new binary left at %s",
			  s->target, bad >= 0 ? p->t[bad].view.rec.name : name, code != EX_DONE ? "restart failed" : why2,
			  o->binary);
		return EX_ROLLBACKFAIL;
	}
	report(o, p, "rolled-back", -1, why);
	msg_error(ctx, "update rolled back: %s %s", name, why);
	return EX_ROLLEDBACK;
}

static int update(struct tether_ctx *ctx, int dirfd, struct update_opts *o)
{
	struct route_plan plan;
	struct swap s;
	const char *why = "";
	int code = route_plan(ctx, dirfd, o->names, o->count, &plan), failed;

	if (code)
		goto out;
	if (o->route.dry_run) {
		say(1, "install %s over %s (old kept as %s" SWAP_OLD_SUFFIX "), then restart:\n", o->binary, o->target,
		    o->target);
		route_print(&plan);
		goto out;
	}
	if (swap_install(ctx, o->binary, o->target, &s) < 0) {
		code = EX_FAIL;
		goto out;
	}
	code = route_restart(ctx, dirfd, &plan, &o->route);
	if (code == EX_SCHEDULED)
		goto out;
	failed = verify(ctx, o, &plan, &s, &why);
	if (failed < 0) {
		report(o, &plan, "updated", -1, "");
		code = EX_DONE;
	} else {
		code = rollback(ctx, dirfd, o, &plan, &s, failed, why);
	}
out:
	route_free(&plan);
	return code;
}

int cmd_update(struct tether_ctx *ctx, int argc, char **argv)
{
	struct update_opts o = {
		.settle_ms = CONFIG_SETTLE_TIME * MS_PER_S, .health_ms = HEALTH_TIMEOUT_S * MS_PER_S,
		.route = { .timeout_ms = CONFIG_RESTART_TIMEOUT * MS_PER_S, .wait = 1, .quiet = 1 },
	};
	char target[PATH_MAX];
	struct stat tsb;
	int code = parse(ctx, argc, argv, &o), dirfd;

	if (code)
		return code;
	dirfd = state_dir_open(ctx, 0);
	if (dirfd < 0) {
		msg_error(ctx, "no usable state dir %s: nothing to update", ctx->state_dir);
		return dirfd == -2 ? EX_INSECURE : EX_FAIL;
	}
	if (resolve_target(ctx, dirfd, &o, target) < 0 || (code = validate(ctx, &o)) != EX_DONE) {
		close(dirfd);
		return code ? code : EX_FAIL;
	}
	if (!o.count && stat(o.target, &tsb) == 0) {
		struct by_exe b = { (unsigned long long)tsb.st_dev, (unsigned long long)tsb.st_ino, &o, ctx, dirfd };
		state_each(ctx, dirfd, match_exe, &b);
		if (!o.count) {
			msg_error(ctx, "no running daemon records %s as its executable; nothing changed", o.target);
			close(dirfd);
			return EX_FAIL;
		}
	}
	code = update(ctx, dirfd, &o);
	close(dirfd);
	return code;
}
