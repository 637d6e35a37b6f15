/* The state record: CBOR schema round trip, forward compatibility,
 * strict rejection of damaged records, hardened and atomic files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cbor.h"
#include "state.h"
#include "tap.h"

static void sample(struct record *r)
{
	char *argv[] = { "/usr/sbin/dnsmasq", "-k", "--conf-file=/etc/dnsmasq.conf", "" };

	record_init(r, "dnsmasq");
	r->id.pid = 4242;
	r->id.start = 987654321;
	strcpy(r->id.boot, "0f5c8f6e-1c1a-4c8b-9b41-3a0f0e6c2d11");
	r->id.exe_dev = 2049;
	r->id.exe_ino = 131;
	r->id.pidns_dev = 4;
	r->id.pidns_ino = 4026531836ull;
	r->owner.type = OWNER_PROCD;
	strcpy(r->owner.service, "dnsmasq");
	strcpy(r->owner.instance, "instance1");
	record_set_argv(r, 4, argv);
	strcpy(r->cwd, "/");
	strcpy(r->exe, "/usr/sbin/dnsmasq");
	strcpy(r->sock, "/var/run/dnsmasq.sock");
	strcpy(r->cfg, "abc123");
	r->since = 1700000000;
	r->restarts = 3;
}

static int same(const struct record *a, const struct record *b)
{
	if (strcmp(a->name, b->name) || a->id.pid != b->id.pid || a->id.start != b->id.start ||
	    strcmp(a->id.boot, b->id.boot) || a->id.exe_dev != b->id.exe_dev || a->id.exe_ino != b->id.exe_ino ||
	    a->owner.type != b->owner.type || strcmp(a->owner.service, b->owner.service) ||
	    strcmp(a->owner.instance, b->owner.instance) || a->argc != b->argc || strcmp(a->cwd, b->cwd) ||
	    strcmp(a->exe, b->exe) || strcmp(a->sock, b->sock) || strcmp(a->cfg, b->cfg) ||
	    a->since != b->since || a->restarts != b->restarts || a->failed != b->failed ||
	    a->id.pidns_dev != b->id.pidns_dev || a->id.pidns_ino != b->id.pidns_ino)
		return 0;
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]))
			return 0;
	return 1;
}

static void test_round_trip(void)
{
	static struct record a, b, c;
	uint8_t buf[RECORD_MAX], buf2[RECORD_MAX];
	size_t len, len2;
	const char *why = NULL;

	sample(&a);
	ok(state_encode(&a, buf, sizeof buf, &len) == 0, "record encodes");
	ok(len > 3 && buf[0] == 0xd9 && buf[1] == 0xd9 && buf[2] == 0xf7, "starts with self-describe tag 55799");
	ok(state_decode(buf, len, &b, &why) == 0, "record decodes");
	ok(same(&a, &b), "every field survives the round trip");
	ok(state_encode(&b, buf2, sizeof buf2, &len2) == 0 && len2 == len && !memcmp(buf, buf2, len),
	   "re-encoding is byte-identical (deterministic)");

	a.owner.type = OWNER_SYSTEMD;
	a.owner.service[0] = a.owner.instance[0] = 0;
	strcpy(a.owner.unit, "app.service");
	a.owner.uid = 1000;
	a.failed = 1;
	state_encode(&a, buf, sizeof buf, &len);
	ok(state_decode(buf, len, &c, &why) == 0 && c.owner.uid == 1000 && !strcmp(c.owner.unit, "app.service") &&
	   c.failed == 1, "systemd user owner and failed flag survive");
}

/* Hand-built records, as an older or newer tether might write them. */
static size_t build(uint8_t *buf, size_t cap, int extra, int drop_start, int pid_as_text)
{
	struct cbor_enc e;

	cbor_enc_init(&e, buf, cap);
	cbor_put_tag(&e, CBOR_TAG_SELF_DESCRIBE);
	cbor_put_map(&e, 4 - drop_start + (extra ? 2 : 0));
	cbor_put_str(&e, "v");
	cbor_put_uint(&e, 9);
	cbor_put_str(&e, "name");
	cbor_put_str(&e, "legacy");
	cbor_put_str(&e, "pid");
	if (pid_as_text)
		cbor_put_str(&e, "12");
	else
		cbor_put_uint(&e, 12);
	if (!drop_start) {
		cbor_put_str(&e, "start");
		cbor_put_uint(&e, 77);
	}
	if (extra) {
		cbor_put_str(&e, "zz-future");
		cbor_put_array(&e, 2);
		cbor_put_uint(&e, 1);
		cbor_put_float(&e, 1.5);
		cbor_put_uint(&e, 7);  /* a non-text key */
		cbor_put_str(&e, "x");
	}
	return e.overflow ? 0 : e.len;
}

