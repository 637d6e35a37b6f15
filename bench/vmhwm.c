/* vmhwm CMD [ARG]...: run CMD under ptrace and print "VMHWM VMRSS" (KiB) of
 * its image at the last moment the image exists, read from
 * /proc/PID/status while CMD is stopped: at its exit, or at the execve that
 * replaces it (as `tether exec` does to become the daemon; every execve
 * attempt is sampled, since execvp tries each PATH entry, and the last
 * sample counts: the high-water mark only grows).
 *
 * Why not ru_maxrss, what /usr/bin/time -v prints: the kernel derives it
 * from per-CPU batched RSS counters that can lag by a few hundred KiB, the
 * whole size of a small static program (a static `true` shows 0), and it
 * folds in the image that exec replaced, including the copy fork made of
 * the parent. /proc/PID/status of the stopped process shows the image
 * itself (VmRSS now, VmHWM its peak).
 * Exit: CMD's status; 100 usage; 111 system error. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_LEN 256
#define PATH_BUF 64

static int status_kib(pid_t pid, const char *key, long *kib)
{
	char path[PATH_BUF], line[LINE_MAX_LEN];
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	*kib = -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			sscanf(line + klen + 1, "%ld", kib);
	fclose(f);
	return *kib < 0 ? -1 : 0;
}

/* Every execve of CMD's image (execvp tries each PATH entry) and its exit
 * are sampled; the last sample before the image is replaced or gone is
 * its peak, the high-water mark being monotonic. */
static void sample(pid_t pid, long *hwm, long *rss)
{
	status_kib(pid, "VmHWM", hwm);
	status_kib(pid, "VmRSS", rss);
}

static int is_exec(pid_t pid)
{
	struct __ptrace_syscall_info si;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof si, &si) <= 0)
		return 0;
	return si.op == PTRACE_SYSCALL_INFO_ENTRY && (si.entry.nr == SYS_execve
#ifdef SYS_execveat
		|| si.entry.nr == SYS_execveat
#endif
	);
}

int main(int argc, char **argv)
{
	long hwm = -1, rss = -1;
	int st, sig, execs = 0, event;
	pid_t p;

	if (argc < 2) {
		fputs("usage: vmhwm CMD [ARG]...\n", stderr);
		return 100;
	}
	p = fork();
	if (p < 0) {
		perror("vmhwm: fork");
		return 111;
	}
	if (p == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || raise(SIGSTOP) < 0)
			_exit(111);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (waitpid(p, &st, 0) < 0 || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_SETOPTIONS, p, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
				   PTRACE_O_EXITKILL) < 0) {
		perror("vmhwm: ptrace");
		return 111;
	}
	for (sig = 0;;) {
		if (ptrace(PTRACE_SYSCALL, p, 0, sig) < 0 || waitpid(p, &st, 0) < 0) {
			perror("vmhwm: ptrace");
			return 111;
		}
		sig = 0;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		event = st >> 16;
		if (event == PTRACE_EVENT_EXEC)
			execs++;
		else if (execs == 1 && (event == PTRACE_EVENT_EXIT || (WSTOPSIG(st) == (SIGTRAP | 0x80) && is_exec(p))))
			sample(p, &hwm, &rss);
		else if (!event && WSTOPSIG(st) != (SIGTRAP | 0x80))
			sig = WSTOPSIG(st);  /* a signal for CMD: deliver it */
	}
	printf("%ld %ld\n", hwm, rss);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
