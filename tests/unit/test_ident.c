/* Process identities against a real process: the start time decides,
 * and the executable is consulted only when the name in the stat line
 * differs from the recorded executable's (src/ident.h). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ident.h"
#include "procfs.h"
#include "state.h"
#include "tap.h"

/* A real sleep(1), once it runs as "sleep"; 0 if it never did. */
static pid_t sleeper(struct tether_ctx *ctx)
{
	char *argv[] = { "sleep", "30", NULL };
	struct proc_stat st;
	pid_t pid = fork();

	if (pid == 0) {
		execv("/bin/sleep", argv);
		_exit(127);
	}
	for (int i = 0; pid > 0 && i < 500; i++) {
		if (procfs_stat(ctx, pid, &st) == 0 && !strcmp(st.comm, "sleep"))
			return pid;
		usleep(2000);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return 0;
}

static void test_gate(void)
{
	struct tether_ctx ctx;
	struct ident id, other;
	pid_t pid;

	ctx_init(&ctx);
	if (!procfs_available(&ctx)) {
		tap_skip("identities of a real process", "no /proc mounted");
		return;
	}
	pid = sleeper(&ctx);
	if (!pid) {
		tap_skip("identities of a real process", "/bin/sleep did not start");
		return;
	}
	ok(ident_of(&ctx, pid, &id) == 0 && id.pid == pid && id.start && id.exe_ino, "ident_of a live sleep");
	is_int(ident_check(&ctx, &id), IDENT_ALIVE, "its own identity: running");

	other = id;
	other.start++;
	is_int(ident_check(&ctx, &other), IDENT_REUSED, "another start time: reused");

	/* The same pid and start, but a recorded executable that is not
	 * /bin/sleep: what a pid reused within the start's tick looks like. */
	other = id;
	other.exe_ino ^= 1;
	is_int(ident_check(&ctx, &other), IDENT_REUSED, "another executable, name unknown: the exe decides, reused");
	ident_set_comm(&other, "/usr/sbin/dnsmasq");
	is_str(other.exe_comm, "dnsmasq", "the name is the path's last component");
	is_int(ident_check(&ctx, &other), IDENT_REUSED, "another executable and another name: reused");
	ident_set_comm(&other, "/opt/bin/sleep");
	is_int(ident_check(&ctx, &other), IDENT_ALIVE, "the same name: the exe is not looked at, running");

	/* A pid namespace: where ns/pid can be read, ident_of records ours. */
	if (procfs_pidns(&ctx) == 0) {
		ok(id.pidns_ino == ctx.pidns_ino && id.pidns_dev == ctx.pidns_dev, "ident_of records our pid namespace");
		other = id;
		other.pidns_ino ^= 1;
		is_int(ident_check(&ctx, &other), IDENT_OTHER_NS, "recorded in another pid namespace: other-ns");
		is_str(ident_verdict_name(IDENT_OTHER_NS), "other-pidns", "named other-pidns");
		other.pidns_ino = 0;
		is_int(ident_check(&ctx, &other), IDENT_ALIVE, "no namespace recorded (an older record): as before");
	} else {
		tap_skip("pid namespace identities", "no ns/pid under /proc/self");
	}

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	is_int(ident_check(&ctx, &id), IDENT_DEAD, "after kill and reap: dead");
}

/* A proc tree without ns/pid (a kernel before 3.8, a prepared tree):
 * nothing recorded, and a recorded namespace cannot be compared. */
static void test_no_pidns(void)
{
	struct tether_ctx ctx;
	struct ident id = { .pid = 1, .start = 1, .pidns_dev = 4, .pidns_ino = 4026531836ull };

	ctx_init(&ctx);
	ctx.proc_root = "/nonexistent";
	ok(procfs_pidns(&ctx) < 0 && ctx.pidns_ino == 0, "no ns/pid: our namespace is unknown");
	ident_set_here(&ctx, &id);
	ok(id.pidns_ino == 4026531836ull, "and ident_set_here leaves a namespace alone");
	is_int(ident_check(&ctx, &id), IDENT_UNVERIFIED, "with no /proc the verdict is today's: unverified");
}

static void test_set_comm(void)
{
	struct ident id = { .exe_ino = 42 };

	ident_set_comm(&id, "/usr/sbin/a-very-long-daemon-name");
	is_str(id.exe_comm, "a-very-long-dae", "cut to 15 bytes, as the kernel does");
	ident_set_comm(&id, "udhcpc");
	is_str(id.exe_comm, "udhcpc", "a bare name is its own");
	ident_set_comm(&id, "/usr/sbin/");
	is_str(id.exe_comm, "", "a path ending in / names nothing");
	id.exe_ino = 0;
	ident_set_comm(&id, "/usr/sbin/dnsmasq");
	is_str(id.exe_comm, "", "no executable recorded: no name either");
}

/* The name is not stored: state_decode derives it from "exe". */
static void test_decode(void)
{
	static struct record r, back;
	static uint8_t buf[RECORD_MAX];
	const char *why = NULL;
	size_t len;

	record_init(&r, "dns");
	r.id.pid = 4242;
	r.id.start = 99;
	r.id.exe_dev = 1;
	r.id.exe_ino = 2;
	strcpy(r.exe, "/usr/sbin/dnsmasq");
	ok(state_encode(&r, buf, sizeof buf, &len) == 0 && state_decode(buf, len, &back, &why) == 0,
	   "a record with exe round-trips");
	is_str(back.id.exe_comm, "dnsmasq", "decoding derives the name from exe");
	r.id.exe_ino = 0;
	ok(state_encode(&r, buf, sizeof buf, &len) == 0 && state_decode(buf, len, &back, &why) == 0,
	   "a record without ino round-trips");
	is_str(back.id.exe_comm, "", "without an executable identity, no name");
}

int main(void)
{
	test_gate();
	test_no_pidns();
	test_set_comm();
	test_decode();
	return tap_done();
}