/* The head of a hand-built record: the four required pairs of PAIRS. */
static void record_head(struct cbor_enc *e, uint8_t *buf, size_t cap, unsigned pairs, const char *name)
{
	cbor_enc_init(e, buf, cap);
	cbor_put_tag(e, CBOR_TAG_SELF_DESCRIBE);
	cbor_put_map(e, pairs);
	cbor_put_key_uint(e, "v", 1);
	cbor_put_key_str(e, "name", name);
	cbor_put_key_uint(e, "pid", 12);
	cbor_put_key_uint(e, "start", 77);
}

static void test_compat(void)
{
	static struct record r, again;
	uint8_t buf[512], out[RECORD_MAX];
	size_t len = build(buf, sizeof buf, 1, 0, 0), olen;
	const char *why = NULL;

	ok(state_decode(buf, len, &r, &why) == 0, "record from a newer schema with unknown keys decodes");
	is_int(r.owner.type, OWNER_UNKNOWN, "a record without owner is marked unknown (resolved live)");
	is_int(r.extra_pairs, 2, "unknown pairs are kept");
	ok(state_encode(&r, out, sizeof out, &olen) == 0 && state_decode(out, olen, &again, &why) == 0 &&
	   again.extra_pairs == 2, "unknown pairs survive a rewrite");

	/* A key with a NUL inside is not one of ours, whatever it starts with. */
	struct cbor_enc e;
	record_head(&e, buf, sizeof buf, 7, "nul");
	cbor_put_text(&e, "pid\0x", 5);
	cbor_put_uint(&e, 99);
	cbor_put_text(&e, "argv\0x", 6);
	cbor_put_array(&e, 1);
	cbor_put_str(&e, "sh");
	cbor_put_text(&e, "owner\0x", 7);
	cbor_put_uint(&e, 1);
	ok(!e.overflow && state_decode(buf, e.len, &r, &why) == 0 && r.id.pid == 12 && r.argc == 0 &&
	   r.owner.type == OWNER_UNKNOWN && r.extra_pairs == 3,
	   "keys pid, argv and owner with a NUL inside are kept as unknown, not read as the field");

	/* Kept twice, it could never be written back: cbor_map_sort refuses it. */
	record_head(&e, buf, sizeof buf, 6, "dup");
	cbor_put_int(&e, -16);  /* a non-text key */
	cbor_put_uint(&e, 1);
	cbor_put_int(&e, -16);
	cbor_put_uint(&e, 2);
	why = NULL;
	ok(!e.overflow && state_decode(buf, e.len, &r, &why) < 0 && why && !strcmp(why, "an unknown key twice"),
	   "an unknown key twice is rejected, not kept for a rewrite that must fail");

	/* One of our keys twice: neither value is trusted. */
	static const char *const twice[] = { "pid", "argv", "owner" };
	for (size_t i = 0; i < sizeof twice / sizeof *twice; i++) {
		record_head(&e, buf, sizeof buf, i == 0 ? 5 : 6, "dup");
		for (int k = i == 0; k < 2; k++) {  /* pid's first copy is above */
			cbor_put_str(&e, twice[i]);
			if (i == 0) {
				cbor_put_uint(&e, 99);
			} else if (i == 1) {
				cbor_put_array(&e, 1);
				cbor_put_str(&e, "sh");
			} else {
				cbor_put_map(&e, 1);
				cbor_put_str(&e, "type");
				cbor_put_str(&e, "none");
			}
		}
		why = NULL;
		ok(!e.overflow && state_decode(buf, e.len, &r, &why) < 0 && why && !strcmp(why, "a key twice"),
		   "key %s twice: the record is refused", twice[i]);
	}

	/* A value of the wrong shape names what it broke. */
	static const char *const shape[][2] = {
		{ "argv", "bad argv" }, { "owner", "bad owner" }, { "since", "a field has the wrong type or size" },
	};
	for (size_t i = 0; i < sizeof shape / sizeof *shape; i++) {
		record_head(&e, buf, sizeof buf, 5, "shape");
		cbor_put_key_str(&e, shape[i][0], "x");
		why = NULL;
		ok(!e.overflow && state_decode(buf, e.len, &r, &why) < 0 && why && !strcmp(why, shape[i][1]),
		   "%s as text: refused as \"%s\"", shape[i][0], shape[i][1]);
	}

	/* An owner key twice is damage too, not the last one trusted. */
	record_head(&e, buf, sizeof buf, 5, "owner2");
	cbor_put_str(&e, "owner");
	cbor_put_map(&e, 3);
	cbor_put_key_str(&e, "type", "none");
	cbor_put_key_uint(&e, "uid", 0);
	cbor_put_key_uint(&e, "uid", 1000);
	why = NULL;
	ok(!e.overflow && state_decode(buf, e.len, &r, &why) < 0 && why && !strcmp(why, "bad owner"),
	   "an owner key twice: refused as \"bad owner\"");

	/* Past the item limit with known fields only: exe as a string of
	 * 4,200 empty chunks decodes item by item, but the record is not
	 * within the limits, and the one-pass decode must not accept it. */
	static uint8_t many[RECORD_MAX];
	record_head(&e, many, sizeof many, 5, "chunks");
	cbor_put_str(&e, "exe");
	cbor_put_raw(&e, "\x7f", 1);
	for (int i = 0; i < 4200; i++)
		cbor_put_text(&e, "", 0);
	cbor_put_raw(&e, "\xff", 1);
	why = NULL;
	ok(!e.overflow && state_decode(many, e.len, &r, &why) < 0 && why && !strcmp(why, "too many items"),
	   "a field in 4,200 chunks: refused as \"too many items\", as cbor_check says");

	len = build(buf, sizeof buf, 0, 1, 0);
	why = NULL;
	ok(state_decode(buf, len, &r, &why) < 0 && why, "record without start rejected");
	len = build(buf, sizeof buf, 0, 0, 1);
	ok(state_decode(buf, len, &r, &why) < 0, "pid of the wrong type rejected");
}

