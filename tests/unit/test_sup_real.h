/*
 * Shared by the test_sup_*.c programs: a real supervision tree (runsvdir,
 * s6-svscan, svscan) in a private directory with two services, and the
 * checks every FIFO-controlled supervisor must pass through sup_detect,
 * sup_restart and sup_stop. The test process is a child subreaper, so
 * every process the tree starts stays its descendant and is killed and
 * reaped at the end; zombies never count as alive.
 */
#ifndef TEST_SUP_REAL_H
#define TEST_SUP_REAL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "sup.h"
#include "tap.h"

#define REAL_WAIT_MS 10000
#define REAL_POLL_MS 20
#define REAL_MAX_PROCS 256
#define REAL_DAEMON "sleep"
#define REAL_RUN "#!/bin/sh\nexec sleep 3600\n"
#define REAL_LINE_MAX 4096

struct real_sup {
	const char *name;        /* for test names */
	enum owner_type type;
	const char *const *scan_argv;  /* the scanner; the scan dir is appended */
	const char *supervisor;  /* comm of the per-service supervisor */
};

struct real_tree {
	char dir[PATH_MAX - 64];  /* private temp dir (real path) */
	char scan[PATH_MAX - 32]; /* dir/scan */
	char svc_a[PATH_MAX], svc_b[PATH_MAX];
	pid_t scanner;
	struct tether_ctx ctx;
};

static inline long real_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline void real_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static inline int real_read(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, cap - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n > 0 ? 0 : -1;
}

/* state and ppid from /proc/PID/stat; comm into comm (may be NULL). */
static inline int real_stat(int pid, char *state, int *ppid, char *comm, size_t cap)
{
	char path[64], buf[1024];
	char *open_paren, *close_paren;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (real_read(path, buf, sizeof buf) < 0 || !(open_paren = strchr(buf, '(')) ||
	    !(close_paren = strrchr(buf, ')')))
		return -1;
	if (comm)
		snprintf(comm, cap, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
	return sscanf(close_paren + 2, "%c %d", state, ppid) == 2 ? 0 : -1;
}

static inline int real_alive(int pid)
{
	char state;
	int ppid;

	return pid > 0 && real_stat(pid, &state, &ppid, NULL, 0) == 0 && state != 'Z' && state != 'X';
}

static inline int real_is_descendant(int pid, int root)
{
	char state;
	int ppid;

	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		if (real_stat(pid, &state, &ppid, NULL, 0) < 0)
			return 0;
		if (ppid == root)
			return 1;
		pid = ppid;
	}
	return 0;
}

/* Live (non-zombie) descendants of this process. */
static inline int real_descendants(int *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0, me = (int)getpid();

	while (d && (e = readdir(d)) && n < max) {
		int pid = atoi(e->d_name);
		if (pid > 0 && pid != me && real_is_descendant(pid, me) && real_alive(pid))
			out[n++] = pid;
	}
	if (d)
		closedir(d);
	return n;
}

/* The daemon whose supervisor's cwd is svc: a `sleep` child of it. */
static inline int real_daemon(const char *svc)
{
	int pids[REAL_MAX_PROCS], n = real_descendants(pids, REAL_MAX_PROCS);

	for (int i = 0; i < n; i++) {
		char comm[64], state, link[64], cwd[PATH_MAX];
		int ppid;
		ssize_t k;
		if (real_stat(pids[i], &state, &ppid, comm, sizeof comm) < 0 || strcmp(comm, REAL_DAEMON))
			continue;
		snprintf(link, sizeof link, "/proc/%d/cwd", ppid);
		k = readlink(link, cwd, sizeof cwd - 1);
		if (k > 0 && (cwd[k] = 0, !strcmp(cwd, svc)))
			return pids[i];
	}
	return 0;
}

/* The supervisor process for svc (its cwd), 0 if none. */
static inline int real_supervisor(const struct real_sup *s, const char *svc)
{
	int pids[REAL_MAX_PROCS], n = real_descendants(pids, REAL_MAX_PROCS);

	for (int i = 0; i < n; i++) {
		char comm[64], state, link[64], cwd[PATH_MAX];
		int ppid;
		ssize_t k;
		if (real_stat(pids[i], &state, &ppid, comm, sizeof comm) < 0 || strcmp(comm, s->supervisor))
			continue;
		snprintf(link, sizeof link, "/proc/%d/cwd", pids[i]);
		k = readlink(link, cwd, sizeof cwd - 1);
		if (k > 0 && (cwd[k] = 0, !strcmp(cwd, svc)))
			return pids[i];
	}
	return 0;
}

/* Wait until svc's daemon exists and differs from `not`; its pid or 0. */
static inline int real_wait_daemon(const char *svc, int not)
{
	for (long end = real_now_ms() + REAL_WAIT_MS; real_now_ms() < end; real_sleep_ms(REAL_POLL_MS)) {
		int pid = real_daemon(svc);
		if (pid && pid != not)
			return pid;
	}
	return 0;
}

