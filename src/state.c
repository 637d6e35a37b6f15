#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cbor.h"
#include "exitcodes.h"
#include "fmt.h"
#include "mem.h"
#include "msg.h"
#include "sort.h"
#include "state.h"
#include "sys.h"

#define FILE_MAX (NAME_MAX_LEN + 32)
#define DIR_MODE 0700
#define FILE_MODE 0600
#define CORRUPT_SUFFIX ".corrupt"
#define DENTS_BUF 4096
#define NAMES_FIRST 64

int name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN || name[0] == '.' || name[0] == '-')
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '@' || *p == '-'))
			return 0;
	return 1;
}

void record_init(struct record *r, const char *name)
{
	memset(r, 0, offsetof(struct record, name));
	r->version = STATE_VERSION;
	r->argv[0] = NULL;
	r->argbuf[0] = r->cwd[0] = r->exe[0] = r->sock[0] = r->log[0] = r->cfg[0] = 0;
	owner_clear(&r->owner);
	fmt(r->name, sizeof r->name, "%s", name);
}

void record_rebase(struct record *r)
{
	size_t off = 0;

	for (int i = 0; i < r->argc; i++) {
		r->argv[i] = r->argbuf + off;
		off += strlen(r->argv[i]) + 1;
	}
	r->argv[r->argc] = NULL;
}

int record_set_argv(struct record *r, int argc, char *const argv[])
{
	size_t off = 0;

	if (argc > ARGV_MAX)
		goto big;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (n > sizeof r->argbuf - off)
			goto big;
		memcpy(r->argbuf + off, argv[i], n);
		r->argv[i] = r->argbuf + off;
		off += n;
	}
	r->argc = argc;
	r->argv[argc] = NULL;
	return 0;
big:
	errno = E2BIG;
	return -1;
}

/* --- encoding --- */

static void put_owner(struct cbor_enc *e, const struct owner *o)
{
	const char *fields[][2] = {
		{ "unit", o->unit }, { "service", o->service },
		{ "instance", o->instance }, { "dir", o->dir },
	};
	unsigned n = 1 + (o->type == OWNER_SYSTEMD && o->uid >= 0);
	size_t start = e->len;

	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		n += fields[i][1][0] != 0;
	cbor_put_map(e, n);
	cbor_put_key_os_str(e, "type", owner_type_name(o->type));
	if (o->type == OWNER_SYSTEMD && o->uid >= 0)
		cbor_put_key_uint(e, "uid", (uint64_t)o->uid);
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (fields[i][1][0])
			cbor_put_key_os_str(e, fields[i][0], fields[i][1]);
	cbor_map_sort(e, start);
}

int state_encode(const struct record *r, uint8_t *buf, size_t cap, size_t *len)
{
	struct cbor_enc e;
	const char *opt[][2] = {
		{ "boot", r->id.boot }, { "cwd", r->cwd }, { "exe", r->exe },
		{ "sock", r->sock }, { "cfg", r->cfg }, { "log", r->log },
	};
	unsigned pairs = 7 + r->extra_pairs;  /* v name pid start since restarts argv */
	size_t map;

	for (size_t i = 0; i < sizeof opt / sizeof *opt; i++)
		pairs += opt[i][1][0] != 0;
	pairs += r->id.exe_ino ? 2 : 0;
	pairs += r->id.pidns_ino ? 2 : 0;
	pairs += r->owner.type != OWNER_UNKNOWN;
	pairs += r->failed != 0;
	pairs += r->stopped != 0;

	cbor_enc_init(&e, buf, cap);
	cbor_put_tag(&e, CBOR_TAG_SELF_DESCRIBE);
	map = e.len;
	cbor_put_map(&e, pairs);
	cbor_put_key_uint(&e, "v", r->version ? r->version : STATE_VERSION);
	cbor_put_key_os_str(&e, "name", r->name);
	cbor_put_key_uint(&e, "pid", (uint64_t)r->id.pid);
	cbor_put_key_uint(&e, "start", r->id.start);
	cbor_put_key_uint(&e, "since", (uint64_t)(r->since > 0 ? r->since : 0));
	cbor_put_key_uint(&e, "restarts", r->restarts);
	cbor_put_str(&e, "argv");
	cbor_put_array(&e, (uint64_t)r->argc);
	for (int i = 0; i < r->argc; i++)
		cbor_put_os_str(&e, r->argv[i]);
	for (size_t i = 0; i < sizeof opt / sizeof *opt; i++)
		if (opt[i][1][0])
			cbor_put_key_os_str(&e, opt[i][0], opt[i][1]);
	if (r->id.exe_ino) {
		cbor_put_key_uint(&e, "dev", r->id.exe_dev);
		cbor_put_key_uint(&e, "ino", r->id.exe_ino);
	}
	if (r->id.pidns_ino) {
		cbor_put_key_uint(&e, "pidns_dev", r->id.pidns_dev);
		cbor_put_key_uint(&e, "pidns_ino", r->id.pidns_ino);
	}
	if (r->owner.type != OWNER_UNKNOWN) {
		cbor_put_str(&e, "owner");
		put_owner(&e, &r->owner);
	}
	if (r->failed) {
		cbor_put_str(&e, "failed");
		cbor_put_bool(&e, 1);
	}
	if (r->stopped) {
		cbor_put_str(&e, "stopped");
		cbor_put_bool(&e, 1);
	}
	cbor_put_raw(&e, r->extra, r->extra_len);
	if (e.overflow || cbor_map_sort(&e, map) < 0 || e.overflow) {
		errno = E2BIG;
		return -1;
	}
	*len = e.len;
	return 0;
}