static int has_key(const uint8_t *buf, size_t len, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(buf + i, key, n))
			return 1;
	return 0;
}

/* The writer's pid namespace: an optional pair of keys, like dev/ino. */
static void test_pidns(void)
{
	static struct record a, b;
	uint8_t buf[RECORD_MAX];
	struct cbor_enc e;
	size_t len;
	const char *why = NULL;

	sample(&a);
	ok(state_encode(&a, buf, sizeof buf, &len) == 0 && has_key(buf, len, "pidns_dev") &&
	   has_key(buf, len, "pidns_ino"), "a known namespace is written as pidns_dev and pidns_ino");
	ok(state_decode(buf, len, &b, &why) == 0 && b.id.pidns_dev == 4 && b.id.pidns_ino == 4026531836ull &&
	   b.extra_pairs == 0, "and read back as the identity's namespace, not as unknown keys");
	a.id.pidns_dev = a.id.pidns_ino = 0;
	ok(state_encode(&a, buf, sizeof buf, &len) == 0 && !has_key(buf, len, "pidns"),
	   "an unknown namespace writes no key");
	ok(state_decode(buf, len, &b, &why) == 0 && b.id.pidns_ino == 0, "and reads back unknown");

	record_head(&e, buf, sizeof buf, 4, "older");
	ok(!e.overflow && state_decode(buf, e.len, &b, &why) == 0 && b.id.pidns_ino == 0 && b.id.pidns_dev == 0,
	   "a record from an older tether: no namespace, as before");

	record_head(&e, buf, sizeof buf, 5, "nstext");
	cbor_put_key_str(&e, "pidns_ino", "4026531836");
	why = NULL;
	ok(!e.overflow && state_decode(buf, e.len, &b, &why) < 0 && why &&
	   !strcmp(why, "a field has the wrong type or size"), "pidns_ino as text: refused");

	record_head(&e, buf, sizeof buf, 6, "ns2");
	cbor_put_key_uint(&e, "pidns_ino", 1);
	cbor_put_key_uint(&e, "pidns_ino", 2);
	why = NULL;
	ok(!e.overflow && state_decode(buf, e.len, &b, &why) < 0 && why && !strcmp(why, "a key twice"),
	   "pidns_ino twice: refused");
}

static void test_damage(void)
{
	static struct record a, b;
	uint8_t buf[RECORD_MAX];
	size_t len;
	const char *why;
	int accepted = 0, flips = 0;

	sample(&a);
	state_encode(&a, buf, sizeof buf, &len);
	for (size_t i = 0; i < len; i++)
		accepted += state_decode(buf, i, &b, &why) == 0;
	is_int(accepted, 0, "every truncation of a record is rejected");
	for (size_t i = 0; i < len; i++) {
		uint8_t save = buf[i];
		for (int bit = 0; bit < 8; bit++) {
			buf[i] = save ^ (uint8_t)(1u << bit);
			if (state_decode(buf, len, &b, &why) == 0 && !name_valid(b.name))
				flips++;
		}
		buf[i] = save;
	}
	is_int(flips, 0, "no bit flip yields a record with an invalid name");
	uint8_t junk[] = { 0xd9, 0xd9, 0xf7, 0xa1, 0x61, 0x76, 0x01, 0x00 };
	ok(state_decode(junk, sizeof junk, &b, &why) < 0, "trailing bytes rejected");
	ok(state_decode((const uint8_t *)"hello", 5, &b, &why) < 0, "non-CBOR rejected");
	uint8_t notag[] = { 0xa0 };
	ok(state_decode(notag, 1, &b, &why) < 0, "map without self-describe tag rejected");
}

