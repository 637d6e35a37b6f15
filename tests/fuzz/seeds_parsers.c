/* Write fuzz_parsers' seed corpus into DIR: for each parser a few valid
 * inputs, behind its selector byte (fuzz_parsers.h). Records, control
 * frames and markers come from tether's own encoders; stat lines, cgroup
 * files (SRC/tests/data/cgroup) and an ELF header (this program's) from
 * real systems; command lines with their edge cases by hand.
 * Usage: seeds_parsers DIR SRC */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cbor.h"
#include "ctl.h"
#include "fuzz_parsers.h"
#include "marker.h"
#include "procfs.h"
#include "state.h"

#define SEED_MAX 16384
#define ELF_HEAD 64

static const char *dir;
static int failed;

static void put(enum fuzz_target t, const char *label, const void *p, size_t n)
{
	char path[4096];
	unsigned char sel = (unsigned char)t;
	FILE *f;

	snprintf(path, sizeof path, "%s/%02d-%s", dir, (int)t, label);
	f = fopen(path, "wb");
	if (!f || fwrite(&sel, 1, 1, f) != 1 || fwrite(p, 1, n, f) != n) {
		perror(path);
		failed = 1;
	}
	if (f && fclose(f)) {
		perror(path);
		failed = 1;
	}
}

static void put_str(enum fuzz_target t, const char *label, const char *s)
{
	put(t, label, s, strlen(s));
}

static void state_seeds(void)
{
	static struct record r;
	static uint8_t buf[RECORD_MAX];
	char *argv[] = { "/usr/sbin/dnsmasq", "-k", "--conf-file=/etc/dnsmasq.conf", "" };
	size_t len;

	record_init(&r, "dnsmasq");
	r.id.pid = 4242;
	r.id.start = 987654321;
	strcpy(r.id.boot, "0f5c8f6e-1c1a-4c8b-9b41-3a0f0e6c2d11");
	r.id.exe_dev = 2049;
	r.id.exe_ino = 131;
	r.id.pidns_dev = 4;
	r.id.pidns_ino = 4026531836ull;
	r.owner.type = OWNER_PROCD;
	strcpy(r.owner.service, "dnsmasq");
	strcpy(r.owner.instance, "instance1");
	record_set_argv(&r, 4, argv);
	strcpy(r.cwd, "/");
	strcpy(r.exe, "/usr/sbin/dnsmasq");
	r.since = 1700000000;
	r.restarts = 3;
	if (!state_encode(&r, buf, sizeof buf, &len))
		put(FT_STATE, "procd", buf, len);

	r.owner.type = OWNER_SYSTEMD;
	r.owner.service[0] = r.owner.instance[0] = 0;
	strcpy(r.owner.unit, "app.service");
	r.owner.uid = 1000;
	r.failed = r.stopped = 1;
	r.id.pidns_dev = r.id.pidns_ino = 0;  /* as an older tether, or one without ns/pid, writes it */
	strcpy(r.sock, "/run/tether/grp.sock");
	strcpy(r.log, "/var/log/app.log");
	strcpy(r.cfg, "0123456789abcdef");
	memcpy(r.extra, "\x63new\x82\x01\x02", 7);  /* "new": [1, 2], a key from a later version */
	r.extra_len = 7;
	r.extra_pairs = 1;
	if (!state_encode(&r, buf, sizeof buf, &len))
		put(FT_STATE, "systemd-extra", buf, len);
}

static void request_seed(enum ctl_op op, const char *name)
{
	struct ctl_request rq = { CTL_VERSION, op, "" };
	uint8_t buf[CTL_HEADER + CTL_REQUEST_MAX];
	size_t len;

	snprintf(rq.name, sizeof rq.name, "%s", name);
	if (!ctl_encode_request(&rq, buf, sizeof buf, &len))
		put(FT_CTL_REQUEST, ctl_op_name(op), buf + CTL_HEADER, len - CTL_HEADER);
}

static void reply_seed(const char *label, int ok, int list)
{
	static struct ctl_child kids[2] = {
		{ "web", 4243, 1001, "running", 0 },
		{ "db", 0, 0, "backoff", 7 },
	};
	static uint8_t buf[CTL_HEADER + CTL_REPLY_MAX];
	struct ctl_reply rp = { .v = CTL_VERSION, .ok = ok, .pid = 42, .start = 1000, .name = "grp", .sock = "/s",
				.cfg = "0123456789abcdef", .list = list, .nchildren = list ? 2 : 0, .children = kids };
	size_t len;

	if (!ok)
		strcpy(rp.err, CTL_ERR_SHUTDOWN);
	if (!ctl_encode_reply(&rp, buf, sizeof buf, &len))
		put(FT_CTL_REPLY, label, buf + CTL_HEADER, len - CTL_HEADER);
}

