#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "procfs.h"
#include "sys.h"

#define STAT_FIELD_STATE 3
#define STAT_FIELD_PPID 4
#define STAT_FIELD_START 22
#define BOOT_ID_PATH "sys/kernel/random/boot_id"

int procfs_path(const struct tether_ctx *ctx, int pid, const char *name, char *buf, size_t cap)
{
	size_t n = pid < 0 ? fmt(buf, cap, "%s/%s", ctx->proc_root, name)
			   : fmt(buf, cap, "%s/%d/%s", ctx->proc_root, pid, name);
	if (n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* One read: procfs makes the whole file for it (a second read would only
 * return 0 and cost a syscall per process in a sweep), and openat, since
 * musl's open() follows O_CLOEXEC with an fcntl for kernels before 2.6.23. */
static ssize_t read_path(const char *path, char *buf, size_t cap)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, cap - 1);
	while (n < 0 && errno == EINTR);
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e == EINVAL ? ESRCH : e;  /* reading a reaped task */
		return -1;
	}
	buf[n] = 0;
	return n;
}

ssize_t procfs_read(const struct tether_ctx *ctx, int pid, const char *name, char *buf, size_t cap)
{
	char path[PATH_MAX];

	if (procfs_path(ctx, pid, name, path, sizeof path) < 0)
		return -1;
	return read_path(path, buf, cap);
}

char *procfs_arg_next(char *buf, size_t n, size_t cap, size_t *at)
{
	size_t i = *at;
	char *nul;

	n = n < cap ? n : cap;
	if (i >= n)
		return NULL;
	nul = memchr(buf + i, 0, n - i);
	if (nul) {
		*at = (size_t)(nul - buf) + 1;
		return buf + i;
	}
	*at = n;
	if (n + 1 >= cap)
		return NULL;
	buf[n] = 0;
	return buf + i;
}

ssize_t procfs_readlink(const struct tether_ctx *ctx, int pid, const char *name, char *buf, size_t cap)
{
	char path[PATH_MAX];

	if (procfs_path(ctx, pid, name, path, sizeof path) < 0)
		return -1;
	ssize_t n = readlink(path, buf, cap - 1);
	if (n < 0)
		return -1;
	if ((size_t)n >= cap - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = 0;
	return n;
}

/* Does entry (len bytes, "NAME=value") set name? Copies the value and
 * returns its length, or -2. */
static ssize_t env_match(const char *entry, size_t len, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name);

	if (len <= k || memcmp(entry, name, k) || entry[k] != '=')
		return -2;
	return (ssize_t)fmt(out, cap, "%.*s", (int)(len - k - 1), entry + k + 1);
}

ssize_t procfs_env_scan(int fd, const char *name, char *out, size_t cap)
{
	char buf[PROCFS_ENV_CHUNK];
	size_t fill = 0;
	int skipping = 0;
	ssize_t r;

	for (;;) {
		ssize_t n = read(fd, buf + fill, sizeof buf - fill);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return skipping ? -2 : env_match(buf, fill, name, out, cap);
		size_t have = fill + (size_t)n, start = 0;
		for (size_t i = fill; i < have; i++) {
			if (buf[i])
				continue;
			if (!skipping && (r = env_match(buf + start, i - start, name, out, cap)) >= 0)
				return r;
			skipping = 0;
			start = i + 1;
		}
		fill = have - start;
		/* Forward, byte by byte: no memmove, which is 600 B of musl's
		 * on MIPS, for a partial entry of at most a chunk. */
		for (size_t i = 0; i < fill; i++)
			buf[i] = buf[start + i];
		if (fill == sizeof buf) {
			skipping = 1;
			fill = 0;
		}
	}
}

ssize_t procfs_environ(const struct tether_ctx *ctx, int pid, const char *name, char *out, size_t cap)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd;

	if (procfs_path(ctx, pid, "environ", path, sizeof path) < 0)
		return -1;
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	r = procfs_env_scan(fd, name, out, cap);
	sys_close_keep_errno(fd);
	return r;
}

int procfs_pidns(struct tether_ctx *ctx)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!ctx->pidns_read) {
		ctx->pidns_read = 1;
		if (procfs_path(ctx, -1, "self/ns/pid", path, sizeof path) == 0 && stat(path, &sb) == 0 && sb.st_ino) {
			ctx->pidns_dev = (unsigned long long)sb.st_dev;
			ctx->pidns_ino = (unsigned long long)sb.st_ino;
		}
	}
	return ctx->pidns_ino ? 0 : -1;
}

int procfs_exe_id(const struct tether_ctx *ctx, int pid, unsigned long long *dev, unsigned long long *ino)
{
	char path[PATH_MAX];
	struct stat sb;

	if (procfs_path(ctx, pid, "exe", path, sizeof path) < 0 || stat(path, &sb) < 0)
		return -1;
	*dev = (unsigned long long)sb.st_dev;
	*ino = (unsigned long long)sb.st_ino;
	return 0;
}

/* A decimal field ending in a blank (every field we read has more after
 * it, so a cut-off line never yields a short number); *p advances past
 * the digits. Only digits are accepted. */
