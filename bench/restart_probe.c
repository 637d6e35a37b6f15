/* restart_probe TOKEN -- CMD [ARG]...: how long until a restart is done.
 *
 * The daemon is the one live process running `sleep TOKEN` (argv[0] with
 * basename sleep, last argument TOKEN). Before CMD runs there must be
 * exactly one. The clock starts when CMD is forked and stops once CMD has
 * exited *and* a live `sleep TOKEN` with another pid has exec'd: the new
 * identity is observable. CMD's stdout goes to /dev/null. Polling starts
 * only after CMD exits, so the probe takes no CPU from the command it
 * measures.
 *
 * Prints: MS OLDPID NEWPID LIVE CMDSTATUS, LIVE being how many live copies
 * of the daemon there were at that moment (a double spawn shows as 2).
 * Zombies (state Z/X) never count. Exit: 0; 1 CMD failed or no new
 * identity within the deadline; 100 usage; 111 system error. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define DEADLINE_MS 30000
#define POLL_NS 200000L
#define CMDLINE_MAX 4096

/* Live (not Z or X). */
static int live(const char *pid)
{
	char buf[1024];

	return proc_live_stat(pid, buf, sizeof buf) != NULL;
}

static int is_daemon(const char *pid, const char *token)
{
	char buf[CMDLINE_MAX], *base, *last;
	ssize_t n;

	n = proc_read(pid, "cmdline", buf, sizeof buf);
	if (n <= 1 || buf[n - 1])
		return 0;
	base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	last = buf + n - 2;
	while (last > buf && last[-1])
		last--;
	return last != buf && !strcmp(base, "sleep") && !strcmp(last, token) && live(pid);
}

/* Live copies of the daemon; *other is one whose pid is not skip (or 0). */
static int scan(const char *token, int skip, int *other)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int count = 0, pid;

	if (!d) {
		perror("restart_probe: opendir /proc");
		exit(111);
	}
	*other = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || !is_daemon(e->d_name, token))
			continue;
		count++;
		pid = atoi(e->d_name);
		if (pid != skip)
			*other = pid;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	const struct timespec poll = { 0, POLL_NS };
	int old, fresh, count, st;
	double t0, t1;
	pid_t child;

	if (argc < 4 || strcmp(argv[2], "--")) {
		fputs("usage: restart_probe TOKEN -- CMD [ARG]...\n", stderr);
		return 100;
	}
	if (scan(argv[1], 0, &old) != 1) {
		fprintf(stderr, "restart_probe: want exactly one live `sleep %s` before the restart\n", argv[1]);
		return 1;
	}
	t0 = now_ms();
	child = fork();
	if (child < 0) {
		perror("restart_probe: fork");
		return 111;
	}
	if (child == 0) {
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(111);
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	if (waitpid(child, &st, 0) < 0) {
		perror("restart_probe: waitpid");
		return 111;
	}
	for (;;) {
		count = scan(argv[1], old, &fresh);
		t1 = now_ms();
		if (fresh || t1 - t0 > DEADLINE_MS)
			break;
		nanosleep(&poll, NULL);
	}
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	printf("%.3f %d %d %d %d\n", t1 - t0, old, fresh, count, st);
	return st || !fresh;
}
