/* sup_detect on prepared /proc trees (procd and systemd cannot run as init
 * here) and on this machine's real /proc for what needs no supervisor. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "exitcodes.h"
#include "sup.h"
#include "tap.h"

#define PID 100
#define PPID 50
#define INIT 1
#define ID "0123456789abcdef0123456789abcdef"
#define LINE_MAX_ 8192

struct tree {
	char root[PATH_MAX];
	struct tether_ctx ctx;
};

static void put(struct tree *t, int pid, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX * 2];
	int fd;

	snprintf(path, sizeof path, "%s/%d", t->root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%d/%s", t->root, pid, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		tap_diag("cannot write %s", path);
	close(fd);
}

static void put_str(struct tree *t, int pid, const char *name, const char *data)
{
	put(t, pid, name, data, strlen(data));
}

/* A literal with its inner NUL bytes (environ, cmdline). */
#define put_lit(t, pid, name, lit) put(t, pid, name, lit, sizeof lit - 1)

static void put_link(struct tree *t, int pid, const char *name, const char *target)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof path, "%s/%d", t->root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%d/%s", t->root, pid, name);
	unlink(path);
	if (symlink(target, path) < 0)
		tap_diag("cannot link %s", path);
}

static void put_stat(struct tree *t, int pid, const char *comm, char state, int ppid)
{
	char line[512];

	snprintf(line, sizeof line, "%d (%s) %c %d 0 0 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n", pid, comm,
		 state, ppid, 1000 + pid);
	put_str(t, pid, "stat", line);
}

static int tree_done(struct tree *t)
{
	char cmd[PATH_MAX + 16];

	if (!t->root[0])
		return 0;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
	t->root[0] = 0;
	return system(cmd);
}