/* FT_CTL_STREAM: flags, the chunk sizes (each one less), then the
 * stream: frames from n requests (status, restart web, list), then tail. */
static void stream_seed(const char *label, int flags, const char *sizes, size_t nsizes, int n, const void *tail,
			size_t tail_len)
{
	static const struct ctl_request rqs[] = { { CTL_VERSION, CTL_STATUS, "" }, { CTL_VERSION, CTL_RESTART, "web" },
						  { CTL_VERSION, CTL_LIST, "" } };
	static uint8_t in[SEED_MAX];
	size_t len = 0, k;

	in[len++] = (uint8_t)flags;
	in[len++] = (uint8_t)nsizes;
	memcpy(in + len, sizes, nsizes);
	len += nsizes;
	for (int i = 0; i < n; i++) {
		if (ctl_encode_request(&rqs[i % 3], in + len, sizeof in - len, &k) < 0)
			failed = 1;
		len += k;
	}
	memcpy(in + len, tail, tail_len);
	put(FT_CTL_STREAM, label, in, len + tail_len);
}

/* A request of exactly CTL_REQUEST_MAX bytes: status, and an unknown key
 * "x" whose text fills the rest. */
static void stream_max_seed(void)
{
	static const uint8_t head[] = { FS_PEER_OWNER, 0, 0, 0, CTL_REQUEST_MAX >> 8, CTL_REQUEST_MAX & 0xff,
					0xa3, 0x61, 'v', 0x01, 0x62, 'o', 'p', 0x66, 's', 't', 'a', 't', 'u', 's',
					0x61, 'x', 0x79 };
	static uint8_t in[sizeof head + 2 + CTL_REQUEST_MAX];
	size_t body = sizeof head - 6 + 2, fill = CTL_REQUEST_MAX - body;

	memcpy(in, head, sizeof head);
	in[sizeof head] = (uint8_t)(fill >> 8);
	in[sizeof head + 1] = (uint8_t)fill;
	memset(in + sizeof head + 2, 'f', fill);
	put(FT_CTL_STREAM, "at-limit", in, sizeof head + 2 + fill);
}

/* FT_CTL_CALL: a reply frame, alone or with the edges of its framing. */
static void call_seeds(void)
{
	static struct ctl_child kids[1] = { { "web", 4243, 1001, "running", 0 } };
	static uint8_t buf[CTL_HEADER + CTL_REPLY_MAX + 8];
	static const uint8_t big[] = { 0, 0, CTL_REPLY_MAX >> 8, (CTL_REPLY_MAX & 0xff) + 1, 0xa0 };
	static const uint8_t empty[] = { 0, 0, 0, 0, 0xa0 };
	struct ctl_reply rp = { .v = CTL_VERSION, .ok = 1, .pid = 42, .start = 1000, .name = "grp", .sock = "/s",
				.cfg = "0123456789abcdef", .list = 1, .nchildren = 1, .children = kids };
	size_t len;

	if (ctl_encode_reply(&rp, buf, sizeof buf, &len) < 0) {
		failed = 1;
		return;
	}
	put(FT_CTL_CALL, "list", buf, len);
	put(FT_CTL_CALL, "cut-body", buf, len - 1);
	put(FT_CTL_CALL, "cut-header", buf, CTL_HEADER - 1);
	memcpy(buf + len, "\0\0\0\1\xa0", 5);
	put(FT_CTL_CALL, "and-more", buf, len + 5);
	put(FT_CTL_CALL, "over-limit", big, sizeof big);
	put(FT_CTL_CALL, "empty", empty, sizeof empty);
	/* ok true beside an err: both decodes keep the err (a harness that
	 * expected none stopped CI once). */
	static const uint8_t ok_err[] = {
		0x00, 0x00, 0x00, 0x79, 0xa8, 0x61, 0x76, 0x01, 0x62, 0x6f, 0x6b, 0xf5, 0x63, 0x65, 0x72, 0x72,
		0x70, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65,
		0x66, 0x63, 0x70, 0x69, 0x64, 0x18, 0x2a, 0x64, 0x6e, 0x61, 0x6d, 0x65, 0x63, 0x67, 0x32, 0x70,
		0x64, 0x73, 0x6f, 0x63, 0x6b, 0x62, 0x2f, 0x73, 0x65, 0x73, 0x74, 0x61, 0x72, 0x74, 0x19, 0x03,
		0xe8, 0x68, 0x63, 0x68, 0x69, 0x6c, 0x64, 0x72, 0x65, 0x6e, 0x81, 0xa5, 0x63, 0x70, 0x69, 0x64,
		0x19, 0x10, 0x93, 0x64, 0x6e, 0x61, 0x6d, 0x65, 0x63, 0x77, 0x65, 0x62, 0x65, 0x73, 0x74, 0x61,
		0x72, 0x74, 0x19, 0x03, 0xe9, 0x65, 0x73, 0x74, 0x61, 0x74, 0x65, 0x67, 0x72, 0x75, 0x6e, 0x6e,
		0x69, 0x6e, 0x67, 0x68, 0x72, 0x65, 0x73, 0x74, 0x61, 0x72, 0x74, 0x73, 0x00
	};
	put(FT_CTL_CALL, "ok-with-err", ok_err, sizeof ok_err);
}