/* --- decoding --- */

struct field {
	const char *key;
	size_t klen;  /* strlen(key): most keys are told apart by it */
	enum { F_UINT, F_STR, F_BOOL, F_ARGV, F_OWNER } kind;
	size_t off;   /* into struct record */
	size_t size;  /* string capacity, or integer width (argv, owner: unused) */
};

#define FLD(k, kind, m) { k, sizeof k - 1, kind, offsetof(struct record, m), sizeof(((struct record *)0)->m) }
static const struct field fields[] = {
	FLD("v", F_UINT, version),
	FLD("name", F_STR, name),
	FLD("pid", F_UINT, id.pid),
	FLD("start", F_UINT, id.start),
	FLD("boot", F_STR, id.boot),
	FLD("dev", F_UINT, id.exe_dev),
	FLD("ino", F_UINT, id.exe_ino),
	FLD("pidns_dev", F_UINT, id.pidns_dev),
	FLD("pidns_ino", F_UINT, id.pidns_ino),
	FLD("cwd", F_STR, cwd),
	FLD("exe", F_STR, exe),
	FLD("sock", F_STR, sock),
	FLD("log", F_STR, log),
	FLD("cfg", F_STR, cfg),
	FLD("since", F_UINT, since),
	FLD("restarts", F_UINT, restarts),
	FLD("failed", F_BOOL, failed),
	FLD("stopped", F_BOOL, stopped),
	FLD("argv", F_ARGV, argv),
	FLD("owner", F_OWNER, owner),
};

static int read_uint(struct cbor_dec *d, size_t width, void *dst)
{
	struct cbor_item it;
	uint64_t max = width >= 8 ? INT64_MAX : width == 4 ? INT32_MAX : 0;

	if (cbor_read(d, &it) < 0 || it.type != CBOR_UINT || it.u > max)
		return -1;
	if (width == 4)
		*(int *)dst = (int)it.u;
	else
		*(uint64_t *)dst = it.u;
	return 0;
}

static int read_text(struct cbor_dec *d, char *dst, size_t cap)
{
	struct cbor_item it;

	if (cbor_read(d, &it) < 0 || (it.type != CBOR_TEXT && it.type != CBOR_BYTES))
		return -1;  /* bytes: a path or argument that is not UTF-8 */
	long n = cbor_read_string(d, &it, dst, cap);
	return n >= 0 && strlen(dst) == (size_t)n ? 0 : -1;  /* no NUL inside */
}

static int read_argv(struct cbor_dec *d, struct record *r)
{
	struct cbor_item it;
	size_t off = 0;

	if (cbor_read(d, &it) < 0 || it.type != CBOR_ARRAY || it.indef || it.u > ARGV_MAX)
		return -1;
	r->argc = (int)it.u;
	for (int i = 0; i < r->argc; i++) {
		if (read_text(d, r->argbuf + off, sizeof r->argbuf - off) < 0)
			return -1;
		r->argv[i] = r->argbuf + off;
		off += strlen(r->argv[i]) + 1;
	}
	r->argv[r->argc] = NULL;
	return 0;
}

