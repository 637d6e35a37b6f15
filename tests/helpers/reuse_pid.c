/*
 * reuse_pid TETHER DELAY_MS IMPOSTOR [ARG]...
 *
 * Run as PID 1 of a fresh PID namespace (unshare --pid --fork
 * --mount-proc). Records a daemon with `tether exec -n victim -- sleep`,
 * kills and reaps it, points ns_last_pid just below its pid and starts
 * IMPOSTOR, which so receives the recorded pid, DELAY_MS later. With
 * DELAY_MS 0 the victim is `true`, which exits by itself at once, and no
 * shell stands in between: the impostor then often starts in the very
 * clock tick the victim started in, so only the executable tells them
 * apart. Then asks tether, and prints one line of key=value results.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long start_of(pid_t pid, char *state)
{
	char path[64], buf[2048];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	unsigned long long v = 0;
	if (p && sscanf(p + 2, "%c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
			state, &v) == 2)
		return v;
	return 0;
}

static int comm_is(pid_t pid, const char *want)
{
	char path[64], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (!fgets(buf, sizeof buf, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return !strcmp(buf, want);
}

static int run(char *const argv[])
{
	int st;
	pid_t p = fork();

	if (p == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	char state;

	if (argc < 4) {
		fprintf(stderr, "usage: reuse_pid TETHER DELAY_MS IMPOSTOR [ARG]...\n");
		return 2;
	}
	const char *tether = argv[1];
	int delay = atoi(argv[2]);
	pid_t victim = fork();
	if (victim == 0) {
		if (delay)
			execl(tether, tether, "exec", "-n", "victim", "--", "sleep", "1000", (char *)NULL);
		else
			execl(tether, tether, "exec", "-n", "victim", "--", "true", (char *)NULL);
		_exit(127);
	}
	unsigned long long vstart = start_of(victim, &state);
	if (delay) {
		for (int i = 0; !comm_is(victim, "sleep"); i++) {
			if (i > 5000) {
				printf("error=victim never started\n");
				return 1;
			}
			sleep_ms(1);
		}
		kill(victim, SIGKILL);
	}
	int vst;
	waitpid(victim, &vst, 0);
	if (!delay && (!WIFEXITED(vst) || WEXITSTATUS(vst))) {
		printf("error=victim failed\n");
		return 1;
	}
	if (delay)
		sleep_ms(delay);
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	if (!f || fprintf(f, "%d", (int)victim - 1) < 0 || fclose(f) != 0) {
		printf("error=cannot write ns_last_pid\n");
		return 1;
	}
	pid_t imp = fork();
	if (imp == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	unsigned long long istart = start_of(imp, &state);
	while (comm_is(imp, "reuse_pid"))
		sleep_ms(1);
	char *status[] = { (char *)tether, "status", "-n", "victim", NULL };
	char *stop[] = { (char *)tether, "stop", "-n", "victim", "-t", "1", NULL };
	int st = run(status), sp = run(stop);
	start_of(imp, &state);
	int alive = waitpid(imp, NULL, WNOHANG) == 0 && state != 'Z';
	printf("victim=%d impostor=%d same_tick=%d ticks_apart=%llu status=%d stop=%d impostor_alive=%d\n",
	       (int)victim, (int)imp, vstart == istart, istart - vstart, st, sp, alive);
	kill(imp, SIGKILL);
	waitpid(imp, NULL, 0);
	return 0;
}
