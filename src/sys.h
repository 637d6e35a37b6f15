#ifndef TETHER_SYS_H
#define TETHER_SYS_H

#include <stddef.h>
#include <sys/types.h>

/* System-call helpers every module shares: EINTR-safe whole reads and
 * writes, a monotonic millisecond clock, the working directory. */

/* Read until EOF or cap bytes. Returns the count, or -1 with errno. */
ssize_t sys_read_full(int fd, void *buf, size_t cap);
/* Write all n bytes. 0, or -1 with errno. */
int sys_write_all(int fd, const void *buf, size_t n);
#define MS_PER_S 1000

/* close(2) on a path that returns an error: errno stays the error's. */
void sys_close_keep_errno(int fd);
/* Milliseconds on CLOCK_MONOTONIC. */
long long now_ms(void);
void sleep_ms(int ms);
/* Sleep *ms, but not past end (now_ms's clock), then double *ms up to
 * max: a poll loop that notices a fast change within a millisecond or
 * two, a slow one at max's cost, and its deadline on time. */
void sleep_backoff(int *ms, int max, long long end);
/* getcwd(3) into buf, without musl's getcwd, which links strdup and so
 * malloc for the buf == NULL case. NULL with errno (ENOENT for a cwd
 * outside our root, ERANGE if it does not fit). */
char *sys_getcwd(char *buf, size_t size);
/* Open /dev/null on whichever of fds 0-2 is closed (else "/", read-only,
 * where there is no /dev/null yet), so that no file tether opens later
 * becomes its stdout or stderr and takes its messages. */
void sys_std_fds(void);
/* fork(2) as _Fork: see sys.c. */
pid_t sys_fork(void);

#endif
