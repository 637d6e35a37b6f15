#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cbor.h"
#include "cmds.h"
#include "exitcodes.h"
#include "fmt.h"
#include "lifecycle.h"
#include "lock.h"
#include "marker.h"
#include "mem.h"
#include "msg.h"
#include "opt.h"
#include "report.h"
#include "sys.h"
#if CONFIG_CTL
#include "bindguard.h"
#include "ctl.h"
#endif

#define STR(x) #x
#define XSTR(x) STR(x)
#define POLL_MS 50
#define SECONDS_MAX 86400
#define INITD_ENV "TETHER_INITD_DIR"
#define INITD_DEFAULT "/etc/init.d"
#define SERVICE_DIRS_ENV "TETHER_SERVICE_DIRS"
#define SERVICE_DIRS "/etc/service:/etc/sv:/run/service:/service"
#define UNIT_DIRS "/etc/systemd/system:/run/systemd/system:/lib/systemd/system:/usr/lib/systemd/system"
#define WHY_MAX (PATH_MAX + 32)

const char cmd_up_usage[] =
	"usage: tether up -n NAME [--budget SECONDS] [--no-spawn] [--backoff SECONDS]\n"
	"                 [--sock PATH] [--cwd DIR] [--log FILE] [--json] [-- CMD [ARG]...]\n"
	HELP("Make sure NAME runs, without fighting whoever supervises it. It is up\n"
	     "when its recorded identity is alive and, if the record names a socket,\n"
	     "that socket answers: a tether control socket (record with a config hash)\n"
	     "a status request naming it, any other socket a connect whose listener\n"
	     "is the recorded pid. A socket nobody listens on is removed, never\n"
	     "trusted. Managed NAMEs are never spawned: a record with an owner, a\n"
	     "systemd unit NAME.service, an init script $" INITD_ENV "/NAME (default\n"
	     INITD_DEFAULT "), or a runit/s6 service dir NAME/run under " SERVICE_DIRS "\n"
	     "or $" SERVICE_DIRS_ENV " (colon-separated); for them, and for a live\n"
	     "NAME whose socket does not answer yet, up waits for the budget. Else CMD\n"
	     "(or the record's command) is spawned detached under the spawn lock\n"
	     "NAME.spawn, unless the record, read again under NAME.lock, shows it up\n"
	     "(a start got there first); a failed spawn writes NAME" BACKOFF_SUFFIX ", and spawns\n"
	     "within its TTL are suppressed at once.\n"
	     "  -n, --name NAME        the daemon\n"
	     "  -b, --budget SECONDS   how long to wait for it (default " XSTR(CONFIG_UP_BUDGET) ")\n"
	     "      --no-spawn         report down instead of spawning\n"
	     "      --backoff SECONDS  TTL of a failed spawn's marker (default " XSTR(CONFIG_SPAWN_BACKOFF_TTL) ")\n"
	     "      --sock PATH        its socket, recorded when spawned\n"
	     "      --cwd DIR          where to spawn it (default: the record's, or here)\n"
	     "      --log FILE         its stdout and stderr (default /dev/null)\n")
#if CONFIG_JSON
	HELP("      --json             one JSON object: name, result, code, pid, managed, ms\n")
#endif
	HELP("Result and exit: up 0, started 162, service-not-ready 159 (not up within\n"
	     "the budget), spawn-suppressed 160, down 161 (--no-spawn), spawn failed 1,\n"
	     "usage 2, record or lock refused 155, other-pidns 4 (recorded in another\n"
	     "pid namespace: neither verified nor spawned from here).\n");

enum up_result { UP_UP, UP_STARTED, UP_NOTREADY, UP_SUPPRESSED, UP_DOWN, UP_FAILED, UP_REFUSED, UP_OTHER_NS };

