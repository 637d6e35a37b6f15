#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmds.h"
#include "exitcodes.h"
#include "fmt.h"
#include "marker.h"
#include "msg.h"
#include "opt.h"
#include "route.h"
#include "sys.h"

#define NAMES_MAX 64
#define STR(x) #x
#define XSTR(x) STR(x)

const char cmd_restart_usage[] =
	"usage: tether restart (-n NAME)... | --all [--changed] [--timeout SECONDS] [--no-wait] [--dry-run]\n"
	HELP("Restart through each daemon's owner: systemctl, /etc/init.d/SERVICE,\n"
	     "runit/s6/daemontools supervise/control, rc-service, or (unsupervised)\n"
	     "stop by identity and spawn from the record. Daemons sharing an owner\n"
	     "restart once. From inside the target, the restart is handed off and\n"
	     "the command returns 150 (scheduled) at once.\n"
	     "  -n, --name NAME        a daemon (repeatable)\n"
	     "  -a, --all              every record\n"
	     "      --changed          only daemons whose binary changed on disk since\n"
	     "                         they started (for package post-install hooks)\n"
	     "  -t, --timeout SECONDS  wait this long for the new identity (default " XSTR(CONFIG_RESTART_TIMEOUT) ")\n"
	     "      --no-wait          return once the owner accepted the request\n"
	     "      --dry-run          print the route of each daemon, change nothing\n"
	     "Exit: 0 completed, 1 failed, 150 scheduled, 156 corrupt record,\n"
	     "157 no new identity in time, 158 the owner's tool is missing.\n");

struct changed {
	struct tether_ctx *ctx;
	int dirfd;
	char **names;
	int count;
	char (*found)[NAME_MAX_LEN + 1];  /* names[i] point here */
};

/* A running daemon whose recorded executable path now names another file. */
static int collect_changed(const char *name, void *arg)
{
	struct changed *c = arg;
	struct view v;
	struct stat sb;
	char path[PATH_MAX];

	view_load(c->ctx, c->dirfd, name, &v);
	if (!view_running(&v) || !v.rec.id.exe_ino || !v.rec.exe[0] || c->count >= NAMES_MAX)
		return 0;
	if (v.rec.exe[0] == '/' || !strchr(v.rec.exe, '/'))
		fmt(path, sizeof path, "%s", v.rec.exe);
	else
		fmt(path, sizeof path, "%s/%s", v.rec.cwd, v.rec.exe);
	if (!strchr(path, '/') || stat(path, &sb) < 0)
		return 0;
	if ((unsigned long long)sb.st_dev == v.rec.id.exe_dev && (unsigned long long)sb.st_ino == v.rec.id.exe_ino)
		return 0;
	fmt(c->found[c->count], sizeof c->found[c->count], "%s", name);
	c->names[c->count] = c->found[c->count];
	c->count++;
	return 0;
}

/* What the interrupt handler may reach, set before it is installed: the
 * one global, as a signal handler can reach nothing else. */
struct interrupt_scope {
	int dirfd;
	const struct route_plan *plan;
};
static _Atomic(const struct interrupt_scope *) interrupt_scope;

/* TERM, INT or HUP before an unsupervised restart spawned its daemon: the
 * restart did not go through, and the marker it wrote would make the
 * daemon take its next stop for a restart. Only the markers this process
 * wrote and has not consumed (marked) go: another caller's stay, and so
 * does a supervised daemon's (its owner may already be restarting it; a
 * stop clears it). Only async-signal-safe calls (fmt into a stack
 * buffer, unlinkat); errno need not be kept, as the signal's default
 * action follows. */
static void on_interrupt(int sig)
{
	const struct interrupt_scope *s = interrupt_scope;
	char file[NAME_MAX_LEN + 16];

	for (int i = 0; s && i < s->plan->count; i++) {
		const struct target *t = &s->plan->t[i];
		if (!t->marked)
			continue;
		fmt(file, sizeof file, "%s%s", t->view.rec.name, MARKER_SUFFIX);
		unlinkat(s->dirfd, file, 0);
	}
	signal(sig, SIG_DFL);
	raise(sig);  /* delivered when the handler returns */
}

#define INTERRUPTS 3
static const int interrupts[INTERRUPTS] = { SIGTERM, SIGINT, SIGHUP };