/* The owner map; one of its keys twice is damage, as in the record. */
static int read_owner(struct cbor_dec *d, struct owner *o)
{
	static const char *const keys[] = { "type", "unit", "service", "instance", "dir", "uid" };
	struct cbor_item it;
	char key[16], type[32];
	unsigned seen = 0;

	if (cbor_read(d, &it) < 0 || it.type != CBOR_MAP || it.indef)
		return -1;
	owner_clear(o);
	type[0] = 0;
	for (uint64_t i = 0; i < it.u; i++) {
		size_t k = 0;
		if (read_text(d, key, sizeof key) < 0)
			return -1;
		while (k < sizeof keys / sizeof *keys && strcmp(key, keys[k]))
			k++;
		if (seen & 1u << k)
			return -1;
		seen |= k < sizeof keys / sizeof *keys ? 1u << k : 0;
		int r = k == 0 ? read_text(d, type, sizeof type)
		      : k == 1 ? read_text(d, o->unit, sizeof o->unit)
		      : k == 2 ? read_text(d, o->service, sizeof o->service)
		      : k == 3 ? read_text(d, o->instance, sizeof o->instance)
		      : k == 4 ? read_text(d, o->dir, sizeof o->dir)
		      : k == 5 ? read_uint(d, sizeof o->uid, &o->uid)
		      : cbor_skip(d);
		if (r < 0)
			return -1;
	}
	int t = owner_type_parse(type);
	if (t <= OWNER_UNKNOWN)
		return -1;
	o->type = (enum owner_type)t;
	return 0;
}

static int read_field(struct cbor_dec *d, const struct field *f, struct record *r)
{
	void *dst = (char *)r + f->off;
	struct cbor_item it;

	switch (f->kind) {
	case F_UINT:
		return read_uint(d, f->size, dst);
	case F_STR:
		return read_text(d, dst, f->size);
	case F_BOOL:
		if (cbor_read(d, &it) < 0 || it.type != CBOR_SIMPLE ||
		    (it.u != CBOR_TRUE && it.u != CBOR_FALSE))
			return -1;
		*(int *)dst = it.u == CBOR_TRUE;
		return 0;
	case F_ARGV:
		return read_argv(d, r);
	case F_OWNER:
		return read_owner(d, dst);
	}
	return -1;
}

/* Is the key encoded in key[0..n) among the unknown pairs kept so far? */
static int extra_has(const struct record *r, const uint8_t *key, size_t n)
{
	struct cbor_dec d;

	cbor_dec_init(&d, r->extra, r->extra_len);
	while (d.p < d.end) {
		const uint8_t *k = d.p;
		if (cbor_skip(&d) < 0)
			return 0;
		if ((size_t)(d.p - k) == n && !memcmp(k, key, n))
			return 1;
		if (cbor_skip(&d) < 0)
			return 0;
	}
	return 0;
}

/* An unknown pair, its key read up to d->p, kept as encoded. The same key
 * twice is refused: cbor_map_sort would refuse the rewrite. */
static int keep_extra(struct record *r, const uint8_t *key, struct cbor_dec *d, const char **why)
{
	if (extra_has(r, key, (size_t)(d->p - key)))
		return *why = "an unknown key twice", -1;
	if (cbor_skip(d) < 0)
		return *why = "bad value", -1;
	size_t n = (size_t)(d->p - key);
	if (n <= sizeof r->extra - r->extra_len) {
		memcpy(r->extra + r->extra_len, key, n);
		r->extra_len += n;
		r->extra_pairs++;
	}
	return 0;
}

#define FIELDS (sizeof fields / sizeof *fields)
_Static_assert(FIELDS <= 32, "decode_pair's seen holds a bit per key");