static const struct {
	const char *name;
	int code;
} results[] = {
	[UP_UP] = { "up", EX_DONE },
	[UP_STARTED] = { "started", EX_STARTED },
	[UP_NOTREADY] = { "service-not-ready", EX_NOTREADY },
	[UP_SUPPRESSED] = { "spawn-suppressed", EX_SUPPRESSED },
	[UP_DOWN] = { "down", EX_DOWN },
	[UP_FAILED] = { "failed", EX_FAIL },
	[UP_REFUSED] = { "refused", EX_INSECURE },
	[UP_OTHER_NS] = { "other-pidns", EX_UNKNOWN },
};

enum look { LOOK_UP, LOOK_ALIVE, LOOK_DOWN };

struct up_opts {
	const char *name;
	int budget_ms;
	int backoff_s;
	int no_spawn;
	int json;
	const char *sock;
	struct spawn_opts spawn;
	int cmdc;
	char **cmd;
};

struct up_run {
	struct tether_ctx *ctx;
	const struct up_opts *o;
	int dirfd;
	long long t0;
	long long deadline;
	struct view v;
	char managed[WHY_MAX];    /* "" or what manages it */
	char why[WHY_MAX];        /* one line for the report */
};

/* ---- is it up? ---- */

#if CONFIG_CTL
/* Nobody listens: remove it, under the bind lock so no binder races us. */
static void clean_stale(struct tether_ctx *ctx, const char *sock)
{
	int lfd = guard_lock(ctx, sock, 0);

	if (lfd < 0)
		return;
	if (ctl_probe(ctx, sock, CTL_PROBE_MS, NULL, NULL) == CTL_PROBE_STALE) {
		msg_warn(ctx, "removing stale socket %s (nobody listens on it)", sock);
		unlink(sock);
	}
	lock_release(lfd);
}

static int sock_answers(struct up_run *u, const struct record *r)
{
	struct ctl_reply rp;
	long long left = u->deadline - now_ms();
	int probe_ms = left < CTL_PROBE_MS ? (left > POLL_MS ? (int)left : POLL_MS) : CTL_PROBE_MS;
	int listener = 0, fd;

	if (r->cfg[0]) {
		enum ctl_probe p = ctl_probe(u->ctx, r->sock, probe_ms, &rp, &listener);
		if (p == CTL_PROBE_STALE)
			clean_stale(u->ctx, r->sock);
		fmt(u->why, sizeof u->why, "its control socket %s is %s", r->sock, ctl_probe_name(p));
		return p == CTL_PROBE_LIVE && rp.pid == r->id.pid;
	}
	fd = ctl_connect(r->sock);
	if (fd < 0) {
		if (errno == ECONNREFUSED)
			clean_stale(u->ctx, r->sock);
		fmt(u->why, sizeof u->why, "its socket %s: %s", r->sock, strerror(errno));
		return 0;
	}
	listener = ctl_peer_pid(fd);
	close(fd);
	fmt(u->why, sizeof u->why, "its socket %s is held by pid %d", r->sock, listener);
	return listener == r->id.pid;
}
#endif

static enum look look(struct up_run *u)
{
	view_load(u->ctx, u->dirfd, u->o->name, &u->v);
#if CONFIG_CTL
	const struct record *r = &u->v.rec;
	if (!view_running(&u->v) && u->v.res == STATE_OK && r->sock[0] &&
	    ctl_probe(u->ctx, r->sock, CTL_PROBE_MS, NULL, NULL) == CTL_PROBE_STALE)
		clean_stale(u->ctx, r->sock);
	if (view_running(&u->v) && r->sock[0] && !sock_answers(u, r))
		return LOOK_ALIVE;
#endif
	return view_running(&u->v) ? LOOK_UP : LOOK_DOWN;
}

static int wait_up(struct up_run *u)
{
	for (;;) {
		if (look(u) == LOOK_UP)
			return 1;
		if (now_ms() >= u->deadline)
			return 0;
		sleep_ms(POLL_MS);
	}
}

/* ---- is it someone else's to start? ---- */

