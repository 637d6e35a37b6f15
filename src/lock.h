#ifndef TETHER_LOCK_H
#define TETHER_LOCK_H

#include "ctx.h"

/*
 * flock(2) locks on files in the state dir, each with one purpose:
 * NAME.lock guards a record's read-modify-write, NAME.spawn a spawn (up),
 * SOCKET.lock a bind. The one nesting is NAME.spawn, then NAME.lock
 * inside it; nothing takes NAME.spawn while it holds NAME.lock.
 * A dead holder's lock vanishes with its file descriptors. A holder may
 * unlink its lock file: a waiter that then gets the lock on the unlinked
 * file sees so and takes the file now at the path instead.
 */

/* Open (creating 0600) dirfd/file and flock it. how: LOCK_EX or LOCK_SH,
 * optionally | LOCK_NB. Refuses a lock file that is a symlink or not a
 * regular file owned by root or us. Returns a CLOEXEC fd, or -1 (errno
 * EWOULDBLOCK when LOCK_NB and held; the reason is printed otherwise). */
int lock_take(struct tether_ctx *ctx, int dirfd, const char *file, int how);
void lock_release(int fd);

#endif
