/* lock: flock on a state-dir file, and a waiter whose lock file is
 * unlinked by its holder (list --prune does): it must end up holding the
 * file now at the path, not the unlinked one no later taker will open. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctx.h"
#include "lock.h"
#include "tap.h"

#define LOCK "n.lock"

/* In a child: take LOCK and report whether the fd is the file at the
 * path (exit 0), an unlinked one (exit 1), or none (exit 2). */
static void taker(struct tether_ctx *ctx, int dirfd, int inherited)
{
	struct stat held, path;
	int fd;

	close(inherited);  /* the holder's lock is its open file, shared by fork */
	fd = lock_take(ctx, dirfd, LOCK, LOCK_EX);

	if (fd < 0)
		_exit(2);
	if (fstat(fd, &held) < 0 || fstatat(dirfd, LOCK, &path, AT_SYMLINK_NOFOLLOW) < 0)
		_exit(1);
	_exit(held.st_ino == path.st_ino && held.st_nlink > 0 ? 0 : 1);
}

/* Whether pid is blocked (state S) rather than running or gone. */
static int sleeping(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd, n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = (int)read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static void test_unlinked_while_held(struct tether_ctx *ctx, int dirfd)
{
	int fd = lock_take(ctx, dirfd, LOCK, LOCK_EX), st = -1, tries = 0;
	pid_t pid;

	ok(fd >= 0, "lock_take creates and locks %s", LOCK);
	pid = fork();
	if (pid == 0)
		taker(ctx, dirfd, fd);
	while (!sleeping(pid) && tries++ < 2000)
		usleep(1000);
	ok(sleeping(pid), "a second taker waits on it");
	ok(unlinkat(dirfd, LOCK, 0) == 0, "the holder unlinks the lock file");
	lock_release(fd);
	waitpid(pid, &st, 0);
	is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
	       "the waiter ends up holding the file at the path, not the unlinked one");
	fd = lock_take(ctx, dirfd, LOCK, LOCK_EX | LOCK_NB);
	ok(fd >= 0, "and released it: a later LOCK_NB take succeeds");
	lock_release(fd);
}

static void test_plain(struct tether_ctx *ctx, int dirfd)
{
	int a = lock_take(ctx, dirfd, LOCK, LOCK_EX), b, st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		close(a);
		b = lock_take(ctx, dirfd, LOCK, LOCK_EX | LOCK_NB);
		_exit(b < 0 && errno == EWOULDBLOCK ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ok(a >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "a held lock: another LOCK_NB take fails with EWOULDBLOCK");
	lock_release(a);
}

int main(void)
{
	char dir[] = "/tmp/tether-lock.XXXXXX";
	struct tether_ctx ctx;
	int dirfd = -1;

	if (!mkdtemp(dir) || (dirfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		tap_skip_all("no temp dir");
	ctx_init(&ctx);
	test_plain(&ctx, dirfd);
	test_unlinked_while_held(&ctx, dirfd);
	unlinkat(dirfd, LOCK, 0);
	close(dirfd);
	rmdir(dir);
	return tap_done();
}