static int restart_interruptible(struct tether_ctx *ctx, int dirfd, struct route_plan *p, const struct route_opts *o)
{
	struct interrupt_scope scope = { dirfd, p };
	struct sigaction sa, old[INTERRUPTS];
	int code, installed[INTERRUPTS] = { 0 };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < INTERRUPTS; i++)
		sigaddset(&sa.sa_mask, interrupts[i]);
	interrupt_scope = &scope;
	/* A signal ignored from the start (nohup) stays ignored. */
	for (int i = 0; i < INTERRUPTS; i++)
		if (sigaction(interrupts[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
			installed[i] = sigaction(interrupts[i], &sa, NULL) == 0;
	code = route_restart(ctx, dirfd, p, o);
	for (int i = 0; i < INTERRUPTS; i++)
		if (installed[i])
			sigaction(interrupts[i], &old[i], NULL);
	interrupt_scope = NULL;
	return code;
}

/* "PID:START", as route.c hands it to the restart it spawns. */
static int parse_after(const char *s, struct route_opts *o)
{
	unsigned long long pid, start;

	s = opt_unum(s, INT_MAX, &pid);
	if (!s || !pid || *s != ':')
		return -1;
	s = opt_unum(s + 1, ULLONG_MAX, &start);
	if (!s || *s)
		return -1;
	o->after_pid = (int)pid;
	o->after_start = start;
	return 0;
}

int cmd_restart(struct tether_ctx *ctx, int argc, char **argv)
{
	static const struct opt_long longs[] = {
		{ "name", OPT_VALUE, 'n' },
		{ "all", OPT_FLAG, 'a' },
		{ "changed", OPT_FLAG, 'C' },
		{ "timeout", OPT_VALUE, 't' },
		{ "no-wait", OPT_FLAG, 'W' },
		{ "dry-run", OPT_FLAG, 'D' },
		{ "after", OPT_VALUE, 'A' },  /* internal: handoff */
		OPT_COMMON_LONG, { 0 },
	};
	struct opt_state st = OPT_STATE_INIT;
	struct route_opts o = { .timeout_ms = CONFIG_RESTART_TIMEOUT * MS_PER_S, .wait = 1 };
	struct route_plan plan;
	char *names[NAMES_MAX];
	char found[NAMES_MAX][NAME_MAX_LEN + 1];  /* --changed: the names found */
	long long secs;
	int n = 0, all = 0, changed = 0, c, dirfd, code;

	while ((c = opt_next(&st, argc, argv, "n:at:vh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, cmd_restart_usage))
			continue;
		if (c == 'n' && n < NAMES_MAX && name_valid(st.arg))
			names[n++] = st.arg;
		else if (c == 'n')
			return opt_usage(ctx, cmd_restart_usage, "bad or too many names", st.arg);
		else if (c == 'a')
			all = 1;
		else if (c == 'C')
			changed = 1;
		else if (c == 't' && opt_num(st.arg, 0, 86400, &secs) == 0)
			o.timeout_ms = (int)secs * MS_PER_S;
		else if (c == 'W')
			o.wait = 0;
		else if (c == 'D')
			o.dry_run = 1;
		else if (c == 'A' && parse_after(st.arg, &o) == 0)
			continue;
		else
			return c < 0 ? opt_error(ctx, cmd_restart_usage, &st, c)
				     : opt_bad_value(ctx, cmd_restart_usage, &st);
	}
	if (st.ind < argc)
		return opt_usage(ctx, cmd_restart_usage, "unexpected argument", argv[st.ind]);
	if (!n == !all)
		return opt_usage(ctx, cmd_restart_usage, "give -n NAME or --all", NULL);
	dirfd = state_dir_open(ctx, 0);
	if (dirfd < 0) {
		if (dirfd == -1 && errno == ENOENT)
			msg_error(ctx, "no state dir %s: nothing recorded", ctx->state_dir);
		return dirfd == -2 ? EX_INSECURE : EX_FAIL;
	}
	if (changed) {
		struct changed ch = { ctx, dirfd, names, n, found };
		if (n || state_each(ctx, dirfd, collect_changed, &ch) < 0) {
			close(dirfd);
			return n ? opt_usage(ctx, cmd_restart_usage, "--changed goes with --all", NULL) : EX_FAIL;
		}
		if (!ch.count) {
			say(1, "no daemon runs a changed binary\n");
			close(dirfd);
			return EX_DONE;
		}
		n = ch.count;
	}
	code = route_plan(ctx, dirfd, names, n, &plan);
	if (!code)
		code = restart_interruptible(ctx, dirfd, &plan, &o);
	route_free(&plan);
	close(dirfd);
	return code;
}
