/* OpenRC for real: rc-service and supervise-daemon from Debian's packages,
 * run by tests/integ/openrc.sh inside private mount and pid namespaces
 * (tmpfs /run, the packages overlaid on /usr/lib and /usr/sbin, its own
 * /etc/init.d with services foo and bar, a shell as pid 1 reaping the
 * daemonized supervisors). On its own it skips. */
#include "run.h"
#include "test_sup_real.h"

#define SUPERVISOR_COMM "supervise-daemo"  /* the kernel's 15 bytes */

static int argv1_is(int pid, const char *want)
{
	char path[64], buf[512];
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	size_t a0 = strlen(buf);
	return (size_t)n > a0 + 1 && !strcmp(buf + a0 + 1, want);
}

/* Live processes of the pid namespace but its pid 1 and this test. */
static int others(int *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max) {
		int pid = atoi(e->d_name);
		if (pid > 1 && pid != (int)getpid() && real_alive(pid))
			out[n++] = pid;
	}
	if (d)
		closedir(d);
	return n;
}

/* The `sleep` whose parent is `supervise-daemon SERVICE`. */
static int daemon_of(const char *service)
{
	int pids[REAL_MAX_PROCS], n = others(pids, REAL_MAX_PROCS);

	for (int i = 0; i < n; i++) {
		char comm[64], pcomm[64], state;
		int ppid, pp;
		if (real_stat(pids[i], &state, &ppid, comm, sizeof comm) < 0 || strcmp(comm, REAL_DAEMON) ||
		    real_stat(ppid, &state, &pp, pcomm, sizeof pcomm) < 0 || strcmp(pcomm, SUPERVISOR_COMM))
			continue;
		if (argv1_is(ppid, service))
			return pids[i];
	}
	return 0;
}

static int wait_daemon(const char *service, int not)
{
	for (long end = real_now_ms() + REAL_WAIT_MS; real_now_ms() < end; real_sleep_ms(REAL_POLL_MS)) {
		int pid = daemon_of(service);
		if (pid && pid != not && real_alive(pid))
			return pid;
	}
	return 0;
}

static int wait_no_daemon(const char *service)
{
	for (long end = real_now_ms() + REAL_WAIT_MS; real_now_ms() < end; real_sleep_ms(REAL_POLL_MS)) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!daemon_of(service))
			return 1;
	}
	return 0;
}

/* OpenRC writes progress to stdout, without newlines at times: keep it
 * off the TAP stream. */
static int quiet(int saved)
{
	fflush(stdout);
	if (saved < 0) {
		saved = dup(1);
		dup2(2, 1);
		return saved;
	}
	dup2(saved, 1);
	close(saved);
	return -1;
}

static int rc(struct tether_ctx *ctx, const char *service, const char *verb)
{
	char *argv[] = { "rc-service", (char *)service, (char *)verb, NULL };
	int st, saved = quiet(-1);
	int r = run_wait(ctx, argv, NULL, REAL_WAIT_MS, &st);

	quiet(saved);
	return r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int via(int (*fn)(struct tether_ctx *, const struct owner *), struct tether_ctx *ctx, const struct owner *o)
{
	int saved = quiet(-1), r = fn(ctx, o);

	quiet(saved);
	return r;
}

static void suite(struct tether_ctx *ctx)
{
	struct owner o;
	int a, b, old;

	ok(rc(ctx, "foo", "start") == 0 && rc(ctx, "bar", "start") == 0, "rc-service starts foo and bar");
	a = wait_daemon("foo", 0);
	b = wait_daemon("bar", 0);
	if (!ok(a && b, "both run under supervise-daemon (%d, %d)", a, b))
		return;
	ok(sup_detect(ctx, a, &o) == 0 && o.type == OWNER_OPENRC, "foo's daemon is owned by openrc");
	is_str(real_line(&o), "owner=openrc service=foo", "the service is supervise-daemon's argv[1]");

	old = a;
	is_int(via(sup_restart, ctx, &o), EX_DONE, "restart through rc-service accepted");
	a = wait_daemon("foo", old);
	ok(a && a != old, "restart: a new daemon (%d -> %d)", old, a);
	ok(real_wait_dead(old), "restart: the old daemon is gone");
	ok(daemon_of("bar") == b, "restart: bar kept its daemon");

	is_int(via(sup_stop, ctx, &o), EX_DONE, "stop through rc-service accepted");
	ok(wait_no_daemon("foo"), "stop: foo's daemon is gone");
	ok(daemon_of("bar") == b, "stop: bar kept its daemon");
	is_int(via(sup_restart, ctx, &o), EX_DONE, "restart of a stopped service accepted");
	ok(wait_daemon("foo", 0) != 0, "restart of a stopped service starts it");

	struct owner missing = o;
	snprintf(missing.service, sizeof missing.service, "nosuch");
	is_int(via(sup_restart, ctx, &missing), EX_FAIL, "rc-service refuses an unknown service: EX_FAIL");
	rc(ctx, "foo", "stop");
	rc(ctx, "bar", "stop");
	ok(wait_no_daemon("foo") && wait_no_daemon("bar"), "both stopped again");
}

int main(void)
{
	struct tether_ctx ctx;
	int pids[REAL_MAX_PROCS], n;

	if (!CONFIG_SUP_OPENRC)
		tap_skip_all("CONFIG_SUP_OPENRC is off");
	if (!getenv("TETHER_OPENRC_NS"))
		tap_skip_all("runs inside tests/integ/openrc.sh's namespaces");
	ctx_init(&ctx);
	ctx.proc_root = "/proc";
	suite(&ctx);
	n = others(pids, REAL_MAX_PROCS);
	for (int i = 0; i < n; i++)
		tap_diag("left: pid %d", pids[i]);
	is_int(n, 0, "no process left in the namespace (zombies excluded)");
	return tap_done();
}