static int file_in(const char *dirs, const char *name, const char *suffix, int exec, char *found, size_t cap)
{
	char path[PATH_MAX];
	struct stat sb;

	for (const char *p = dirs; p && *p;) {
		size_t n = strcspn(p, ":");
		if (n && fmt(path, sizeof path, "%.*s/%s%s", (int)n, p, name, suffix) < sizeof path &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (!exec || (sb.st_mode & 0111))) {
			fmt(found, cap, "%s", path);
			return 1;
		}
		p += n + (p[n] == ':');
	}
	return 0;
}

static void managed_by(struct up_run *u)
{
	const struct record *r = &u->v.rec;
	const char *initd = getenv(INITD_ENV), *extra = getenv(SERVICE_DIRS_ENV);
	char path[PATH_MAX];

	u->managed[0] = 0;
	if (u->v.res == STATE_OK && life_managed(r))
		fmt(u->managed, sizeof u->managed, "%s (its record's owner)", owner_type_name(r->owner.type));
	else if (file_in(UNIT_DIRS, u->o->name, ".service", 0, path, sizeof path))
		fmt(u->managed, sizeof u->managed, "systemd (%s)", path);
	else if (file_in(initd && *initd ? initd : INITD_DEFAULT, u->o->name, "", 1, path, sizeof path))
		fmt(u->managed, sizeof u->managed, "init script %s", path);
	else if (file_in(SERVICE_DIRS, u->o->name, "/run", 0, path, sizeof path) ||
		 file_in(extra, u->o->name, "/run", 0, path, sizeof path))
		fmt(u->managed, sizeof u->managed, "service dir %.*s", (int)(strlen(path) - 4), path);
}

/* ---- the spawn backoff marker: NAME.backoff, a marker (marker.h) ---- */

static int backoff_write(struct up_run *u)
{
	if (u->o->backoff_s <= 0)
		return 0;
	return marker_write_as(u->ctx, u->dirfd, u->o->name, BACKOFF_SUFFIX, OWNER_NONE, u->o->backoff_s);
}

/* Seconds a valid marker still suppresses spawns; 0 if none (an expired
 * or malformed one is removed). */
static long long backoff_left(struct up_run *u)
{
	char file[NAME_MAX_LEN + 16];
	struct marker m;
	enum marker_result r = marker_check_as(u->ctx, u->dirfd, u->o->name, BACKOFF_SUFFIX, OWNER_UNKNOWN, &m);

	if (r == MARKER_VALID)
		return m.expires - (long long)time(NULL);
	if (r != MARKER_NONE) {
		fmt(file, sizeof file, "%s" BACKOFF_SUFFIX, u->o->name);
		unlinkat(u->dirfd, file, 0);
	}
	return 0;
}

/* ---- spawn ---- */

/* Its pid means another process here: neither waited for nor spawned. */
static enum up_result other_ns(struct up_run *u)
{
	life_other_ns_why(u->ctx, &u->v.rec, "not spawned beside it", u->why, sizeof u->why);
	return UP_OTHER_NS;
}

/* Up within the budget, or not ready (and why, if it is managed). */
static enum up_result wait_managed(struct up_run *u)
{
	if (wait_up(u))
		return UP_UP;
	if (u->managed[0])
		fmt(u->why, sizeof u->why, "managed by %s: not up within %d ms, not spawned", u->managed,
		    u->o->budget_ms);
	return UP_NOTREADY;
}

/* Spawn CMD, or the record's command, and record it. The caller holds
 * NAME.lock. */
static enum up_result spawn_record(struct up_run *u)
{
	const struct up_opts *o = u->o;
	struct record *r = &u->v.rec;
	struct spawn_opts so = o->spawn;
	int have_rec = u->v.res == STATE_OK, argc = o->cmdc;
	char **argv = o->cmd;