static int field_num(const char **p, const char *end, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		/* by multiplying: a 64-bit division is a libgcc call on 32-bit */
		if (v > ULLONG_MAX / 10 || v * 10 > ULLONG_MAX - d)
			return -1;
		v = v * 10 + d;
	}
	if (s >= end || (*s != ' ' && *s != '\n'))
		return -1;
	*p = s;
	*out = v;
	return 0;
}

static int skip_field(const char **p, const char *end)
{
	const char *s = *p;

	while (s < end && *s != ' ' && *s != '\n')
		s++;
	if (s == *p)
		return -1;
	*p = s;
	return 0;
}

int procfs_parse_stat(const char *buf, size_t len, struct proc_stat *st)
{
	const char *end = buf + len, *open, *close = NULL, *p;
	unsigned long long v;

	memset(st, 0, sizeof *st);
	p = buf;
	if (field_num(&p, end, &v) < 0 || v > INT_MAX || p + 1 >= end || p[0] != ' ' || p[1] != '(')
		goto bad;
	st->pid = (int)v;
	open = p + 2;
	for (const char *s = open; (s = memchr(s, ')', (size_t)(end - s))); s++)
		close = s;
	if (!close || (size_t)(close - open) >= sizeof st->comm)
		goto bad;
	memcpy(st->comm, open, (size_t)(close - open));
	for (size_t i = 0; i < (size_t)(close - open); i++)
		if (!st->comm[i])
			goto bad;
	p = close + 1;
	for (int field = STAT_FIELD_STATE; field <= STAT_FIELD_START; field++) {
		if (p >= end || *p != ' ')
			goto bad;
		p++;
		if (field == STAT_FIELD_STATE) {
			if (p + 1 >= end || p[1] != ' ' || p[0] < 'A' || p[0] > 'z')
				goto bad;
			st->state = *p++;
		} else if (field == STAT_FIELD_PPID || field == STAT_FIELD_START) {
			if (field_num(&p, end, &v) < 0)
				goto bad;
			if (field == STAT_FIELD_PPID) {
				if (v > INT_MAX)
					goto bad;
				st->ppid = (int)v;
			} else {
				st->start = v;
			}
		} else if (skip_field(&p, end) < 0) {
			goto bad;
		}
	}
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

int procfs_stat(const struct tether_ctx *ctx, int pid, struct proc_stat *st)
{
	char buf[PROC_STAT_MAX];
	ssize_t n = procfs_read(ctx, pid, "stat", buf, sizeof buf);

	if (n < 0)
		return -1;
	if (procfs_parse_stat(buf, (size_t)n, st) < 0)
		return -1;
	if (st->pid != pid) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/*
 * qemu-user intercepts /proc/self/stat and /proc/<own pid>/stat and
 * synthesizes them (its start time is its own estimate), but passes
 * /proc/<pid>/task/<pid>/stat through to the kernel. A thread-group
 * leader's task stat carries the process's start time, so reading it
 * keeps `tether exec` under qemu consistent with later readers.
 */
int procfs_self_stat(const struct tether_ctx *ctx, struct proc_stat *st)
{
	char name[64], buf[PROC_STAT_MAX];
	int pid = (int)getpid();
	ssize_t n;

	fmt(name, sizeof name, "task/%d/stat", pid);
	n = procfs_read(ctx, pid, name, buf, sizeof buf);
	if (n < 0 && errno == ENOENT)
		return procfs_stat(ctx, pid, st);
	if (n < 0 || procfs_parse_stat(buf, (size_t)n, st) < 0)
		return -1;
	if (st->pid != pid) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int procfs_available(struct tether_ctx *ctx)
{
	char path[PATH_MAX];

	/* Our pid namespace is read from /proc anyway (ident_check): that it
	 * is there answers too, without a syscall of its own. */
	if (!ctx->proc_seen)
		ctx->proc_seen = procfs_pidns(ctx) == 0 ||
				 (procfs_path(ctx, -1, "self/stat", path, sizeof path) == 0 && access(path, R_OK) == 0) ||
				 (procfs_path(ctx, 1, "stat", path, sizeof path) == 0 && access(path, R_OK) == 0);
	return ctx->proc_seen;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int procfs_parse_boot_id(const char *buf, size_t len, char out[BOOT_ID_LEN + 1])
{
	if (len < BOOT_ID_LEN || (len > BOOT_ID_LEN && !(len == BOOT_ID_LEN + 1 && buf[BOOT_ID_LEN] == '\n')))
		goto bad;
	for (int i = 0; i < BOOT_ID_LEN; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? buf[i] != '-' : !is_hex(buf[i]))
			goto bad;
	}
	memcpy(out, buf, BOOT_ID_LEN);
	out[BOOT_ID_LEN] = 0;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

int procfs_boot_id(struct tether_ctx *ctx)
{
	char buf[64];
	ssize_t n;

	if (ctx->boot_read)
		return ctx->boot_id[0] ? 0 : -1;
	ctx->boot_read = 1;
	ctx->boot_id[0] = 0;
	n = procfs_read(ctx, -1, BOOT_ID_PATH, buf, sizeof buf);
	if (n < 0)
		return -1;
	return procfs_parse_boot_id(buf, (size_t)n, ctx->boot_id);
}