static void ctl_seeds(void)
{
	static const uint8_t over[] = { 0, 0, CTL_REQUEST_MAX >> 8, (CTL_REQUEST_MAX & 0xff) + 1 };
	static const uint8_t zero[] = { 0, 0, 0, 0 };

	stream_seed("whole", FS_PEER_OWNER, "", 0, 3, "", 0);
	stream_seed("bytewise", FS_PEER_OWNER, "\0", 1, 3, "", 0);
	stream_seed("split", FS_PEER_OWNER, "\2\6\0\20", 4, 3, "", 0);
	stream_seed("other-uid", 0, "\5", 1, 2, "", 0);
	stream_seed("over-limit", FS_PEER_OWNER, "", 0, 1, over, sizeof over);
	stream_seed("zero", FS_PEER_OWNER, "\1", 1, 1, zero, sizeof zero);
	stream_seed("closed-in-header", FS_PEER_OWNER | FS_PEER_CLOSES, "", 0, 1, zero, 2);
	stream_seed("closed-in-body", FS_PEER_OWNER | FS_PEER_CLOSES, "\3", 1, 1, "\0\0\0\5\xa1", 5);
	stream_seed("partial-next", FS_PEER_OWNER, "", 0, 2, zero, 3);
	stream_max_seed();
	call_seeds();

	request_seed(CTL_STATUS, "");
	request_seed(CTL_LIST, "");
	request_seed(CTL_RESTART, "web");
	request_seed(CTL_STOP, "");
	reply_seed("status", 1, 0);
	reply_seed("list", 1, 1);
	reply_seed("refused", 0, 0);
}

static void marker_seed(void)
{
	struct marker m = { "systemd", 4242, 987654321, 1700000000, 1700000060 };
	uint8_t buf[512];
	size_t len;

	if (marker_encode(&m, FUZZ_MARKER_NAME, buf, sizeof buf, &len) < 0)
		failed = 1;
	else
		put(FT_MARKER, "systemd", buf, len);
}