	if (!argc && have_rec && r->argc)
		argv = r->argv, argc = r->argc;
	if (!argc) {
		fmt(u->why, sizeof u->why, "no command to spawn: give -- CMD (no record holds one)");
		return UP_FAILED;
	}
	if (!so.cwd && have_rec && r->cwd[0])
		so.cwd = r->cwd;
	if (u->v.res == STATE_CORRUPT)
		state_quarantine(u->ctx, u->dirfd, o->name);
	if (life_spawn_record(u->ctx, u->dirfd, o->name, argv, argc, &so, o->sock ? o->sock : have_rec ? r->sock : NULL,
			      have_rec ? r->restarts : 0) != EX_DONE) {
		if (backoff_write(u) < 0)
			msg_warn(u->ctx, "%s: could not write the backoff marker", o->name);
		fmt(u->why, sizeof u->why, "spawn failed; further spawns suppressed for %d s", o->backoff_s);
		return UP_FAILED;
	}
	return UP_STARTED;
}

/* Under NAME.lock, the one lock every spawner takes, the record is read
 * again: start takes no NAME.spawn, and may have spawned it since (or
 * tether exec recorded it under a supervisor): then it is waited for. */
static enum up_result spawn_now(struct up_run *u)
{
	char lockname[NAME_MAX_LEN + 16];
	enum up_result res;
	long long left;
	int lfd;

	if ((left = backoff_left(u)) > 0) {
		fmt(u->why, sizeof u->why, "a spawn failed recently: suppressed for %lld s more", left);
		return UP_SUPPRESSED;
	}
	lock_file_name(lockname, u->o->name, ".lock");
	if ((lfd = lock_take(u->ctx, u->dirfd, lockname, LOCK_EX)) < 0)
		return UP_FAILED;
	view_load(u->ctx, u->dirfd, u->o->name, &u->v);
	if (u->v.res == STATE_OK && life_managed(&u->v.rec))
		managed_by(u);
	if (view_running(&u->v) || u->managed[0])
		res = UP_NOTREADY;
	else if (view_other_ns(&u->v))
		res = other_ns(u);
	else if (u->v.res == STATE_INSECURE)
		res = UP_REFUSED;
	else
		res = spawn_record(u);
	lock_release(lfd);
	if (res == UP_NOTREADY)
		res = wait_managed(u);
	if (res == UP_STARTED)
		view_load(u->ctx, u->dirfd, u->o->name, &u->v);
	return res;
}

/* Under NAME.spawn: whoever got there first may have spawned it. */
static enum up_result spawn_locked(struct up_run *u)
{
	char lockname[NAME_MAX_LEN + 16];
	enum up_result res;
	int lfd;

	lock_file_name(lockname, u->o->name, ".spawn");
	if ((lfd = lock_take(u->ctx, u->dirfd, lockname, LOCK_EX)) < 0)
		return errno == EPERM || errno == ELOOP ? UP_REFUSED : UP_FAILED;
	switch (look(u)) {
	case LOOK_UP:
		res = UP_UP;
		break;
	case LOOK_ALIVE:
		res = wait_up(u) ? UP_UP : UP_NOTREADY;
		break;
	default:
		res = spawn_now(u);
		break;
	}
	lock_release(lfd);
	return res;
}

static enum up_result decide(struct up_run *u)
{
	enum look l = look(u);

	if (l == LOOK_UP)
		return UP_UP;
	if (u->v.res == STATE_INSECURE)
		return UP_REFUSED;
	if (view_other_ns(&u->v))
		return other_ns(u);
	managed_by(u);
	if (u->managed[0] || l == LOOK_ALIVE)
		return wait_managed(u);
	if (u->o->no_spawn)
		return UP_DOWN;
	return spawn_locked(u);
}

/* ---- report ---- */