/* A fresh tree: init (procd or systemd), a parent and the target. */
static void tree_init(struct tree *t, const char *init_comm, const char *parent_comm)
{
	tree_done(t);
	snprintf(t->root, sizeof t->root, "%s/tether-proc.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(t->root))
		tap_diag("mkdtemp failed");
	ctx_init(&t->ctx);
	t->ctx.proc_root = t->root;
	put_stat(t, INIT, init_comm, 'S', 0);
	put_stat(t, PPID, parent_comm, 'S', INIT);
	put_stat(t, PID, "daemon", 'S', PPID);
	put_str(t, PID, "cgroup", "0::/\n");
	put_lit(t, PID, "environ", "PATH=/bin\0HOME=/\0");
}

static const char *line_of(const struct owner *o)
{
	static char buf[LINE_MAX_];
	int p[2];
	ssize_t n;

	if (pipe(p) < 0)
		return "(pipe)";
	sup_print(o, 0, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	buf[n > 0 ? n - 1 : 0] = 0;  /* drop the newline */
	return buf;
}

static void detect_is(struct tree *t, int pid, const char *want, const char *name)
{
	struct owner o;
	int r = sup_detect(&t->ctx, pid, &o);

	if (r < 0) {
		ok(0, "%s", name);
		tap_diag("sup_detect failed: %s", strerror(errno));
		return;
	}
	is_str(line_of(&o), want, name);
}

static void systemd_cases(struct tree *t)
{
	tree_init(t, "systemd", "systemd");
	put_str(t, PID, "cgroup", "0::/system.slice/foo.service\n");
	put_lit(t, PID, "environ", "PATH=/bin\0INVOCATION_ID=" ID "\0HOME=/\0");
	detect_is(t, PID, "owner=systemd unit=foo.service scope=system", "systemd: service cgroup + INVOCATION_ID");

	put_lit(t, PID, "environ", "PATH=/bin\0HOME=/\0");
	detect_is(t, PID, "owner=none", "systemd: service cgroup without INVOCATION_ID is not proof");

	put_lit(t, PID, "environ", "INVOCATION_ID=yes\0");
	detect_is(t, PID, "owner=none", "systemd: a malformed INVOCATION_ID is not proof");

	put_lit(t, PID, "environ", "XINVOCATION_ID=" ID "\0INVOCATION_ID" ID "\0");
	detect_is(t, PID, "owner=none", "systemd: lookalike variables are not INVOCATION_ID");

	put_lit(t, PID, "environ", "INVOCATION_ID=" ID);
	detect_is(t, PID, "owner=systemd unit=foo.service scope=system", "systemd: last variable without NUL");

	put_str(t, PID, "cgroup", "0::/init.scope\n");
	put_lit(t, PID, "environ", "INVOCATION_ID=" ID "\0");
	detect_is(t, PID, "owner=none", "systemd: INVOCATION_ID alone is not proof");

	put_str(t, PID, "cgroup", "0::/user.slice/user-1000.slice/user@1000.service/app.slice/bar.service\n");
	detect_is(t, PID, "owner=systemd unit=bar.service scope=user uid=1000", "systemd: user unit");

	put_str(t, PID, "cgroup", "1:name=systemd:/system.slice/legacy.service\n0::/\n");
	detect_is(t, PID, "owner=systemd unit=legacy.service scope=system", "systemd: v1 name=systemd line");

	char path[PATH_MAX * 2];
	snprintf(path, sizeof path, "%s/%d/environ", t->root, PID);
	unlink(path);
	put_str(t, PID, "cgroup", "0::/system.slice/foo.service\n");
	detect_is(t, PID, "owner=systemd unit=foo.service scope=system",
		  "systemd: unreadable environment is partial proof, still systemd");
}

static void big_environ(struct tree *t)
{
	size_t n = 64 * 1024;
	char *env = malloc(n + 64);

	tree_init(t, "systemd", "systemd");
	put_str(t, PID, "cgroup", "0::/system.slice/foo.service\n");
	memset(env, 'A', n);  /* one 64 KiB variable, then the id */
	memcpy(env, "BIG=", 4);
	env[n - 1] = 0;
	memcpy(env + n, "INVOCATION_ID=" ID, sizeof "INVOCATION_ID=" ID);
	put(t, PID, "environ", env, n + sizeof "INVOCATION_ID=" ID);
	detect_is(t, PID, "owner=systemd unit=foo.service scope=system",
		  "systemd: INVOCATION_ID after a 64 KiB variable is found");
	free(env);
}

/* env_lookup reads 4 KiB at a time and carries an entry cut by a read
 * over to the next: PAD fills the first read up to `at`, where the entry
 * cut in two starts (`cut` bytes long, or INVOCATION_ID itself if 0). */
static void environ_cut_at(struct tree *t, size_t at, size_t cut, const char *what)
{
	size_t chunk = 4096, idn = sizeof "INVOCATION_ID=" ID, n = 0;
	char *env = malloc(2 * chunk + idn);

	memcpy(env, "PAD=", 4);
	memset(env + 4, 'p', at - 5);
	env[at - 1] = 0;
	n = at;
	if (cut) {
		memcpy(env + n, "CUT=", 4);
		for (size_t i = 4; i < cut - 1; i++)
			env[n + i] = (char)('a' + i % 26);
		env[n + cut - 1] = 0;
		n += cut;
	}
	memcpy(env + n, "INVOCATION_ID=" ID, idn);
	put(t, PID, "environ", env, n + idn);
	detect_is(t, PID, "owner=systemd unit=foo.service scope=system", what);
	free(env);
}

static void environ_cut(struct tree *t)
{
	tree_init(t, "systemd", "systemd");
	put_str(t, PID, "cgroup", "0::/system.slice/foo.service\n");
	environ_cut_at(t, 4096 - 20, 0, "systemd: INVOCATION_ID cut by a 4 KiB read is found");
	environ_cut_at(t, 4096 - 1, 0, "systemd: INVOCATION_ID whose first byte ends a read is found");
	environ_cut_at(t, 8, 4096 - 4, "systemd: after a 4 KiB entry cut by a read (it moves onto itself)");
	environ_cut_at(t, 2000, 3000, "systemd: after a 3000 B entry cut by a read");
}

static void procd_cases(struct tree *t)
{
	tree_init(t, "procd", "procd");
	put_str(t, PID, "cgroup", "0::/services/dnsmasq/instance1\n");
	put_stat(t, PID, "dnsmasq", 'S', INIT);
	detect_is(t, PID, "owner=procd service=dnsmasq instance=instance1", "procd: /services cgroup");

	put_str(t, PID, "cgroup", "0::/\n");
	detect_is(t, PID, "owner=procd", "procd: parent is pid 1 named procd, service unknown");

	put_stat(t, PID, "dnsmasq", 'S', PPID);
	detect_is(t, PID, "owner=none", "procd: a non-init parent named procd is not procd");

	tree_init(t, "init", "x");
	put_stat(t, PID, "dnsmasq", 'S', INIT);
	put_link(t, INIT, "exe", "/sbin/procd");
	detect_is(t, PID, "owner=procd", "procd: pid 1's exe is procd although its comm is not");

	tree_init(t, "procd", "x");
	put_str(t, PID, "cgroup", "0::/system.slice/foo.service\n");
	put_lit(t, PID, "environ", "INVOCATION_ID=" ID "\0");
	put_stat(t, PID, "d", 'S', INIT);
	detect_is(t, PID, "owner=systemd unit=foo.service scope=system", "order: systemd before procd");
}

static void parent_cases(struct tree *t)
{
	tree_init(t, "init", "runsv");
	put_link(t, PPID, "cwd", "/etc/sv/foo");
	detect_is(t, PID, "owner=runit dir=/etc/sv/foo", "runit: parent runsv, dir is its cwd");

	tree_init(t, "init", "busybox");
	put_lit(t, PPID, "cmdline", "busybox\0runsv\0/etc/sv/bb\0");
	put_link(t, PPID, "cwd", "/etc/sv/bb");
	detect_is(t, PID, "owner=runit dir=/etc/sv/bb", "runit: `busybox runsv` names the applet in argv[1]");

	tree_init(t, "init", "x");
	put_lit(t, PPID, "cmdline", "/bin/runsv\0foo\0");
	put_link(t, PPID, "cwd", "/etc/sv/foo");
	detect_is(t, PID, "owner=runit dir=/etc/sv/foo", "runit: argv[0]'s basename when comm differs");

	tree_init(t, "init", "runsv");
	detect_is(t, PID, "owner=runit", "runit: unreadable cwd leaves the dir unknown, owner kept");

	tree_init(t, "init", "s6-supervise");
	put_link(t, PPID, "cwd", "/run/service/foo");
	detect_is(t, PID, "owner=s6 dir=/run/service/foo", "s6: parent s6-supervise");

	tree_init(t, "init", "supervise");
	put_link(t, PPID, "cwd", "/service/foo");
	detect_is(t, PID, "owner=daemontools dir=/service/foo", "daemontools: parent supervise");

	tree_init(t, "init", "supervise-daemo");
	put_lit(t, PPID, "cmdline", "supervise-daemon\0sshd\0--start\0");
	detect_is(t, PID, "owner=openrc service=sshd", "openrc: the kernel's 15-byte comm, service argv[1]");

	tree_init(t, "init", "x");
	put_link(t, PPID, "exe", "/sbin/supervise-daemon");
	put_lit(t, PPID, "cmdline", "/sbin/supervise-daemon\0ntpd\0");
	detect_is(t, PID, "owner=openrc service=ntpd", "openrc: exe basename");

	tree_init(t, "init", "supervise-daemo");
	put_lit(t, PPID, "cmdline", "supervise-daemon\0--start\0");
	detect_is(t, PID, "owner=openrc", "openrc: an option in argv[1] is no service name");

	tree_init(t, "init", "runsvdir");
	detect_is(t, PID, "owner=none", "runsvdir is not runsv");

	tree_init(t, "systemd", "runsv");
	put_link(t, PPID, "cwd", "/etc/sv/foo");
	put_str(t, PID, "cgroup", "0::/system.slice/runit.service\n");
	put_lit(t, PID, "environ", "INVOCATION_ID=" ID "\0");
	detect_is(t, PID, "owner=runit dir=/etc/sv/foo", "a direct runsv parent wins over runit.service's cgroup");
}

static void hostile_cases(struct tree *t)
{
	struct owner o;

	tree_init(t, "init", "a) b (c\nd");
	detect_is(t, PID, "owner=none", "parent comm with parens, blanks and a newline");

	tree_init(t, "init", "x");
	put_str(t, PPID, "stat", "garbage\n");
	detect_is(t, PID, "owner=none", "garbage parent stat: no owner");

	tree_init(t, "init", "x");
	put_str(t, PID, "stat", "100 (d) S\n");
	errno = 0;
	ok(sup_detect(&t->ctx, PID, &o) < 0 && errno == EBADMSG, "garbage target stat: EBADMSG");

	tree_init(t, "init", "x");
	put_stat(t, PID, "d", 'Z', PPID);
	errno = 0;
	ok(sup_detect(&t->ctx, PID, &o) < 0 && errno == ESRCH, "a zombie target: ESRCH");

	errno = 0;
	ok(sup_detect(&t->ctx, 4242, &o) < 0 && errno == ESRCH, "a missing pid: ESRCH");

	size_t n = 1 << 20;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = i % 200 == 199 ? '\n' : (char)('a' + i % 26);
	memcpy(big + n - 40, "\n0::/system.slice/late.service\n", 31);
	tree_init(t, "init", "x");
	put(t, PID, "cgroup", big, n);
	put_lit(t, PID, "environ", "INVOCATION_ID=" ID "\0");
	detect_is(t, PID, "owner=none", "a 1 MiB cgroup file: read bounded, no owner, no crash");
	free(big);

	const char cut[] = "0::/services/dnsmasq/instance1\n";
	char *pad = malloc(CGROUP_FILE_MAX + 64);
	memset(pad, 'x', CGROUP_FILE_MAX);
	pad[0] = '\n';
	size_t at = CGROUP_FILE_MAX - 1 - 20;  /* the line crosses the read bound */
	pad[at - 1] = '\n';
	memcpy(pad + at, cut, sizeof cut - 1);
	put(t, PID, "cgroup", pad, at + sizeof cut - 1);
	put_stat(t, PID, "d", 'S', PPID);
	detect_is(t, PID, "owner=none", "a line cut by the read bound is dropped, never half-used");
	free(pad);

	tree_init(t, "init", "x");
	put(t, PID, "cgroup", "0::/system.slice/a\0b.service\n", 29);
	put_lit(t, PID, "environ", "INVOCATION_ID=" ID "\0");
	detect_is(t, PID, "owner=none", "NUL bytes in the cgroup file");
}

static void self_case(struct tree *t)
{
	int me = (int)getpid();

	tree_init(t, "systemd", "sh");
	put_stat(t, me, "test", 'S', PPID);
	put_str(t, me, "cgroup", "0::/system.slice/self.service\n");
	put_lit(t, me, "environ", "");
	setenv("INVOCATION_ID", ID, 1);
	detect_is(t, 0, "owner=systemd unit=self.service scope=system", "self: INVOCATION_ID from our own environment");
	unsetenv("INVOCATION_ID");
	detect_is(t, 0, "owner=none", "self: no INVOCATION_ID, no systemd");
}

static void no_proc(void)
{
	struct tether_ctx ctx;
	struct owner o;

	ctx_init(&ctx);
	ctx.proc_root = "/nonexistent";
	ok(sup_detect(&ctx, 1, &o) == 0 && o.type == OWNER_NONE, "no /proc: owner none, even for pid 1");
	ok(sup_detect(&ctx, 0, &o) == 0 && o.type == OWNER_NONE, "no /proc: owner none for self");
}

/* This machine's /proc: nothing supervises us in a way we can assert, but
 * the calls must work and tell processes apart. */
static void real_proc(void)
{
	struct tether_ctx ctx;
	struct owner o;
	int st;

	ctx_init(&ctx);
	ctx.proc_root = "/proc";
	ok(sup_detect(&ctx, 0, &o) == 0 && o.type != OWNER_UNKNOWN, "real /proc: self resolves to some owner");
	errno = 0;
	ok(sup_detect(&ctx, INT_MAX, &o) < 0 && errno == ESRCH, "real /proc: a pid that cannot exist is ESRCH");

	pid_t z = fork();
	if (z == 0)
		_exit(0);
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)z);
	for (int i = 0; i < 500; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (strstr(buf, ") Z "))
			break;
		usleep(10000);
	}
	errno = 0;
	ok(sup_detect(&ctx, (int)z, &o) < 0 && errno == ESRCH, "real /proc: a zombie is ESRCH");
	waitpid(z, &st, 0);

	/* A parent whose comm is hostile, and its child. */
	int go[2];
	if (pipe(go) < 0)
		return;
	pid_t parent = fork();
	if (parent == 0) {
		prctl(PR_SET_NAME, "a) b\n(c");
		pid_t kid = fork();
		if (kid == 0) {
			pause();
			_exit(0);
		}
		if (write(go[1], &kid, sizeof kid) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	pid_t kid = 0;
	if (read(go[0], &kid, sizeof kid) != sizeof kid)
		kid = 0;
	usleep(20000);
	int r = sup_detect(&ctx, (int)kid, &o);
	ok(kid > 0 && r == 0 && o.type == OWNER_NONE, "real /proc: a parent named \"a) b\\n(c\" is nobody");
	kill(kid, SIGKILL);
	kill(parent, SIGKILL);
	waitpid(parent, &st, 0);
	close(go[0]);
	close(go[1]);
}

static void cgroup_text_cases(void)
{
	struct tether_ctx ctx;
	struct owner o;
	const char svc[] = "0::/system.slice/foo.service\n";

	ctx_init(&ctx);
	sup_detect_cgroup(&ctx, svc, sizeof svc - 1, NULL, &o);
	is_str(line_of(&o), "owner=systemd unit=foo.service scope=system", "saved cgroup, id unknown: partial proof");
	sup_detect_cgroup(&ctx, svc, sizeof svc - 1, "", &o);
	is_str(line_of(&o), "owner=none", "saved cgroup, id known absent: none");
	sup_detect_cgroup(&ctx, svc, sizeof svc - 1, ID, &o);
	is_str(line_of(&o), "owner=systemd unit=foo.service scope=system", "saved cgroup with its id");
	sup_detect_cgroup(&ctx, "garbage", 7, ID, &o);
	is_str(line_of(&o), "owner=none", "saved garbage: none");
}

/* A build without backends still detects, and always says none. */
static void no_backend(struct tree *t)
{
	tree_init(t, "procd", "runsv");
	put_link(t, PPID, "cwd", "/etc/sv/foo");
	put_str(t, PID, "cgroup", "0::/system.slice/foo.service\n");
	put_lit(t, PID, "environ", "INVOCATION_ID=" ID "\0");
	detect_is(t, PID, "owner=none", "no backends: a systemd unit under runsv is owned by none");
	put_str(t, PID, "cgroup", "0::/services/dnsmasq/instance1\n");
	detect_is(t, PID, "owner=none", "no backends: a procd cgroup is owned by none");
}

int main(void)
{
	struct tree t;

	memset(&t, 0, sizeof t);

	if (!CONFIG_SUP_SYSTEMD && !CONFIG_SUP_PROCD && !CONFIG_SUP_RUNIT && !CONFIG_SUP_S6 &&
	    !CONFIG_SUP_DAEMONTOOLS && !CONFIG_SUP_OPENRC) {
		no_backend(&t);
		no_proc();
		ok(tree_done(&t) == 0, "prepared tree removed");
		return tap_done();
	}
	if (!CONFIG_SUP_SYSTEMD || !CONFIG_SUP_PROCD || !CONFIG_SUP_RUNIT || !CONFIG_SUP_S6 ||
	    !CONFIG_SUP_DAEMONTOOLS || !CONFIG_SUP_OPENRC) {
		no_proc();
		tap_skip("prepared /proc trees", "needs every CONFIG_SUP_* backend, or none");
		return tap_done();
	}
	unsetenv("INVOCATION_ID");
	systemd_cases(&t);
	big_environ(&t);
	environ_cut(&t);
	procd_cases(&t);
	parent_cases(&t);
	hostile_cases(&t);
	self_case(&t);
	no_proc();
	real_proc();
	cgroup_text_cases();
	ok(tree_done(&t) == 0, "prepared tree removed");
	return tap_done();
}