static void test_names(void)
{
	ok(name_valid("dnsmasq") && name_valid("getty@tty1") && name_valid("a.b-c_d"), "ordinary names valid");
	ok(!name_valid("") && !name_valid(".hidden") && !name_valid("-x") && !name_valid("a/b") &&
	   !name_valid("a b") && !name_valid("../x"), "empty, hidden, option-like, path and spaced names invalid");
	char longname[80];
	memset(longname, 'a', 65);
	longname[65] = 0;
	ok(!name_valid(longname), "65-byte name invalid");
}

static void test_files(void)
{
	char dir[] = "/tmp/tether-state.XXXXXX", path[64], cmd[300];
	static struct record a, b;
	struct tether_ctx ctx;
	int dirfd;

	if (!mkdtemp(dir)) {
		tap_skip("state files", "mkdtemp failed");
		return;
	}
	ctx_init(&ctx);
	snprintf(path, sizeof path, "%s/state", dir);
	ctx.state_dir = path;
	dirfd = state_dir_open(&ctx, 1);
	struct stat sb;
	ok(dirfd >= 0 && stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0700, "state dir created 0700");
	sample(&a);
	ok(state_save(&ctx, dirfd, &a) == 0, "record saved");
	ok(state_load(&ctx, dirfd, "dnsmasq", &b) == STATE_OK && same(&a, &b), "saved record loads back");
	ok(state_load(&ctx, dirfd, "absent", &b) == STATE_ABSENT, "missing record is absent");

	char file[128];
	snprintf(file, sizeof file, "%s/dnsmasq.cbor", path);
	chmod(file, 0666);
	ok(state_load(&ctx, dirfd, "dnsmasq", &b) == STATE_INSECURE, "world-writable record refused");
	chmod(file, 0620);
	ok(state_load(&ctx, dirfd, "dnsmasq", &b) == STATE_INSECURE, "group-writable record refused");
	chmod(file, 0600);
	if (geteuid() == 0) {
		ok(chown(file, 65534, 65534) == 0 && state_load(&ctx, dirfd, "dnsmasq", &b) == STATE_INSECURE,
		   "record owned by another user refused");
		ok(chown(file, 0, 0) == 0, "owner restored");
	} else {
		tap_skip("record owned by another user refused", "needs root to chown");
		tap_skip("owner restored", "needs root");
	}
	snprintf(cmd, sizeof cmd, "%s/evil.cbor", path);
	ok(symlink(file, cmd) == 0 && state_load(&ctx, dirfd, "evil", &b) == STATE_INSECURE,
	   "symlinked record refused (O_NOFOLLOW)");
	snprintf(cmd, sizeof cmd, "%s/dir.cbor", path);
	ok(mkdir(cmd, 0700) == 0 && state_load(&ctx, dirfd, "dir", &b) == STATE_INSECURE,
	   "directory in place of a record refused");
	snprintf(cmd, sizeof cmd, "%s/trunc.cbor", path);
	int fd = open(cmd, O_WRONLY | O_CREAT, 0600);
	ok(fd >= 0 && write(fd, "\xd9\xd9\xf7\xa4", 4) == 4, "truncated record written");
	close(fd);
	ok(state_load(&ctx, dirfd, "trunc", &b) == STATE_CORRUPT, "truncated record is corrupt");
	ok(state_quarantine(&ctx, dirfd, "trunc") == 0 && access(cmd, F_OK) != 0, "corrupt record moved aside");
	snprintf(cmd, sizeof cmd, "%s/trunc.cbor.corrupt", path);
	ok(access(cmd, F_OK) == 0, "its bytes are kept as .corrupt");

	/* a record file for one name that claims another */
	snprintf(cmd, sizeof cmd, "cp %s/dnsmasq.cbor %s/other.cbor", path, path);
	ok(system(cmd) == 0 && state_load(&ctx, dirfd, "other", &b) == STATE_CORRUPT, "record naming another daemon is corrupt");
	ok(state_remove(&ctx, dirfd, "dnsmasq") == 0 && state_load(&ctx, dirfd, "dnsmasq", &b) == STATE_ABSENT,
	   "removed record is absent");
	close(dirfd);

	chmod(path, 0777);
	ok(state_dir_open(&ctx, 0) == -2, "world-writable state dir refused");
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
}

int main(void)
{
	test_round_trip();
	test_compat();
	test_pidns();
	test_damage();
	test_names();
	test_files();
	return tap_done();
}
