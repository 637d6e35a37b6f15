/* reaper CMD [ARG]...: run CMD under a child subreaper that reaps every
 * orphan at once, as a real init does. This machine's PID 1 reaps orphans
 * only every second or two, and a zombie still answers kill(pid, 0), which
 * would make start-stop-daemon and friends wait for the dead.
 * Exit: CMD's status; 100 usage, 111 system error. */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

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
	return code;
}
