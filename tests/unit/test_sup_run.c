/* run_wait: the bounded external-command runner the supervisor tools use. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "tap.h"

static int run(char *const argv[], int timeout_ms, int *status)
{
	struct tether_ctx ctx;

	ctx_init(&ctx);
	return run_wait(&ctx, argv, NULL, timeout_ms, status);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void exits(void)
{
	char *yes[] = { "true", NULL }, *no[] = { "false", NULL };
	char *code[] = { "sh", "-c", "exit 7", NULL };
	int st = -1;

	ok(run(yes, 5000, &st) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "true: 0, exit status 0");
	ok(run(no, 5000, &st) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 1, "false: 0, exit status 1");
	ok(run(code, -1, &st) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "no limit: exit status 7");
	ok(run(yes, 5000, NULL) == 0, "status may be NULL");
}

static void not_found(void)
{
	char *missing[] = { "tether-no-such-program", NULL }, *abs[] = { "/nonexistent/prog", NULL };
	char plain[] = "/tmp/tether-noexec.XXXXXX";
	int fd = mkstemp(plain);
	char *noexec[] = { plain, NULL };

	errno = 0;
	ok(run(missing, 5000, NULL) < 0 && errno == ENOENT, "a program not in PATH: ENOENT");
	errno = 0;
	ok(run(abs, 5000, NULL) < 0 && errno == ENOENT, "a missing absolute path: ENOENT");
	errno = 0;
	ok(run(noexec, 5000, NULL) < 0 && errno == EACCES, "a file that is not executable: EACCES");
	close(fd);
	unlink(plain);
}

static void environment(void)
{
	char *stdin_null[] = { "sh", "-c", "test \"$(readlink /proc/self/fd/0)\" = /dev/null", NULL };
	char *killed[] = { "sh", "-c", "kill -TERM $$", NULL };
	int st = -1;

	ok(run(stdin_null, 5000, &st) == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "stdin is /dev/null");
	ok(run(killed, 5000, &st) == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "death by signal is reported");
}

static void timeout(void)
{
	char *slow[] = { "sleep", "10", NULL };
	int st = -1, fds = open_fds();
	long t0 = now_ms();

	errno = 0;
	ok(run(slow, 200, &st) < 0 && errno == ETIMEDOUT, "past its limit: ETIMEDOUT");
	long took = now_ms() - t0;
	ok(took >= 200 && took < 2000, "the limit holds (%ld ms)", took);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the program was killed");
	errno = 0;
	ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "and reaped: no child left");
	is_int(open_fds(), fds, "no descriptor leaked");
}

int main(void)
{
	exits();
	not_found();
	environment();
	timeout();
	return tap_done();
}
