#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msg.h"
#include "procfs.h"
#include "spawn.h"
#include "sys.h"

#define FD_SCAN_MAX 65536
#define LOG_MODE 0640

/* What the child reports through the CLOEXEC pipe: first who it is, then,
 * only if exec fails, why. EOF after the first message means exec'd. */
struct hello {
	int pid;
	unsigned long long start;
};

/* What the grandchild reports when it cannot run the program: the step
 * that failed, and its errno. */
enum step { STEP_EXEC, STEP_CWD, STEP_LOG, STEP_STDIO };
struct failure {
	int step;
	int err;
};

static void close_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lowfd, ~0U, 0) == 0)
		return;
#endif
	struct rlimit rl;  /* what sysconf(_SC_OPEN_MAX) asks, without its table */
	rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > FD_SCAN_MAX ? FD_SCAN_MAX : rl.rlim_cur;
	for (int fd = lowfd; (rlim_t)fd < max; fd++)
		close(fd);
}

/* 0, or the step that failed, with errno. */
static int setup_stdio(const struct spawn_opts *o)
{
	int in = open("/dev/null", O_RDONLY);
	int out = o->log ? open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY, LOG_MODE)
			 : open("/dev/null", O_WRONLY);

	if (out < 0 && o->log)
		return STEP_LOG;
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		return STEP_STDIO;
	if (in > 2)
		close(in);
	if (out > 2)
		close(out);
	return 0;
}

static void reset_signals(void)
{
	sigset_t none;
	struct sigaction dfl;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void __attribute__((noreturn)) grandchild(struct tether_ctx *ctx, char *const argv[],
						 const struct spawn_opts *o, int wfd)
{
	struct hello h;
	struct proc_stat st;
	struct failure f = { STEP_EXEC, 0 };

	memset(&h, 0, sizeof h);  /* padding goes through the pipe too */
	h.pid = (int)getpid();

	if (procfs_self_stat(ctx, &st) == 0)
		h.start = st.start;
	sys_write_all(wfd, &h, sizeof h);
	reset_signals();
	/* Keep the report pipe above stdio, then at 3, the only fd left. */
	int hi = fcntl(wfd, F_DUPFD_CLOEXEC, 3);
	if (hi < 0)
		f.step = STEP_STDIO;
	else if (o->cwd && chdir(o->cwd) < 0)
		f.step = STEP_CWD;
	else
		f.step = setup_stdio(o);
	if (f.step != STEP_EXEC) {
		f.err = errno;
		sys_write_all(hi < 0 ? wfd : hi, &f, sizeof f);
		_exit(127);
	}
	if (hi != 3 && (dup2(hi, 3) < 0 || close(hi) < 0))
		_exit(127);
	fcntl(3, F_SETFD, FD_CLOEXEC);
	close_from(4);
	if (o->env)
		environ = (char **)o->env;  /* the grandchild's own; execvp passes it on */
	execvp(argv[0], argv);
	f.err = errno;
	sys_write_all(3, &f, sizeof f);
	_exit(127);
}

int spawn(struct tether_ctx *ctx, char *const argv[], const struct spawn_opts *o, struct ident *id)
{
	struct hello h;
	struct failure f = { STEP_EXEC, 0 };
	int p[2], status;
	pid_t child;

	memset(id, 0, sizeof *id);
	if (pipe2(p, O_CLOEXEC) < 0) {
		msg_syserr(ctx, "pipe", NULL);
		return -1;
	}
	child = sys_fork();
	if (child < 0) {
		msg_syserr(ctx, "fork", NULL);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (child == 0) {
		close(p[0]);
		if (o->detach) {
			setsid();
			pid_t gc = sys_fork();
			if (gc < 0)
				_exit(127);
			if (gc > 0)
				_exit(0);
		}
		grandchild(ctx, argv, o, p[1]);
	}
	close(p[1]);
	ssize_t n = sys_read_full(p[0], &h, sizeof h);
	ssize_t m = n == (ssize_t)sizeof h ? sys_read_full(p[0], &f, sizeof f) : 0;
	close(p[0]);
	if (o->detach)
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	if (n != (ssize_t)sizeof h) {
		msg_error(ctx, "spawn %s: the child died before it could run", argv[0]);
		errno = ECHILD;
		return -1;
	}
	if (m == (ssize_t)sizeof f) {
		static const char *const what[] = {
			[STEP_EXEC] = "exec", [STEP_CWD] = "chdir", [STEP_LOG] = "open log", [STEP_STDIO] = "set up stdio of",
		};
		if (!o->detach)
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
		errno = f.err;
		msg_syserr(ctx, what[f.step & 3], f.step == STEP_CWD ? o->cwd : f.step == STEP_LOG ? o->log : argv[0]);
		errno = f.err;
		return -1;
	}
	id->pid = h.pid;
	id->start = h.start;
	ident_set_here(ctx, id);
	ident_exe_of_cmd(argv, o->cwd, id, o->exe_out, o->exe_cap);
	return 0;
}
