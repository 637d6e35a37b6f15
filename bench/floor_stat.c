/* floor_stat PIDFILE: for each pid in PIDFILE (whitespace-separated),
 * open, read and close /proc/<pid>/stat: the least any liveness check
 * per record can cost, the floor of the sweep benchmark.
 * Exit: 0; 1 if a stat file could not be read; 100 usage; 111 system error. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define STAT_BUF 1024
#define PATH_BUF 32

int main(int argc, char **argv)
{
	char path[PATH_BUF], buf[STAT_BUF];
	FILE *f;
	int pid, fd, bad = 0;

	if (argc != 2) {
		fputs("usage: floor_stat PIDFILE\n", stderr);
		return 100;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 111;
	}
	while (fscanf(f, "%d", &pid) == 1) {
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, sizeof buf) <= 0)
			bad = 1;
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
	return bad;
}
