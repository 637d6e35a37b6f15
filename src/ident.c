#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fmt.h"
#include "ident.h"
#include "procfs.h"
#include "sys.h"

#define POLL_MS 10

int ident_of(struct tether_ctx *ctx, int pid, struct ident *id)
{
	struct proc_stat st;

	memset(id, 0, sizeof *id);
	if ((pid ? procfs_stat(ctx, pid, &st) : procfs_self_stat(ctx, &st)) < 0)
		return -1;
	id->pid = st.pid;
	id->start = st.start;
	ident_set_here(ctx, id);
	if (procfs_exe_id(ctx, st.pid, &id->exe_dev, &id->exe_ino) < 0)
		id->exe_dev = id->exe_ino = 0;
	return 0;
}

void ident_set_here(struct tether_ctx *ctx, struct ident *id)
{
	if (procfs_boot_id(ctx) == 0)
		memcpy(id->boot, ctx->boot_id, sizeof id->boot);
	if (procfs_pidns(ctx) == 0) {
		id->pidns_dev = ctx->pidns_dev;
		id->pidns_ino = ctx->pidns_ino;
	}
}

static int is_dead_state(char s)
{
	return s == 'Z' || s == 'X' || s == 'x';
}

enum ident_verdict ident_check(struct tether_ctx *ctx, const struct ident *id)
{
	struct proc_stat st;
	unsigned long long dev, ino;

	if (id->pid <= 0)
		return IDENT_DEAD;
	if (!procfs_available(ctx)) {
		if (kill(id->pid, 0) == 0 || errno == EPERM)
			return IDENT_UNVERIFIED;
		return IDENT_UNVERIFIED_DEAD;
	}
	if (id->boot[0] && procfs_boot_id(ctx) == 0 && strcmp(id->boot, ctx->boot_id))
		return IDENT_DEAD;
	if (id->pidns_ino && procfs_pidns(ctx) == 0 &&
	    (id->pidns_ino != ctx->pidns_ino || id->pidns_dev != ctx->pidns_dev))
		return IDENT_OTHER_NS;
	if (procfs_stat(ctx, id->pid, &st) < 0)
		return errno == ENOENT || errno == ESRCH ? IDENT_DEAD : IDENT_UNKNOWN;
	if (st.start != id->start)
		return IDENT_REUSED;
	if (id->exe_ino && (!id->exe_comm[0] || strcmp(st.comm, id->exe_comm)) &&
	    procfs_exe_id(ctx, id->pid, &dev, &ino) == 0 && (dev != id->exe_dev || ino != id->exe_ino))
		return IDENT_REUSED;
	return is_dead_state(st.state) ? IDENT_DEAD : IDENT_ALIVE;
}

void ident_set_comm(struct ident *id, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	id->exe_comm[0] = 0;
	if (id->exe_ino && *base)
		fmt(id->exe_comm, sizeof id->exe_comm, "%s", base);
}

const char *ident_verdict_name(enum ident_verdict v)
{
	switch (v) {
	case IDENT_ALIVE: return "running";
	case IDENT_DEAD: return "dead";
	case IDENT_REUSED: return "reused";
	case IDENT_UNVERIFIED: return "running-unverified";
	case IDENT_UNVERIFIED_DEAD: return "dead-unverified";
	case IDENT_OTHER_NS: return "other-pidns";
	default: return "unknown";
	}
}

#if CONFIG_PIDFD && defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
/* Returns 1 if handled through a pidfd (*v set), 0 if pidfds are
 * unavailable and the caller must fall back to kill(2). */
static int kill_pidfd(struct tether_ctx *ctx, const struct ident *id, int sig, enum ident_verdict *v)
{
	int fd = (int)syscall(SYS_pidfd_open, id->pid, 0);

	if (fd < 0) {
		if (errno == ESRCH) {
			*v = IDENT_DEAD;
			return 1;
		}
		return 0;  /* ENOSYS (pre-5.3, qemu-user), EPERM in odd sandboxes */
	}
	/* The pidfd pins this process: verify it, then signal through it. */
	*v = ident_check(ctx, id);
	if ((*v == IDENT_ALIVE || *v == IDENT_UNVERIFIED) && syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
		int e = errno;
		close(fd);
		if (e == ENOSYS)
			return 0;
		*v = e == ESRCH ? IDENT_DEAD : IDENT_UNKNOWN;
		return 1;
	}
	close(fd);
	return 1;
}
#else
static int kill_pidfd(struct tether_ctx *ctx, const struct ident *id, int sig, enum ident_verdict *v)
{
	(void)ctx, (void)id, (void)sig, (void)v;
	return 0;
}
#endif

