#ifndef TETHER_IDENT_H
#define TETHER_IDENT_H

#include "ctx.h"
#include "sys.h"

/*
 * A process identity: (boot id, pid, start time) plus the executable's
 * (dev, inode) where known. Same identity = same process.
 *
 * The start time tells apart any two processes but those started in one
 * clock tick (10 ms at CLK_TCK=100): a pid reused that fast. Only then
 * does the executable decide, and a process of another program has
 * another name too, free in the stat line already read. So the exe is
 * looked at (a stat of /proc/<pid>/exe, as costly as the stat read) only
 * when the name differs from exe_comm, the name the recorded executable
 * runs under, or when that is unknown.
 *
 * What remains undetectable: a pid reused within the same clock tick
 * by a process of the same name (or the same executable when the name
 * is unknown), while no pidfd is held. That takes a pid space wrapped in
 * 10 ms, or ns_last_pid (CAP_SYS_ADMIN). ident_kill() closes the window
 * between check and signal with a pidfd where the kernel has them.
 *
 * A pid means a process only in the pid namespace it was seen from (a
 * container, procd's ujail, unshare -p): the identity carries that
 * namespace's (dev, inode), and a reader in another one cannot verify it.
 */
#define IDENT_COMM_MAX 16           /* the kernel's TASK_COMM_LEN */
struct ident {
	int pid;
	unsigned long long start;   /* clock ticks since boot */
	char boot[BOOT_ID_LEN + 1]; /* "" when unknown */
	unsigned long long exe_dev; /* exe_ino 0: unknown */
	unsigned long long exe_ino;
	char exe_comm[IDENT_COMM_MAX]; /* "" unknown; derived, see ident_set_comm */
	unsigned long long pidns_dev; /* pidns_ino 0: unknown */
	unsigned long long pidns_ino;
};

enum ident_verdict {
	IDENT_ALIVE,      /* the recorded process, running */
	IDENT_DEAD,       /* gone: no such pid, zombie, or an earlier boot */
	IDENT_REUSED,     /* the pid runs another process now */
	IDENT_UNVERIFIED, /* no /proc: kill(pid, 0) says something runs there */
	IDENT_UNVERIFIED_DEAD, /* no /proc: kill(pid, 0) says ESRCH */
	IDENT_UNKNOWN,    /* /proc exists but the process's stat is unreadable */
	IDENT_OTHER_NS,   /* seen from another pid namespace: cannot be verified here */
};

/* Identity of a running pid (pid 0: self), exe from /proc. -1 errno. */
int ident_of(struct tether_ctx *ctx, int pid, struct ident *id);
enum ident_verdict ident_check(struct tether_ctx *ctx, const struct ident *id);
/* Where id's pid was seen: this boot and our pid namespace, where known. */
void ident_set_here(struct tether_ctx *ctx, struct ident *id);
/* exe_comm from the record's exe: for start and exec the path the daemon
 * was exec'd as, whose last component (cut to 15 bytes) is what the
 * kernel names the process. Where exe is something else (a supervised
 * child's resolved /proc/PID/exe, an adopted owner's argv[0]) the names
 * may differ, and the exe is stat'ed as before. Left "" when the
 * executable is unknown (exe_ino 0) or path empty. */
void ident_set_comm(struct ident *id, const char *path);
const char *ident_verdict_name(enum ident_verdict v);
/* Signal id's process only if it is still that process. Returns the
 * verdict at the moment of signalling; the signal was sent iff the result
 * is IDENT_ALIVE or IDENT_UNVERIFIED. */
enum ident_verdict ident_kill(struct tether_ctx *ctx, const struct ident *id, int sig);
/* Poll until id's process is no longer alive or timeout_ms passes.
 * Returns 0 once gone, -1 on timeout. */
int ident_wait_gone(struct tether_ctx *ctx, const struct ident *id, int timeout_ms);
/* Stop: sig, wait grace_ms, then SIGKILL and wait again. Returns the
 * verdict seen first (ALIVE: it was stopped; DEAD; REUSED: untouched). */
enum ident_verdict ident_stop(struct tether_ctx *ctx, const struct ident *id, int sig, int grace_ms);
/* Resolve argv[0] like execvp and record its (dev, ino), the identity's
 * executable. Left 0 (unknown: the start time alone decides) when the
 * program will not stay the daemon's image: a script (#!), whose
 * /proc/<pid>/exe is the interpreter; a shell; or a wrapper whose
 * arguments name another program (env, nice, chpst, setuidgid...), which
 * execs it. A relative name is looked up from cwd, where the program
 * runs (NULL: ours). path (may be NULL) gets the file found, else
 * argv[0]. */
void ident_exe_of_cmd(char *const argv[], const char *cwd, struct ident *id, char *path, size_t cap);

#endif
