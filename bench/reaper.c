/* reaper CMD [ARG]...: run CMD under a child subreaper that reaps every
 * orphan at once, as a real init does. This machine's PID 1 reaps orphans
 * only every second or two, and a zombie still answers kill(pid, 0), which
 * would make start-stop-daemon and friends wait for the dead.
 *
 * When CMD exits, whatever it left behind has become our child (detached
 * daemons, a supervision tree whose scanner died): each gets TERM, and
 * KILL after a grace, so a benchmark never leaves a process running.
 * Exit: CMD's status; 100 usage; 111 system error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GRACE_MS 2000
#define STEP_MS 20
#define PATH_BUF 64

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Send sig to every live child of ours; return how many there were. */
static int signal_children(int sig)
{
	char path[PATH_BUF], buf[1024], *p;
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0, fd, pid;
	ssize_t len;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pid = atoi(e->d_name);
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		len = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		/* "pid (comm) S ppid ...": fields after the last ')'. */
		if (!(p = strrchr(buf, ')')) || strlen(p) < 5 || p[2] == 'Z' || p[2] == 'X')
			continue;
		if (atoi(p + 4) == (int)getpid()) {
			kill(pid, sig);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void stop_leftovers(void)
{
	const struct timespec step = { 0, STEP_MS * 1000000L };

	for (int waited = 0; waited < GRACE_MS; waited += STEP_MS) {
		reap();
		if (!signal_children(SIGTERM))
			return;
		nanosleep(&step, NULL);
	}
	signal_children(SIGKILL);
	nanosleep(&step, NULL);
	reap();
}

int main(int argc, char **argv)
{
	pid_t child, p;
	int st, code = 111;

	if (argc < 2) {
		fputs("usage: reaper CMD [ARG]...\n", stderr);
		return 100;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("reaper: prctl PR_SET_CHILD_SUBREAPER");
		return 111;
	}
	child = fork();
	if (child < 0) {
		perror("reaper: fork");
		return 111;
	}
	if (child == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	for (;;) {
		p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			break;
		if (p == child) {
			code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
	}
	stop_leftovers();
	return code;
}