static void text_seeds(void)
{
	put_str(FT_SV_CONFIG, "plain", "web /usr/sbin/httpd -f\ndb /usr/bin/db --port 5432\n");
	put_str(FT_SV_CONFIG, "quoting", "# children\n\n  web\t'/bin/sh' -c \"exec httpd \\\"-f\\\"\" a\\ b\r\n"
					 "log@1 logger -t 'a b' \"\" --\n");
	put_str(FT_STAT, "plain", "4321 (dnsmasq) S 1 100 100 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 123456 "
				  "2301952 187 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
	put_str(FT_STAT, "hostile-comm", "7 (a) b (c) R 0 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0\n");
	put_str(FT_BOOT_ID, "real", "0f5c8f6e-1c1a-4c8b-9b41-3a0f0e6c2d11\n");
	put_str(FT_SYSTEMD, "system", "/system.slice/dnsmasq.service");
	put_str(FT_SYSTEMD, "user", "/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service");
	put_str(FT_SYSTEMD, "nested", "/machine.slice/c.service/payload/system.slice/inner.service/sub");
	put_str(FT_PROCD, "instance", "/services/dnsmasq/instance1");
	put_str(FT_PROCD, "service", "/services/odhcpd");
}

/* "A=1", then "K=xxx..." of len bytes in all, then "K=short": an entry
 * one byte either side of the longest a read chunk keeps. */
static void edge_seed(const char *label, size_t len)
{
	unsigned char in[64];
	size_t n = 0, x = len - 2;

	in[n++] = 0;  /* "K" */
	memcpy(in + n, "A=1\0K=", 6);
	n += 6;
	for (; x >= FUZZ_ENV_RUN_UNIT; x -= (size_t)in[n - 1] * FUZZ_ENV_RUN_UNIT) {
		size_t c = x / FUZZ_ENV_RUN_UNIT < 255 ? x / FUZZ_ENV_RUN_UNIT : 254;
		in[n++] = FUZZ_ENV_RUN;
		in[n++] = (unsigned char)c;
	}
	memset(in + n, 'x', x);
	n += x;
	memcpy(in + n, "\0K=short", 8);
	n += 8;
	put(FT_ENVIRON, label, in, n);
}

/* Environments as /proc/PID/environ has them; the first byte picks the
 * name (fuzz_parsers.h). One holds an entry longer than a read chunk. */
static void environ_seeds(void)
{
	static const char systemd[] = "\2PATH=/usr/bin:/bin\0LANG=C\0"
		"INVOCATION_ID=0123456789abcdef0123456789abcdef\0HOME=/\0";
	static const char dup[] = "\1KEY=first\0KEYS=no\0KEY=second\0K=x";
	static const char lng[] = "\0A=1\0K=\377\200\0K=short\0";

	put(FT_ENVIRON, "systemd", systemd, sizeof systemd - 1);
	put(FT_ENVIRON, "dup", dup, sizeof dup - 1);
	put(FT_ENVIRON, "long", lng, sizeof lng - 1);
	edge_seed("edge-kept", PROCFS_ENV_CHUNK - 1);
	edge_seed("edge-skipped", PROCFS_ENV_CHUNK);
}

static void cmdline_seed(const char *label, int cap, const char *s, size_t n)
{
	char in[128];

	in[0] = (char)cap;
	memcpy(in + 1, s, n);
	put(FT_CMDLINE, label, in, n + 1);
}

#define CMDLINE_SEED(label, cap, s) cmdline_seed(label, cap, s, sizeof s - 1)

/* Command lines as /proc/PID/cmdline has them, and their edges: nothing,
 * only empty arguments, no last NUL (setproctitle), a read that filled
 * its buffer in an argument or just after its NUL, n at and past cap. */
static void cmdline_seeds(void)
{
	CMDLINE_SEED("supervise", FC_ROOM, "/usr/bin/tether\0--state-dir\0/run/t\0supervise\0--\0web\0httpd\0");
	CMDLINE_SEED("empty", FC_ROOM, "");
	CMDLINE_SEED("empty-filled", FC_FILLED, "");
	CMDLINE_SEED("empty-args", FC_ROOM, "\0\0\0");
	CMDLINE_SEED("proctitle", FC_ROOM, "nginx: master process");
	CMDLINE_SEED("inner-empty", FC_ROOM, "a\0\0b");
	CMDLINE_SEED("filled-cut", FC_FILLED, "tether\0supervise-x");
	CMDLINE_SEED("filled-whole", FC_FILLED, "tether\0supervise\0");
	CMDLINE_SEED("at-cap", FC_AT_CAP, "tether\0supervise");
	CMDLINE_SEED("past-cap", FC_PAST_CAP, "tether\0supervise\0");
}

/* The saved cgroup files the unit tests read, for both cgroup targets. */
static void cgroup_seeds(const char *src)
{
	char path[4096], label[300];
	static char buf[SEED_MAX + 1];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof path, "%s/tests/data/cgroup", src);
	if (!(d = opendir(path))) {
		perror(path);
		failed = 1;
		return;
	}
	while ((de = readdir(d))) {
		int fd;
		ssize_t n;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/tests/data/cgroup/%s", src, de->d_name);
		if ((fd = open(path, O_RDONLY)) < 0 || (n = read(fd, buf + 1, SEED_MAX)) < 0) {
			perror(path);
			failed = 1;
		} else {
			put(FT_CGROUP, de->d_name, buf + 1, (size_t)n);
			for (int id = 0; id < FD_COUNT; id++) {
				buf[0] = (char)id;
				snprintf(label, sizeof label, "%s-%d", de->d_name, id);
				put(FT_DETECT, label, buf, (size_t)n + 1);
			}
		}
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
}

static void elf_seed(const char *self)
{
	unsigned char head[ELF_HEAD];
	int fd = open(self, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof head);

	if (n < 0) {
		perror(self);
		failed = 1;
	} else {
		put(FT_ELF, "self", head, (size_t)n);
	}
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: seeds_parsers DIR SRC\n", stderr);
		return 2;
	}
	dir = argv[1];
	state_seeds();
	ctl_seeds();
	marker_seed();
	text_seeds();
	cgroup_seeds(argv[2]);
	environ_seeds();
	cmdline_seeds();
	elf_seed(argv[0]);
	return failed;
}