static int decode_pair(struct cbor_dec *d, struct record *r, unsigned *seen, const char **why)
{
	const uint8_t *keystart = d->p;
	struct cbor_item it;
	char key[32];

	if (cbor_read(d, &it) < 0)
		return *why = "bad key", -1;
	if (it.type != CBOR_TEXT) {  /* not ours: keep it */
		d->p = keystart;
		if (cbor_skip(d) < 0)
			return *why = "bad key", -1;
		return keep_extra(r, keystart, d, why);
	}
	long klen = cbor_read_string(d, &it, key, sizeof key);
	if (klen < 0) {
		if (it.indef || errno != ENAMETOOLONG)
			return *why = "bad key", -1;
		key[0] = 0;  /* a long key: not one of ours */
	}
	for (size_t i = 0; i < FIELDS; i++) {
		static const char *const bad[] = {
			[F_UINT] = "a field has the wrong type or size",
			[F_STR] = "a field has the wrong type or size",
			[F_BOOL] = "a field has the wrong type or size",
			[F_ARGV] = "bad argv",
			[F_OWNER] = "bad owner",
		};
		if ((size_t)klen != fields[i].klen || memcmp(key, fields[i].key, fields[i].klen))
			continue;
		/* A key twice is damage, an unknown one as much as ours (RFC
		 * 8949 5.6): refused rather than one of the values trusted. */
		if (*seen & 1u << i)
			return *why = "a key twice", -1;
		*seen |= 1u << i;
		return read_field(d, &fields[i], r) < 0 ? (*why = bad[fields[i].kind], -1) : 0;
	}
	return keep_extra(r, keystart, d, why);
}

/* The record as the fields table reads it, checking what it reads. */
static int decode_record(struct cbor_dec *d, struct record *r, const char **why)
{
	struct cbor_item it;
	unsigned seen = 0, required = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3;

	if (cbor_read(d, &it) < 0 || it.type != CBOR_TAG || it.u != CBOR_TAG_SELF_DESCRIBE)
		return *why = "not a tether record (no self-describe tag)", -1;
	if (cbor_read(d, &it) < 0 || it.type != CBOR_MAP)
		return *why = "not a map", -1;
	for (uint64_t i = 0; it.indef ? !cbor_at_break(d) : i < it.u; i++)
		if (decode_pair(d, r, &seen, why) < 0)
			return -1;
	if (d->p != d->end)
		return *why = "trailing bytes after the record", -1;
	if ((seen & required) != required)
		return *why = "missing v, name, pid or start", -1;
	if (!name_valid(r->name) || r->id.pid <= 0 || r->version == 0)
		return *why = "bad name, pid or version", -1;
	return 0;
}

/*
 * One pass in the common case. A record is well-formed CBOR within the
 * default limits (cbor_check) and decodes; the decode reads every item of
 * the fields it knows, checked as it goes, and nests them no deeper than
 * the limit. So the whole check runs only when the decode fails (its
 * reason, a malformation, comes first, as it always did), skipped items
 * it does not know, or read more items than the limit (a string in
 * thousands of chunks): then the limits decide.
 */
int state_decode(const uint8_t *buf, size_t len, struct record *r, const char **why)
{
	struct cbor_dec d;
	const char *malformed;
	size_t used;
	int res;

	record_init(r, "");
	cbor_dec_init(&d, buf, len);
	res = decode_record(&d, r, why);
	if (res < 0 || d.skips || d.items > cbor_default_limits.max_items) {
		if (cbor_check(buf, len, NULL, &used, &malformed) < 0)
			return *why = malformed, -1;
		if (used != len)
			return *why = "trailing bytes after the record", -1;
	}
	if (res < 0)
		return -1;
	ident_set_comm(&r->id, r->exe);
	return 0;
}

/* --- files --- */

static int check_owner_mode(const struct stat *sb)
{
	return (sb->st_uid == 0 || sb->st_uid == geteuid()) && !(sb->st_mode & 022);
}

static int mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

int state_dir_open(struct tether_ctx *ctx, int create)
{
	char path[PATH_MAX];
	struct stat sb;
	int fd;

	if (fmt(path, sizeof path, "%s", ctx->state_dir) >= sizeof path) {
		errno = ENAMETOOLONG;
		msg_syserr(ctx, "state dir", ctx->state_dir);
		return -1;
	}
	/* openat: musl's open() adds an fcntl(FD_CLOEXEC) for old kernels, a
	 * syscall in every command. */
	fd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdir_parents(path) < 0 || (mkdir(path, DIR_MODE) < 0 && errno != EEXIST)) {
			msg_syserr(ctx, "mkdir", path);
			return -1;
		}
		fd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP) && fstatat(AT_FDCWD, path, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(sb.st_mode)) {
		msg_error(ctx, "state dir %s refused: it is a symlink", path);
		errno = ELOOP;
		return -2;
	}
	if (fd < 0) {
		if (errno != ENOENT || create)
			msg_syserr(ctx, "open state dir", path);
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !check_owner_mode(&sb)) {
		msg_error(ctx, "state dir %s refused: must be owned by root or uid %d and not writable by group or others",
			  path, (int)geteuid());
		close(fd);
		errno = EPERM;
		return -2;
	}
	return fd;
}

