/* floor_stat [-x] PIDFILE: for each pid in PIDFILE (whitespace-separated),
 * open, read and close /proc/<pid>/stat: the least any liveness check
 * per record can cost, the floor of the sweep benchmark. With -x, also
 * stat /proc/<pid>/exe, as tether's identity check does: the kernel work
 * of that check, without reading a record.
 * Exit: 0; 1 if a stat file could not be read; 100 usage; 111 system error. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAT_BUF 1024
#define PATH_BUF 32

int main(int argc, char **argv)
{
	char path[PATH_BUF], buf[STAT_BUF];
	struct stat sb;
	FILE *f;
	int pid, fd, bad = 0, exe = argc == 3 && !strcmp(argv[1], "-x");

	if (argc != 2 + exe) {
		fputs("usage: floor_stat [-x] PIDFILE\n", stderr);
		return 100;
	}
	f = fopen(argv[1 + exe], "r");
	if (!f) {
		perror(argv[1 + exe]);
		return 111;
	}
	while (fscanf(f, "%d", &pid) == 1) {
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, sizeof buf) <= 0)
			bad = 1;
		if (fd >= 0)
			close(fd);
		if (exe) {
			snprintf(path, sizeof path, "/proc/%d/exe", pid);
			if (stat(path, &sb) < 0)
				bad = 1;
		}
	}
	fclose(f);
	return bad;
}
