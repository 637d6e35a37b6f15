#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "run.h"
#include "sys.h"

#define POLL_FIRST_MS 1
#define POLL_MAX_MS 50

static _Noreturn void child(int errfd, char *const argv[], char *const env[])
{
	sigset_t none;
	int fd = open("/dev/null", O_RDONLY | O_NOCTTY);

	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		goto fail;
	if (fd != STDIN_FILENO)
		close(fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (env)
		environ = (char **)env;  /* the child's copy of environ; execvp passes it on */
	execvp(argv[0], argv);
fail:;
	int e = errno;
	while (write(errfd, &e, sizeof e) < 0 && errno == EINTR)
		;
	_exit(127);
}

static int reap(pid_t pid, int *status, int options)
{
	pid_t r;

	while ((r = waitpid(pid, status, options)) < 0 && errno == EINTR)
		;
	return r;
}

static int wait_bounded(pid_t pid, int timeout_ms, int *status)
{
	long long deadline = now_ms() + timeout_ms;
	int step = POLL_FIRST_MS;

	for (;;) {
		pid_t r = reap(pid, status, timeout_ms < 0 ? 0 : WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0)
			return -1;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			reap(pid, status, 0);
			errno = ETIMEDOUT;
			return -1;
		}
		sleep_backoff(&step, POLL_MAX_MS, deadline);
	}
}

/* The child's exec errno, or 0 once exec closed the pipe. */
static int exec_error(int fd)
{
	int e = 0;
	ssize_t n;

	while ((n = read(fd, &e, sizeof e)) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof e ? e : 0;
}

int run_wait(struct tether_ctx *ctx, char *const argv[], char *const env[], int timeout_ms, int *status)
{
	int pfd[2], st, e;
	pid_t pid;

	if (!status)
		status = &st;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	msg_trace(ctx, "run %s (limit %d ms)", argv[0], timeout_ms);
	pid = sys_fork();
	if (pid < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child(pfd[1], argv, env);
	close(pfd[1]);
	e = exec_error(pfd[0]);
	close(pfd[0]);
	if (e) {
		reap(pid, status, 0);
		errno = e;
		return -1;
	}
	return wait_bounded(pid, timeout_ms, status);
}