static void record_file(char *buf, const char *name)
{
	fmt(buf, FILE_MAX, "%s" STATE_SUFFIX, name);
}

static enum state_result read_record(int fd, uint8_t *buf, size_t *len)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return STATE_ERROR;
	if (!S_ISREG(sb.st_mode) || !check_owner_mode(&sb))
		return STATE_INSECURE;
	if (sb.st_size > RECORD_MAX)
		return STATE_CORRUPT;
	/* Records are replaced by rename, never written in place: the size
	 * fstat gave is the whole file, read in one call. */
	ssize_t n = sys_read_full(fd, buf, sb.st_size ? (size_t)sb.st_size : 1);
	if (n < 0)
		return STATE_ERROR;
	*len = (size_t)n;
	return STATE_OK;
}

enum state_result state_read_file(struct tether_ctx *ctx, int dirfd, const char *file, uint8_t *buf, size_t *len)
{
	enum state_result res;
	int fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT)
			return STATE_ABSENT;
		if (errno == ELOOP) {
			msg_error(ctx, "%s/%s refused: it is a symlink", ctx->state_dir, file);
			return STATE_INSECURE;
		}
		msg_syserr(ctx, "open", file);
		return STATE_ERROR;
	}
	res = read_record(fd, buf, len);
	close(fd);
	if (res == STATE_INSECURE)
		msg_error(ctx, "%s/%s refused: must be a regular file owned by root or uid %d, not writable by group or others",
			  ctx->state_dir, file, (int)geteuid());
	else if (res == STATE_ERROR)
		msg_syserr(ctx, "read", file);
	else if (res == STATE_CORRUPT)
		msg_error(ctx, "%s/%s is larger than %d bytes", ctx->state_dir, file, RECORD_MAX);
	return res;
}

enum state_result state_load(struct tether_ctx *ctx, int dirfd, const char *name, struct record *r)
{
	char file[FILE_MAX];
	uint8_t buf[RECORD_MAX];
	const char *why = "unknown";
	size_t len = 0;
	enum state_result res;

	record_file(file, name);
	res = state_read_file(ctx, dirfd, file, buf, &len);
	if (res != STATE_OK)
		return res;
	if (state_decode(buf, len, r, &why) < 0) {
		msg_error(ctx, "record %s is corrupt (%s): treated as absent", name, why);
		return STATE_CORRUPT;
	}
	if (strcmp(r->name, name)) {
		msg_error(ctx, "record %s is corrupt (names another daemon): treated as absent", name);
		return STATE_CORRUPT;
	}
	return STATE_OK;
}

