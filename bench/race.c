/* race ROUNDS TETHER NAME TOKEN: the 8-way start race, ROUNDS times.
 *
 * A round: 8 concurrent `TETHER start -n NAME -- sleep TOKEN`, wait for all
 * eight, count live `sleep TOKEN` processes (must be exactly 1), then
 * `TETHER stop -n NAME` and count again: no live child of ours may remain
 * (tether start double-forks; as child subreaper we inherit every process
 * it leaves behind, so an orphan is any live child left after the stop).
 * Zombies are reaped at once and never counted.
 *
 * Prints: ROUNDS SECONDS RACE_MS_MEDIAN BAD_SURVIVOR_ROUNDS ORPHANS
 * Exit: 0 if every round had one survivor and no orphan; 1 otherwise;
 * 100 usage; 111 system error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define RACERS 8
#define ROUNDS_MAX 10000
#define SETTLE_MS 1000
#define CMDLINE_MAX 4096

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static pid_t run(char *const argv[])
{
	pid_t p = fork();

	if (p < 0) {
		perror("race: fork");
		exit(111);
	}
	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return p;
}

/* Live processes that run `sleep TOKEN` (want_ppid 0) or are our
 * children (want_ppid = our pid). */
static int count(const char *token, int want_ppid)
{
	char stat[1024], cmd[CMDLINE_MAX];
	const char *p;
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	ssize_t len;

	if (!d) {
		perror("race: opendir /proc");
		exit(111);
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (!(p = proc_live_stat(e->d_name, stat, sizeof stat)))
			continue;
		if (want_ppid) {
			n += atoi(p + 2) == want_ppid;
			continue;
		}
		len = proc_read(e->d_name, "cmdline", cmd, sizeof cmd);
		if (len > 1 && !strcmp(cmd, "sleep") && (size_t)len == strlen("sleep") + strlen(token) + 2 &&
		    !strcmp(cmd + strlen("sleep") + 1, token))
			n++;
	}
	closedir(d);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static double race_ms[ROUNDS_MAX];
	int rounds, bad = 0, orphans = 0, me = (int)getpid(), left;
	double t0, t, end;
	pid_t racers[RACERS];

	if (argc != 5 || (rounds = atoi(argv[1])) < 1 || rounds > ROUNDS_MAX) {
		fputs("usage: race ROUNDS(1-10000) TETHER NAME TOKEN\n", stderr);
		return 100;
	}
	char *start[] = { argv[2], "start", "-n", argv[3], "--", "sleep", argv[4], NULL };
	char *stop[] = { argv[2], "stop", "-n", argv[3], NULL };
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("race: prctl PR_SET_CHILD_SUBREAPER");
		return 111;
	}
	t0 = now_ms();
	for (int r = 0; r < rounds; r++) {
		t = now_ms();
		for (int i = 0; i < RACERS; i++)
			racers[i] = run(start);
		for (int i = 0; i < RACERS; i++)
			while (waitpid(racers[i], NULL, 0) < 0 && errno == EINTR)
				;
		race_ms[r] = now_ms() - t;
		bad += count(argv[4], 0) != 1;
		waitpid(run(stop), NULL, 0);
		/* A child that is still exiting is not an orphan: let it finish. */
		for (end = now_ms() + SETTLE_MS; reap(), (left = count(argv[4], me)) && now_ms() < end;)
			usleep(1000);
		orphans += left;
	}
	t = (now_ms() - t0) / 1e3;
	qsort(race_ms, (size_t)rounds, sizeof *race_ms, cmp_double);
	printf("%d %.3f %.3f %d %d\n", rounds, t, race_ms[rounds / 2], bad, orphans);
	return bad || orphans;
}
