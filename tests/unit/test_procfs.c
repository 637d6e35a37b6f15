/* /proc readers: stat parsing for every comm a process can have, hostile
 * content, boot ids, the real /proc of this test, and a real process's
 * environment and command line. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs.h"
#include "tap.h"

#define TAIL "S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 123456 2301952 187 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"

static int parse(const char *line, struct proc_stat *st)
{
	return procfs_parse_stat(line, strlen(line), st);
}

static void comm_case(const char *comm, const char *what)
{
	char line[512];
	struct proc_stat st;

	snprintf(line, sizeof line, "4321 (%s) " TAIL, comm);
	int r = parse(line, &st);
	ok(r == 0 && !strcmp(st.comm, comm) && st.start == 123456 && st.ppid == 1 && st.state == 'S' &&
	   st.pid == 4321, "comm %s parses: comm, state, ppid and start time exact", what);
}

static void test_comms(void)
{
	comm_case("sleep", "plain");
	comm_case("a b c", "with spaces");
	comm_case("a) b (c", "with ) and (");
	comm_case(") 1 2 3 (", "looking like fields");
	comm_case("x\ny", "with a newline");
	comm_case("", "empty");
	comm_case("123456789012345", "of 15 bytes");
	comm_case("kworker/u16:3-events_unbound-long-name", "longer than 15 (kernel threads)");
	comm_case("((((", "of only (");
	comm_case("))))", "of only )");
}

static void test_hostile(void)
{
	struct proc_stat st;
	char line[512];

	ok(parse("", &st) < 0 && errno == EBADMSG, "empty stat rejected with EBADMSG");
	ok(parse("12 (x) S 1", &st) < 0, "stat cut before start time rejected");
	ok(parse("12 x) " TAIL, &st) < 0, "stat without ( rejected");
	ok(parse("12 (x " TAIL, &st) < 0, "stat without ) rejected");
	ok(parse("abc (x) " TAIL, &st) < 0, "non-numeric pid rejected");
	snprintf(line, sizeof line, "12 (x) S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 12a45 0\n");
	ok(parse(line, &st) < 0, "non-numeric start time rejected");
	snprintf(line, sizeof line, "12 (x) S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999999 0\n");
	ok(parse(line, &st) < 0, "start time overflowing 64 bits rejected");
	snprintf(line, sizeof line, "12 (x) S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 18446744073709551615 0\n");
	ok(parse(line, &st) == 0 && st.start == 18446744073709551615ull, "start time UINT64_MAX itself parses");
	snprintf(line, sizeof line, "12 (x) S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 18446744073709551616 0\n");
	ok(parse(line, &st) < 0, "start time UINT64_MAX + 1 rejected");
	snprintf(line, sizeof line, "12 (x) S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 18446744073709551620 0\n");
	ok(parse(line, &st) < 0, "start time past UINT64_MAX in its last digit rejected");
	snprintf(line, sizeof line, "12 (x) S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 184467440737095516150 0\n");
	ok(parse(line, &st) < 0, "start time UINT64_MAX times 10 rejected");
	snprintf(line, sizeof line, "12 (x) S -1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 5 0\n");
	ok(parse(line, &st) < 0, "negative ppid rejected");
	snprintf(line, sizeof line, "99999999999 (x) " TAIL);
	ok(parse(line, &st) < 0, "pid beyond int rejected");
	snprintf(line, sizeof line, "12 (x)  S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 5 0\n");
	ok(parse(line, &st) < 0, "double space (shifted fields) rejected");

	char big[300];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	snprintf(line, sizeof line, "12 (%s) " TAIL, big);
	ok(parse(line, &st) < 0, "comm longer than any kernel writes rejected, no overflow");

	/* every prefix of a valid line either parses the same or fails */
	snprintf(line, sizeof line, "4321 (a) b) " TAIL);
	size_t n = strlen(line);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		int r = procfs_parse_stat(line, i, &st);
		if (r == 0 && st.start != 123456)
			bad++;
	}
	ok(!bad, "no prefix of a stat line yields a wrong start time");

	char nul[] = "12 (a\0b) " TAIL;
	ok(procfs_parse_stat(nul, sizeof nul - 1, &st) < 0, "NUL inside comm rejected");
}