enum ident_verdict ident_kill(struct tether_ctx *ctx, const struct ident *id, int sig)
{
	enum ident_verdict v;

	if (kill_pidfd(ctx, id, sig, &v))
		return v;
	v = ident_check(ctx, id);
	if ((v == IDENT_ALIVE || v == IDENT_UNVERIFIED) && kill(id->pid, sig) < 0)
		v = errno == ESRCH ? IDENT_DEAD : IDENT_UNKNOWN;
	return v;
}

static int gone(enum ident_verdict v)
{
	return v != IDENT_ALIVE && v != IDENT_UNVERIFIED && v != IDENT_UNKNOWN;
}

int ident_wait_gone(struct tether_ctx *ctx, const struct ident *id, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int nap = 1;

	for (;;) {
		if (gone(ident_check(ctx, id)))
			return 0;
		if (now_ms() >= end)
			return -1;
		sleep_backoff(&nap, POLL_MS, end);
	}
}

enum ident_verdict ident_stop(struct tether_ctx *ctx, const struct ident *id, int sig, int grace_ms)
{
	enum ident_verdict v = ident_kill(ctx, id, sig);

	if (v != IDENT_ALIVE && v != IDENT_UNVERIFIED)
		return v;
	if (sig != SIGKILL && sig != SIGCONT)
		ident_kill(ctx, id, SIGCONT);  /* a stopped process cannot act on TERM */
	if (ident_wait_gone(ctx, id, grace_ms) == 0)
		return v;
	ident_kill(ctx, id, SIGKILL);
	ident_wait_gone(ctx, id, grace_ms > 1000 ? grace_ms : 1000);
	return v;
}

/* path as the program will see it: a relative one from cwd (if not NULL),
 * where execvp runs after spawn's chdir. */
static int exe_from_path(const char *cwd, const char *path, struct ident *id)
{
	struct stat sb;
	char head[2], at[PATH_MAX];
	int fd;

	if (cwd && path[0] != '/') {
		if (fmt(at, sizeof at, "%s/%s", cwd, path) >= sizeof at)
			return -1;
		path = at;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || !(sb.st_mode & 0111)) {
		close(fd);
		return -1;
	}
	if (read(fd, head, 2) == 2 && head[0] == '#' && head[1] == '!') {
		close(fd);
		return 0;  /* found, but /proc will show the interpreter */
	}
	close(fd);
	id->exe_dev = (unsigned long long)sb.st_dev;
	id->exe_ino = (unsigned long long)sb.st_ino;
	return 0;
}

static int resolve(const char *cwd, const char *name, struct ident *id, char *path, size_t cap)
{
	char buf[PATH_MAX];
	const char *dirs = getenv("PATH");

	if (path)
		fmt(path, cap, "%s", name);
	if (strchr(name, '/'))
		return exe_from_path(cwd, name, id);
	if (!dirs)
		dirs = "/usr/local/bin:/bin:/usr/bin";
	while (*dirs) {
		size_t n = strcspn(dirs, ":");
		if (fmt(buf, sizeof buf, "%.*s/%s", (int)(n ? n : 1), n ? dirs : ".", name) < sizeof buf &&
		    exe_from_path(cwd, buf, id) == 0) {
			if (path)
				fmt(path, cap, "%s", buf);
			return 0;
		}
		dirs += n + (dirs[n] == ':');
	}
	return -1;
}

/* Programs that usually exec another: shells running -c, and wrappers
 * such as env, nice, chpst, setuidgid or su-exec, whose arguments name
 * a program. Their own executable is not the daemon's for long. */
static int execs_another(const char *cwd, char *const argv[])
{
	static const char *const shells[] = { "sh", "ash", "dash", "bash", "ksh", "mksh", "zsh", "busybox" };
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct ident scratch;

	for (size_t i = 0; i < sizeof shells / sizeof *shells; i++)
		if (!strcmp(base, shells[i]))
			return 1;
	for (int i = 1; argv[i]; i++)
		if (argv[i][0] != '-' && resolve(cwd, argv[i], &scratch, NULL, 0) == 0 && scratch.exe_ino)
			return 1;
	return 0;
}

void ident_exe_of_cmd(char *const argv[], const char *cwd, struct ident *id, char *path, size_t cap)
{
	id->exe_dev = id->exe_ino = 0;
	if (resolve(cwd, argv[0], id, path, cap) < 0 || execs_another(cwd, argv))
		id->exe_dev = id->exe_ino = 0;
}
