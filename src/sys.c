#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libc.h"
#include "sys.h"

#define NS_PER_MS 1000000

ssize_t sys_read_full(int fd, void *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t n = read(fd, (char *)buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

int sys_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS;
}

/* poll, not nanosleep: on 32-bit musl nanosleep is clock_nanosleep and
 * its time64 fallback, 500 B on MIPS; poll is less, and the control
 * socket links it anyway. */
void sleep_ms(int ms)
{
	long long end = now_ms() + ms;

	for (long long left = ms; left > 0; left = end - now_ms())
		poll(NULL, 0, (int)left);
}

char *sys_getcwd(char *buf, size_t size)
{
	long n = syscall(SYS_getcwd, buf, size);

	if (n < 0)
		return NULL;
	if (n == 0 || buf[0] != '/') {  /* "(unreachable)/...": not under our root */
		errno = ENOENT;
		return NULL;
	}
	return buf;
}

void sleep_backoff(int *ms, int max, long long end)
{
	long long left = end - now_ms();

	if (left > 0)
		sleep_ms(left < *ms ? (int)left : *ms);
	*ms = *ms >= max / 2 ? max : *ms * 2;
}

/* One poll tells which are closed: POLLNVAL. open returns the lowest
 * free fd, so filling them in order fills the closed ones. */
void sys_std_fds(void)
{
	struct pollfd p[3] = { { .fd = 0 }, { .fd = 1 }, { .fd = 2 } };

	if (poll(p, 3, 0) < 0)
		return;
	for (int i = 0; i < 3; i++) {
		if (!(p[i].revents & POLLNVAL))
			continue;
		if (open("/dev/null", O_RDWR | O_NOCTTY) < 0)
			open("/", O_RDONLY | O_DIRECTORY);
	}
}

/* libc's fork() takes and resets the locks a threaded program needs
 * (malloc's, stdio's, the thread list's): 2.3 KB of musl on MIPS, for a
 * program with one thread that uses neither. _Fork (musl 1.2.2, glibc
 * 2.34) is the bare system call with libc's own bookkeeping. ASan
 * intercepts fork(), so a sanitized build keeps it. An older C library
 * (musl has no version macro) is found by the Makefile's probe, libc.h. */
pid_t sys_fork(void)
{
#if HAVE__FORK && !defined(__SANITIZE_ADDRESS__)
	return _Fork();
#else
	return fork();
#endif
}

void sys_close_keep_errno(int fd)
{
	int e = errno;

	close(fd);
	errno = e;
}
