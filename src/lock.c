#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "msg.h"

#define LOCK_MODE 0600

/* Whether fd is still the file at dirfd/file: a holder that unlinks its
 * lock file (list --prune) leaves a waiter holding a lock on a file no
 * one else will open again. */
static int still_linked(int dirfd, const char *file, const struct stat *held)
{
	struct stat now;

	return fstatat(dirfd, file, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	       now.st_dev == held->st_dev && now.st_ino == held->st_ino;
}

int lock_take(struct tether_ctx *ctx, int dirfd, const char *file, int how)
{
	struct stat sb;
	int fd;

again:
	fd = openat(dirfd, file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, LOCK_MODE);
	if (fd < 0) {
		if (errno == ELOOP)
			msg_error(ctx, "lock %s refused: it is a symlink", file);
		else
			msg_syserr(ctx, "open lock", file);
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (sb.st_uid != 0 && sb.st_uid != geteuid())) {
		msg_error(ctx, "lock %s refused: not a regular file owned by root or uid %d", file, (int)geteuid());
		close(fd);
		errno = EPERM;
		return -1;
	}
	while (flock(fd, how) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		if (e != EWOULDBLOCK)
			msg_syserr(ctx, "flock", file);
		close(fd);
		errno = e;
		return -1;
	}
	if (!still_linked(dirfd, file, &sb)) {
		close(fd);
		goto again;
	}
	return fd;
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