int state_write_file(struct tether_ctx *ctx, int dirfd, const char *file, const uint8_t *buf, size_t len)
{
	char tmp[FILE_MAX + 24];
	int fd;

	fmt(tmp, sizeof tmp, ".%s.tmp.%d", file, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, FILE_MODE);
	if (fd < 0) {
		msg_syserr(ctx, "create", tmp);
		return -1;
	}
	if (sys_write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		msg_syserr(ctx, "write", tmp);
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, file) < 0) {
		msg_syserr(ctx, "rename", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (fsync(dirfd) < 0 && errno != EINVAL) {
		msg_syserr(ctx, "fsync", ctx->state_dir);
		return -1;
	}
	return 0;
}

int state_save(struct tether_ctx *ctx, int dirfd, const struct record *r)
{
	char file[FILE_MAX];
	uint8_t buf[RECORD_MAX];
	size_t len;

	if (state_encode(r, buf, sizeof buf, &len) < 0) {
		msg_error(ctx, "record %s does not fit in %d bytes", r->name, RECORD_MAX);
		return -1;
	}
	record_file(file, r->name);
	return state_write_file(ctx, dirfd, file, buf, len);
}

int state_remove(struct tether_ctx *ctx, int dirfd, const char *name)
{
	char file[FILE_MAX];

	record_file(file, name);
	if (unlinkat(dirfd, file, 0) < 0 && errno != ENOENT) {
		msg_syserr(ctx, "remove", file);
		return -1;
	}
	fsync(dirfd);
	return 0;
}

/* NAME.cbor.corrupt, then .corrupt.1 to .corrupt.9: a record moved
 * aside earlier is evidence too, and is not replaced; only the last slot
 * is, once all are taken. Callers hold NAME.lock, so the first free slot
 * stays free until the rename. */
#define CORRUPT_SLOTS 10

int state_quarantine(struct tether_ctx *ctx, int dirfd, const char *name)
{
	char file[FILE_MAX], aside[FILE_MAX + sizeof CORRUPT_SUFFIX + 2];
	struct stat sb;

	record_file(file, name);
	for (int slot = 0; slot < CORRUPT_SLOTS; slot++) {
		fmt(aside, sizeof aside, slot ? "%s" CORRUPT_SUFFIX ".%d" : "%s" CORRUPT_SUFFIX, file, slot);
		if (fstatat(dirfd, aside, &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			break;
	}
	if (renameat(dirfd, file, dirfd, aside) < 0) {
		msg_syserr(ctx, "rename", file);
		return -1;
	}
	msg_warn(ctx, "moved corrupt record %s aside to %s/%s", name, ctx->state_dir, aside);
	fsync(dirfd);
	return 0;
}

int state_exit_code(enum state_result res, int not_found)
{
	switch (res) {
	case STATE_OK: return 0;
	case STATE_ABSENT: return not_found;
	case STATE_INSECURE: return EX_INSECURE;
	case STATE_CORRUPT: return EX_CORRUPT;
	default: return EX_FAIL;
	}
}

/* The kernel's struct linux_dirent64 (getdents64(2)). */
struct dent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

struct names {
	char (*v)[NAME_MAX_LEN + 1];  /* a mapping (mem.h) */
	size_t count, cap;
	char **by;                    /* into v, sorted; a mapping too */
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keep FILE's record name if it is one. */
static int names_add(struct names *l, const char *file)
{
	size_t n = strlen(file), sl = sizeof STATE_SUFFIX - 1;

	if (n <= sl || n - sl > NAME_MAX_LEN || strcmp(file + n - sl, STATE_SUFFIX))
		return 0;
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : NAMES_FIRST;
		void *grown = mem_realloc(l->v, cap * sizeof *l->v);
		if (!grown)
			return -1;
		l->v = grown;
		l->cap = cap;
	}
	memcpy(l->v[l->count], file, n - sl);
	l->v[l->count][n - sl] = 0;
	if (name_valid(l->v[l->count]))
		l->count++;
	return 0;
}

/* readdir(3) would bring malloc along (fdopendir allocates the DIR). */
static int collect(int dirfd, struct names *l)
{
	uint64_t buf[DENTS_BUF / sizeof(uint64_t)];
	long n;

	if (lseek(dirfd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, dirfd, buf, sizeof buf)) > 0)
		for (long off = 0; off < n;) {
			const struct dent64 *d = (const struct dent64 *)((char *)buf + off);
			if (names_add(l, d->name) < 0)
				return -1;
			off += d->reclen;
		}
	return n < 0 ? -1 : 0;
}

/* Sorting pointers moves 8 bytes where the names would move 65. */
static int names_sort(struct names *l)
{
	if (!l->count)
		return 0;
	l->by = mem_alloc(l->count * sizeof *l->by);
	if (!l->by)
		return -1;
	for (size_t i = 0; i < l->count; i++)
		l->by[i] = l->v[i];
	sort(l->by, l->count, sizeof *l->by, cmp_names);
	return 0;
}

int state_each(struct tether_ctx *ctx, int dirfd, int (*fn)(const char *name, void *arg), void *arg)
{
	struct names l = { 0 };
	int r = 0;

	if (collect(dirfd, &l) < 0) {
		msg_syserr(ctx, "readdir", ctx->state_dir);
		r = -1;
	}
	if (r == 0 && names_sort(&l) < 0) {
		msg_syserr(ctx, "mmap for", ctx->state_dir);
		r = -1;
	}
	for (size_t i = 0; r == 0 && i < l.count; i++)
		r = fn(l.by[i], arg);
	mem_free(l.by);
	mem_free(l.v);
	return r;
}