static void report(const struct up_run *u, enum up_result res)
{
	long long ms = now_ms() - u->t0;
	int pid = u->v.res == STATE_OK ? u->v.rec.id.pid : 0;

	if (res == UP_FAILED || res == UP_REFUSED || res == UP_NOTREADY || res == UP_SUPPRESSED || res == UP_OTHER_NS)
		if (u->why[0])
			msg_error(u->ctx, "%s: %s", u->o->name, u->why);
#if CONFIG_JSON
	if (u->o->json) {
		struct out out;
		out_init(&out, 1);
		out_fmt(&out, "{\"name\":");
		out_json_str(&out, u->o->name);
		out_fmt(&out, ",\"result\":\"%s\",\"code\":%d,\"pid\":%d,\"managed\":", results[res].name,
			results[res].code, res == UP_UP || res == UP_STARTED ? pid : 0);
		out_json_str(&out, u->managed);
		out_fmt(&out, ",\"ms\":%lld}\n", ms);
		out_flush(&out);
		return;
	}
#endif
	if (res == UP_UP || res == UP_STARTED)
		say(1, "%s %s pid=%d (%lld ms)\n", u->o->name, results[res].name, pid, ms);
	else
		say(1, "%s %s (%lld ms)\n", u->o->name, results[res].name, ms);
}

static int parse(struct tether_ctx *ctx, int argc, char **argv, struct up_opts *o)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "budget", OPT_VALUE, 'b' },
		{ "no-spawn", OPT_FLAG, 'N' },
		{ "backoff", OPT_VALUE, 'B' },
		{ "sock", OPT_VALUE, 'S' },
		{ "cwd", OPT_VALUE, 'D' },
		{ "log", OPT_VALUE, 'L' },
#if CONFIG_JSON
		{ "json", OPT_FLAG, 'j' },
#endif
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	long long n;
	int c;

	while ((c = opt_next(&st, argc, argv, "n:b:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_up_usage))
			continue;
		if (c == 'n')
			o->name = st.arg;
		else if (c == 'b' && opt_num(st.arg, 0, SECONDS_MAX, &n) == 0)
			o->budget_ms = (int)n * MS_PER_S;
		else if (c == 'B' && opt_num(st.arg, 0, SECONDS_MAX, &n) == 0)
			o->backoff_s = (int)n;
		else if (c == 'N')
			o->no_spawn = 1;
		else if (c == 'S')
			o->sock = st.arg;
		else if (c == 'D')
			o->spawn.cwd = st.arg;
		else if (c == 'L')
			o->spawn.log = st.arg;
		else if (c == 'j')
			o->json = 1;
		else
			return c < 0 ? opt_error(ctx, cmd_up_usage, &st, c)
				     : opt_bad_value(ctx, cmd_up_usage, &st);
	}
	if (!o->name || !name_valid(o->name))
		return opt_usage(ctx, cmd_up_usage, o->name ? "bad name" : "-n NAME is required", o->name);
	if (o->sock && fmt(NULL, 0, "%s", o->sock) >= SOCK_MAX)
		return opt_usage(ctx, cmd_up_usage, "--sock too long", NULL);
	o->cmd = argv + st.ind;
	o->cmdc = argc - st.ind;
	return 0;
}

int cmd_up(struct tether_ctx *ctx, int argc, char **argv)
{
	struct up_opts o = {
		.budget_ms = CONFIG_UP_BUDGET * MS_PER_S,
		.backoff_s = CONFIG_SPAWN_BACKOFF_TTL,
		.spawn = { .detach = 1 },
	};
	struct up_run *u;
	enum up_result res;
	int code = parse(ctx, argc, argv, &o);

	if (code)
		return code;
	if (!(u = mem_alloc(sizeof *u))) {
		msg_syserr(ctx, "mmap", NULL);
		return EX_FAIL;
	}
	u->ctx = ctx;
	u->o = &o;
	u->t0 = now_ms();
	u->deadline = u->t0 + o.budget_ms;
	u->dirfd = state_dir_open(ctx, 1);
	if (u->dirfd < 0) {
		code = u->dirfd == -2 ? EX_INSECURE : EX_FAIL;
		mem_free(u);
		return code;
	}
	res = decide(u);
	report(u, res);
	close(u->dirfd);
	mem_free(u);
	return results[res].code;
}
