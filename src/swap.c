#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "msg.h"
#include "swap.h"
#include "sys.h"

#define COPY_CHUNK 65536

static int fsync_dir_of(struct tether_ctx *ctx, const char *path)
{
	char dir[PATH_MAX];

	fmt(dir, sizeof dir, "%s", path);
	int fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL)) {
		msg_syserr(ctx, "fsync dir of", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* "DIR/.BASE.tether-TAG.PID" beside path. */
static int sibling(char *buf, const char *path, const char *tag)
{
	char copy[PATH_MAX], copy2[PATH_MAX];

	fmt(copy, sizeof copy, "%s", path);
	fmt(copy2, sizeof copy2, "%s", path);
	return fmt(buf, PATH_MAX, "%s/.%s.tether-%s.%d", dirname(copy), basename(copy2), tag, (int)getpid())
	       >= PATH_MAX ? -1 : 0;
}

static int copy_fd(int in, int out)
{
	char buf[COPY_CHUNK];
	ssize_t n;

	while ((n = sys_read_full(in, buf, sizeof buf)) > 0)
		if (sys_write_all(out, buf, (size_t)n) < 0)
			return -1;
	return (int)n;
}

/* Copy src to a new file dst with mode and owner like, fsync'd. */
static int copy_file(struct tether_ctx *ctx, const char *src, const char *dst, const struct stat *like)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, r = -1;

	if (in < 0) {
		msg_syserr(ctx, "open", src);
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, like->st_mode & 07777);
	if (out < 0) {
		msg_syserr(ctx, "create", dst);
	} else if (copy_fd(in, out) < 0 || fchmod(out, like->st_mode & 07777) < 0) {
		msg_syserr(ctx, "copy to", dst);
	} else if (geteuid() == 0 && fchown(out, like->st_uid, like->st_gid) < 0) {
		msg_syserr(ctx, "chown", dst);
	} else if (fsync(out) < 0) {
		msg_syserr(ctx, "fsync", dst);
	} else {
		r = 0;
	}
	close(in);
	if (out >= 0)
		close(out);
	if (r < 0 && out >= 0)
		unlink(dst);
	return r;
}

/* Keep target as s->old: a hard link where the filesystem has them. */
static int keep_old(struct tether_ctx *ctx, struct swap *s, const struct stat *tsb)
{
	char tmp[PATH_MAX];

	if (sibling(tmp, s->target, "old") < 0)
		return -1;
	unlink(tmp);
	if (link(s->target, tmp) < 0 && copy_file(ctx, s->target, tmp, tsb) < 0)
		return -1;
	if (rename(tmp, s->old) < 0) {
		msg_syserr(ctx, "rename", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int swap_install(struct tether_ctx *ctx, const char *newbin, const char *target, struct swap *s)
{
	char tmp[PATH_MAX];
	struct stat tsb, nsb;

	memset(s, 0, sizeof *s);
	if (fmt(s->target, sizeof s->target, "%s", target) >= sizeof s->target ||
	    fmt(s->old, sizeof s->old, "%s" SWAP_OLD_SUFFIX, target) >= sizeof s->old || sibling(tmp, target, "new") < 0) {
		errno = ENAMETOOLONG;
		msg_syserr(ctx, "target", target);
		return -1;
	}
	if (lstat(target, &tsb) < 0 || !S_ISREG(tsb.st_mode)) {
		msg_error(ctx, "target %s must be an existing regular file (not a symlink)", target);
		return -1;
	}
	s->old_dev = (unsigned long long)tsb.st_dev;
	s->old_ino = (unsigned long long)tsb.st_ino;
	unlink(tmp);
	if (copy_file(ctx, newbin, tmp, &tsb) < 0)
		return -1;
	if (keep_old(ctx, s, &tsb) < 0 || fsync_dir_of(ctx, target) < 0 || stat(tmp, &nsb) < 0) {
		unlink(tmp);
		return -1;
	}
	s->new_dev = (unsigned long long)nsb.st_dev;
	s->new_ino = (unsigned long long)nsb.st_ino;
	if (rename(tmp, target) < 0) {
		msg_syserr(ctx, "rename over", target);
		unlink(tmp);
		return -1;
	}
	return fsync_dir_of(ctx, target);
}

int swap_rollback(struct tether_ctx *ctx, struct swap *s)
{
	char tmp[PATH_MAX];
	struct stat osb;

	if (sibling(tmp, s->target, "rollback") < 0 || stat(s->old, &osb) < 0) {
		msg_syserr(ctx, "rollback copy", s->old);
		return -1;
	}
	unlink(tmp);
	if (link(s->old, tmp) < 0 && copy_file(ctx, s->old, tmp, &osb) < 0)
		return -1;
	if (rename(tmp, s->target) < 0) {
		msg_syserr(ctx, "rename over", s->target);
		unlink(tmp);
		return -1;
	}
	return fsync_dir_of(ctx, s->target);
}
