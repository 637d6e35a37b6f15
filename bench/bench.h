/* What the bench helpers (race.c, restart_probe.c) share: a monotonic
 * clock and /proc readers. Static, since each helper is built alone from
 * its one .c file (bench/run). */
#ifndef TETHER_BENCH_H
#define TETHER_BENCH_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PATH_BUF 64

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* /proc/PID/FILE into buf, NUL-terminated: its length, or -1. */
static ssize_t proc_read(const char *pid, const char *file, char *buf, size_t cap)
{
	char path[BENCH_PATH_BUF];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%s/%s", pid, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/* PID's /proc/PID/stat fields after the last ')' (state first), if the
 * process is live (not Z or X); else NULL. buf holds the text. */
static const char *proc_live_stat(const char *pid, char *buf, size_t cap)
{
	char *p;

	if (proc_read(pid, "stat", buf, cap) <= 0 || !(p = strrchr(buf, ')')) || !p[1] || !p[2])
		return NULL;
	return p[2] == 'Z' || p[2] == 'X' ? NULL : p + 2;
}

#endif