static inline int real_wait_no_daemon(const char *svc)
{
	for (long end = real_now_ms() + REAL_WAIT_MS; real_now_ms() < end; real_sleep_ms(REAL_POLL_MS))
		if (!real_daemon(svc))
			return 1;
	return 0;
}

static inline int real_wait_dead(int pid)
{
	for (long end = real_now_ms() + REAL_WAIT_MS; real_now_ms() < end; real_sleep_ms(REAL_POLL_MS)) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!real_alive(pid))
			return 1;
	}
	return 0;
}

static inline int real_write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static inline int real_service(const char *dir)
{
	char run[PATH_MAX + 8];

	snprintf(run, sizeof run, "%s/run", dir);
	return mkdir(dir, 0755) < 0 ? -1 : real_write_file(run, REAL_RUN, 0755);
}

/* Fork and exec argv with stdout/stderr to log; 0 with *pid, or -1 errno. */
static inline int real_spawn(char *const argv[], const char *log, pid_t *pid)
{
	int p[2], e = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644), nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		e = errno;
		if (write(p[1], &e, sizeof e) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &e, sizeof e) != sizeof e)
		e = 0;
	close(p[0]);
	if (e) {
		waitpid(*pid, NULL, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/* Capture what fn writes to stderr (our msg_* lines). */
struct real_capture {
	int saved;
	char path[PATH_MAX];
	char text[REAL_LINE_MAX];
};

static inline void real_capture_begin(struct real_capture *c)
{
	int fd;

	snprintf(c->path, sizeof c->path, "%s/tether-err.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(c->path);
	c->saved = dup(2);
	dup2(fd, 2);
	close(fd);
}

static inline const char *real_capture_end(struct real_capture *c)
{
	dup2(c->saved, 2);
	close(c->saved);
	real_read(c->path, c->text, sizeof c->text);
	unlink(c->path);
	fputs(c->text, stderr);
	return c->text;
}

static inline int real_tree_start(struct real_tree *t, const struct real_sup *s)
{
	char tmpl[PATH_MAX], log[PATH_MAX + 8];
	const char *argv[16];
	int n = 0;

	snprintf(tmpl, sizeof tmpl, "%s/tether-%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", s->name);
	if (!mkdtemp(tmpl) || !realpath(tmpl, t->dir))
		return -1;
	snprintf(t->scan, sizeof t->scan, "%s/scan", t->dir);
	snprintf(t->svc_a, sizeof t->svc_a, "%s/a", t->scan);
	snprintf(t->svc_b, sizeof t->svc_b, "%s/b", t->scan);
	snprintf(log, sizeof log, "%s/log", t->dir);
	if (mkdir(t->scan, 0755) < 0 || real_service(t->svc_a) < 0 || real_service(t->svc_b) < 0)
		return -1;
	for (; s->scan_argv[n] && n < 14; n++)
		argv[n] = s->scan_argv[n];
	argv[n++] = t->scan;
	argv[n] = NULL;
	ctx_init(&t->ctx);
	t->ctx.proc_root = "/proc";
	return real_spawn((char *const *)argv, log, &t->scanner);
}

/* Kill every descendant (the tree and anything it left), reap them, and
 * return how many live ones remain. */
static inline int real_tree_stop(struct real_tree *t)
{
	int pids[REAL_MAX_PROCS], n = 0;
	char cmd[PATH_MAX + 16];

	for (long end = real_now_ms() + REAL_WAIT_MS; real_now_ms() < end; real_sleep_ms(REAL_POLL_MS)) {
		n = real_descendants(pids, REAL_MAX_PROCS);
		for (int i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!n)
			break;
	}
	if (t->dir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
		if (system(cmd) != 0)
			tap_diag("cannot remove %s", t->dir);
	}
	return n;
}

static inline const char *real_line(const struct owner *o)
{
	static char buf[REAL_LINE_MAX];
	int p[2];
	ssize_t n;

	if (pipe(p) < 0)
		return "";
	sup_print(o, 0, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	buf[n > 0 ? n - 1 : 0] = 0;
	return buf;
}

static inline void real_detect_checks(struct real_tree *t, const struct real_sup *s, int a, int b,
				      struct owner *oa)
{
	struct owner ob;
	char want[PATH_MAX + 64];

	ok(sup_detect(&t->ctx, a, oa) == 0 && oa->type == s->type, "%s: service a's daemon is owned by %s", s->name,
	   owner_type_name(s->type));
	is_str(oa->dir, t->svc_a, "service dir is the supervisor's cwd");
	snprintf(want, sizeof want, "owner=%s dir=%s", owner_type_name(s->type), t->svc_a);
	is_str(real_line(oa), want, "printed as one line");
	ok(sup_detect(&t->ctx, b, &ob) == 0 && ob.type == s->type && !strcmp(ob.dir, t->svc_b),
	   "service b's daemon: its own dir");
	ok(sup_detect(&t->ctx, real_supervisor(s, t->svc_a), &ob) == 0 && ob.type == OWNER_NONE,
	   "the supervisor itself is owned by nobody");
}

static inline void real_action_checks(struct real_tree *t, const struct real_sup *s, int *a, int b,
				      const struct owner *oa)
{
	int old = *a;

	is_int(sup_restart(&t->ctx, oa), EX_DONE, "restart accepted");
	*a = real_wait_daemon(t->svc_a, old);
	ok(*a && *a != old, "restart: a new daemon (%d -> %d)", old, *a);
	ok(real_wait_dead(old), "restart: the old daemon is gone");
	ok(real_daemon(t->svc_b) == b, "restart: the sibling service kept its daemon");

	is_int(sup_stop(&t->ctx, oa), EX_DONE, "stop accepted");
	ok(real_wait_no_daemon(t->svc_a), "stop: the daemon is gone and stays down");
	ok(real_supervisor(s, t->svc_a) != 0, "stop: the supervisor itself still runs");
	ok(real_daemon(t->svc_b) == b, "stop: the sibling service kept its daemon");

	is_int(sup_restart(&t->ctx, oa), EX_DONE, "restart of a stopped service accepted");
	*a = real_wait_daemon(t->svc_a, 0);
	ok(*a != 0, "restart of a stopped service starts it");
}

/* The supervisor of b dies (scanner first, so nothing respawns it). */
static inline void real_unsupervised_checks(struct real_tree *t, const struct real_sup *s, int b)
{
	struct owner ob, gone;
	struct real_capture cap;
	int sup_b = real_supervisor(s, t->svc_b);

	ok(sup_detect(&t->ctx, b, &ob) == 0 && ob.type == s->type, "b is supervised before its supervisor dies");
	kill(t->scanner, SIGKILL);
	ok(real_wait_dead(t->scanner), "scanner killed");
	kill(sup_b, SIGKILL);
	ok(sup_b && real_wait_dead(sup_b), "b's supervisor killed");
	real_capture_begin(&cap);
	int r = sup_restart(&t->ctx, &ob);
	const char *msg = real_capture_end(&cap);
	is_int(r, EX_NOTOOL, "control FIFO without a reader: EX_NOTOOL");
	ok(strstr(msg, "not running for") && strstr(msg, "ENXIO") && strstr(msg, s->supervisor),
	   "the message names the supervisor and ENXIO");
	ok(real_alive(b), "the orphaned daemon was not touched");
	ok(sup_detect(&t->ctx, b, &ob) == 0 && ob.type == OWNER_NONE, "the orphaned daemon is owned by nobody");

	owner_clear(&gone);
	gone.type = s->type;
	snprintf(gone.dir, sizeof gone.dir, "%s/never", t->dir);
	is_int(sup_restart(&t->ctx, &gone), EX_NOTOOL, "a directory without supervise/: EX_NOTOOL");

	char ctl[PATH_MAX + 32], text[16];
	snprintf(gone.dir, sizeof gone.dir, "%s/fake", t->dir);
	mkdir(gone.dir, 0755);
	snprintf(ctl, sizeof ctl, "%s/supervise", gone.dir);
	mkdir(ctl, 0755);
	snprintf(ctl, sizeof ctl, "%s/supervise/control", gone.dir);
	real_write_file(ctl, "", 0644);
	is_int(sup_stop(&t->ctx, &gone), EX_FAIL, "a regular file as control: refused");
	ok(real_read(ctl, text, sizeof text) < 0, "nothing was written to the regular file");
}

static inline int real_suite(const struct real_sup *s)
{
	struct real_tree t;
	struct owner oa;
	int a, b;

	memset(&t, 0, sizeof t);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		tap_skip_all("cannot become a child subreaper");
	if (real_tree_start(&t, s) < 0) {
		int e = errno;
		real_tree_stop(&t);
		if (e == ENOENT)
			tap_skip_all("scanner not installed");
		ok(0, "%s: cannot start the tree: %s", s->name, strerror(e));
		return tap_done();
	}
	a = real_wait_daemon(t.svc_a, 0);
	b = real_wait_daemon(t.svc_b, 0);
	if (ok(a && b, "%s: both services are up (%d, %d)", s->name, a, b)) {
		real_detect_checks(&t, s, a, b, &oa);
		real_action_checks(&t, s, &a, b, &oa);
		real_unsupervised_checks(&t, s, b);
	}
	is_int(real_tree_stop(&t), 0, "every process started is gone (zombies excluded)");
	return tap_done();
}

#endif
