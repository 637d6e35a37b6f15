#ifndef TETHER_PROCFS_H
#define TETHER_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

#include "ctx.h"

/*
 * Readers for /proc (or a prepared tree at ctx->proc_root). All return
 * 0 (or a length) on success and -1 with errno on failure: ENOENT/ESRCH
 * for a process that does not exist, EBADMSG for content that does not
 * parse, anything else from the system call.
 */

#define PROC_COMM_MAX 64
#define PROC_STAT_MAX 2048

struct proc_stat {
	int pid;
	char comm[PROC_COMM_MAX];  /* any bytes but NUL: spaces, ')', newlines */
	char state;                /* R S D Z T t X I ... */
	int ppid;
	unsigned long long start;  /* field 22: clock ticks since boot */
};

/* Parse one /proc/<pid>/stat line. comm is what lies between the first
 * '(' and the last ')'; fields are read after the last ')'. */
int procfs_parse_stat(const char *buf, size_t len, struct proc_stat *st);
int procfs_stat(const struct tether_ctx *ctx, int pid, struct proc_stat *st);
/* Our own stat, avoiding paths qemu-user fakes (see procfs.c). */
int procfs_self_stat(const struct tether_ctx *ctx, struct proc_stat *st);

/* Is there a usable proc tree at ctx->proc_root? A yes is cached. */
int procfs_available(struct tether_ctx *ctx);
/* Cached in ctx: "" (and -1) when unreadable or malformed. */
int procfs_boot_id(struct tether_ctx *ctx);
/* (dev, ino) of <root>/self/ns/pid, our pid namespace, cached in ctx;
 * -1 (pidns_ino 0) where it cannot be read: no /proc, kernel < 3.8. */
int procfs_pidns(struct tether_ctx *ctx);
int procfs_parse_boot_id(const char *buf, size_t len, char out[BOOT_ID_LEN + 1]);

/* Read <root>/<pid>/<name> (pid < 0: <root>/<name>) into buf, at most
 * cap - 1 bytes, NUL-terminated. Returns the length. */
ssize_t procfs_read(const struct tether_ctx *ctx, int pid, const char *name, char *buf, size_t cap);
/* The arguments in n bytes of buf, a buffer of cap bytes, as read from
 * <root>/<pid>/cmdline: each call returns the one at *at (0 first),
 * NUL-terminated, and moves *at past it; NULL when none is left. A NUL
 * ends each, so "a\0\0b" is "a", "", "b", and 0 bytes are none. The last
 * may lack its NUL (setproctitle): it is terminated at buf[n]; but when
 * n + 1 >= cap the read filled buf (procfs_read reads at most cap - 1)
 * and may have cut it, so it is dropped. Only bytes below min(n, cap) are
 * read. */
char *procfs_arg_next(char *buf, size_t n, size_t cap, size_t *at);
/* readlink of <root>/<pid>/<name> ("exe", "cwd"), NUL-terminated. */
ssize_t procfs_readlink(const struct tether_ctx *ctx, int pid, const char *name, char *buf, size_t cap);
/* (dev, ino) of the file <root>/<pid>/exe points at. */
int procfs_exe_id(const struct tether_ctx *ctx, int pid, unsigned long long *dev, unsigned long long *ino);
/* The value of name in <root>/<pid>/environ, or in a NUL-separated
 * environment read from fd: its whole length, as snprintf (out holds at
 * most cap - 1 bytes of it, NUL-terminated); -2 if no entry sets it; -1
 * with errno if it cannot be read. The first entry wins, as with getenv. The
 * stream may be of any size, read PROCFS_ENV_CHUNK bytes at a time; an
 * entry of that length or longer is skipped, and a last entry without
 * its NUL still counts. */
#define PROCFS_ENV_CHUNK 4096
ssize_t procfs_env_scan(int fd, const char *name, char *out, size_t cap);
ssize_t procfs_environ(const struct tether_ctx *ctx, int pid, const char *name, char *out, size_t cap);
/* Build "<root>/<pid>/<name>" (pid < 0: "<root>/<name>"); -1 ENAMETOOLONG. */
int procfs_path(const struct tether_ctx *ctx, int pid, const char *name, char *buf, size_t cap);

#endif