static void test_boot_id(void)
{
	char out[BOOT_ID_LEN + 1];
	const char *good = "0f5c8f6e-1c1a-4c8b-9b41-3a0f0e6c2d11\n";

	ok(procfs_parse_boot_id(good, strlen(good), out) == 0 && !strncmp(out, good, 36) && strlen(out) == 36,
	   "boot id with newline parses");
	ok(procfs_parse_boot_id(good, 36, out) == 0, "boot id without newline parses");
	ok(procfs_parse_boot_id("0f5c8f6e-1c1a-4c8b-9b41-3a0f0e6c2d1", 35, out) < 0, "short boot id rejected");
	ok(procfs_parse_boot_id("0f5c8f6e+1c1a-4c8b-9b41-3a0f0e6c2d11", 36, out) < 0, "boot id with wrong separator rejected");
	ok(procfs_parse_boot_id("0F5C8F6E-1C1A-4C8B-9B41-3A0F0E6C2D1Z", 36, out) < 0, "boot id with non-hex rejected");
	ok(procfs_parse_boot_id("0f5c8f6e-1c1a-4c8b-9b41-3a0f0e6c2d11\nxx", 39, out) < 0, "boot id with trailing junk rejected");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_tree(void)
{
	char root[] = "/tmp/tether-procfs.XXXXXX", path[256];
	struct tether_ctx ctx;
	struct proc_stat st;

	if (!mkdtemp(root)) {
		tap_skip("prepared proc tree", "mkdtemp failed");
		return;
	}
	ctx_init(&ctx);
	ctx.proc_root = root;
	ok(!procfs_available(&ctx), "an empty tree is not a usable /proc");
	snprintf(path, sizeof path, "%s/1", root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/1/stat", root);
	write_file(path, "1 (init) " TAIL);
	ok(procfs_available(&ctx), "a tree with 1/stat is usable");
	ok(procfs_stat(&ctx, 1, &st) == 0 && st.start == 123456, "stat read from the prepared tree");
	snprintf(path, sizeof path, "%s/7", root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/7/stat", root);
	write_file(path, "8 (liar) " TAIL);
	ok(procfs_stat(&ctx, 7, &st) < 0 && errno == EBADMSG, "stat naming another pid rejected");
	ok(procfs_stat(&ctx, 9, &st) < 0 && errno == ENOENT, "missing pid is ENOENT");
	ok(procfs_boot_id(&ctx) < 0 && ctx.boot_id[0] == 0, "missing boot id leaves it empty");
	snprintf(path, sizeof path, "rm -rf '%s'", root);
	if (system(path) != 0)
		tap_diag("could not remove %s", root);
}

/* Our own start time must be what every other process sees: qemu-user
 * fakes /proc/<own pid>/stat, so a child reads ours and reports it. */
static void test_real(void)
{
	struct tether_ctx ctx;
	struct proc_stat self, seen;
	int p[2];

	ctx_init(&ctx);
	if (!procfs_available(&ctx)) {
		tap_skip("real /proc", "no /proc mounted");
		return;
	}
	ok(procfs_self_stat(&ctx, &self) == 0 && self.pid == getpid() && self.ppid == getppid(),
	   "own stat read: pid and ppid right");
	if (pipe(p) < 0) {
		tap_skip("own start time as others see it", "pipe failed");
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		struct proc_stat st;
		memset(&st, 0, sizeof st);
		procfs_stat(&ctx, getppid(), &st);
		if (write(p[1], &st, sizeof st) != (ssize_t)sizeof st)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	ok(read(p[0], &seen, sizeof seen) == (ssize_t)sizeof seen && seen.start == self.start && seen.start,
	   "own start time equals what another process reads");
	close(p[0]);
	waitpid(child, NULL, 0);
	ok(procfs_boot_id(&ctx) == 0 && strlen(ctx.boot_id) == 36, "real boot id read");
}

/* A real sleep(1) with an environment built for the reader: a 40 KiB
 * one, so the names asked for lie past any one read, an entry longer
 * than a chunk, and a name set twice. */
#define ENV_BIG (40 * 1024)
static void test_environ(void)
{
	static char fill[ENV_BIG], huge[PROCFS_ENV_CHUNK + 8], out[64];
	char *argv[] = { "sleep", "10", NULL };
	char *envp[] = { fill, "TETHER_T_K=first", huge, "TETHER_T_K=second", "TETHER_T_SOCK=/run/x.sock", NULL };
	struct tether_ctx ctx;
	pid_t child;

	ctx_init(&ctx);
	if (!procfs_available(&ctx) || access("/bin/sleep", X_OK) < 0) {
		tap_skip("a real process's environment", "no /proc mounted, or no /bin/sleep");
		return;
	}
	memset(fill, 'f', sizeof fill - 1);
	memcpy(fill, "FILL=", 5);
	memset(huge, 'h', sizeof huge - 1);
	memcpy(huge, "TETHER_T_HUGE=", 14);
	child = fork();
	if (child == 0) {
		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	/* Until the exec: the child's environ is ours meanwhile. */
	for (int i = 0; i < 500 && procfs_environ(&ctx, child, "TETHER_T_SOCK", out, sizeof out) < 0; i++)
		usleep(2000);
	is_int(procfs_environ(&ctx, child, "TETHER_T_SOCK", out, sizeof out), 11, "environ: found past 40 KiB");
	is_str(out, "/run/x.sock", "environ: its value");
	is_int(procfs_environ(&ctx, child, "TETHER_T_K", out, sizeof out), 5, "environ: a name set twice");
	is_str(out, "first", "environ: the first value wins, as getenv");
	is_int(procfs_environ(&ctx, child, "TETHER_T_SOCK", out, 5), 11, "environ: cut to cap, whole length back");
	is_str(out, "/run", "environ: the cut value is NUL-terminated");
	is_int(procfs_environ(&ctx, child, "TETHER_T_HUGE", out, sizeof out), -2,
	       "environ: an entry longer than a chunk is skipped");
	is_int(procfs_environ(&ctx, child, "TETHER_T", out, sizeof out), -2, "environ: a prefix is not a name");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	errno = 0;
	ok(procfs_environ(&ctx, child, "TETHER_T_K", out, sizeof out) == -1 && errno == ENOENT,
	   "environ: a reaped process is -1, ENOENT");
}

#define ARGS_MAX 16
#define ARG_BIG 300
#define CMDLINE_WAIT_TRIES 500
#define CMDLINE_WAIT_US 2000

/* Every argument procfs_arg_next finds in a read of pid's cmdline into
 * buf (cap bytes): how many, or -1 if the read failed. */
static int split(const struct tether_ctx *ctx, pid_t pid, char *buf, size_t cap, char **args)
{
	ssize_t n = procfs_read(ctx, pid, "cmdline", buf, cap);
	size_t at = 0;
	int argc = 0;
	char *arg;

	if (n < 0)
		return -1;
	while (argc < ARGS_MAX && (arg = procfs_arg_next(buf, (size_t)n, cap, &at)))
		args[argc++] = arg;
	return argc;
}

static int same_args(char **got, char *const *want, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(got[i], want[i]))
			return 0;
	return 1;
}

static int process_state(const struct tether_ctx *ctx, pid_t pid)
{
	struct proc_stat st;

	return procfs_stat(ctx, pid, &st) < 0 ? 0 : st.state;
}

/* A real sh with empty arguments and one longer than the small reads:
 * its cmdline split whole, read into a buffer that cuts that one, into
 * one that ends exactly after an argument, and once it is a zombie (an
 * empty cmdline). */
static void test_cmdline(void)
{
	static char big[ARG_BIG + 1], buf[4096];
	char *argv[] = { "sh", "-c", "sleep 10; exit 0", "", "x", "", big, NULL };
	char *args[ARGS_MAX];
	struct tether_ctx ctx;
	size_t before_big = 0;
	pid_t child;
	int argc = -1;

	ctx_init(&ctx);
	if (!procfs_available(&ctx) || access("/bin/sh", X_OK) < 0) {
		tap_skip("a real process's cmdline", "no /proc mounted, or no /bin/sh");
		return;
	}
	memset(big, 'a', ARG_BIG);
	for (int i = 0; argv[i] != big; i++)
		before_big += strlen(argv[i]) + 1;
	child = fork();
	if (child == 0) {
		setpgid(0, 0);  /* so that its sleep goes with it */
		execv("/bin/sh", argv);
		_exit(127);
	}
	/* Until the exec: the child's cmdline is ours meanwhile. */
	for (int i = 0; i < CMDLINE_WAIT_TRIES; i++) {
		argc = split(&ctx, child, buf, sizeof buf, args);
		if (argc > 2 && !strcmp(args[2], argv[2]))
			break;
		usleep(CMDLINE_WAIT_US);
	}
	is_int(argc, 7, "cmdline: every argument, the empty ones too");
	ok(argc == 7 && same_args(args, argv, argc), "cmdline: each argument as execv got it");
	argc = split(&ctx, child, buf, before_big + 1 + ARG_BIG / 2, args);
	ok(argc == 6 && same_args(args, argv, argc) && !args[5][0],
	   "cmdline: an argument cut by a read that fills its buffer is dropped, the whole ones kept");
	argc = split(&ctx, child, buf, before_big + 1, args);
	ok(argc == 6 && same_args(args, argv, argc) && !args[5][0],
	   "cmdline: a read that fills its buffer right after an argument's NUL keeps that argument");
	kill(-child, SIGKILL);
	for (int i = 0; i < CMDLINE_WAIT_TRIES && process_state(&ctx, child) != 'Z'; i++)
		usleep(CMDLINE_WAIT_US);
	is_int(split(&ctx, child, buf, sizeof buf, args), 0, "cmdline: a zombie's, 0 bytes, has no arguments");
	waitpid(child, NULL, 0);
}

int main(void)
{
	test_comms();
	test_hostile();
	test_boot_id();
	test_tree();
	test_real();
	test_environ();
	test_cmdline();
	return tap_done();
}
