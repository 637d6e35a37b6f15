/* gen_records DIR COUNT TEMPLATE.cbor...: write COUNT records r00000.cbor,
 * r00001.cbor, ... into DIR, record i a copy of template i mod K with only
 * its "name" value replaced. The templates are genuine records written by
 * `tether start` for live processes, so every generated record names a
 * live process with its real pid, start time, boot id and exe identity.
 *
 * Only the schema's outer shape is assumed (tether(8), STATE FILES): the
 * self-describe tag 55799 around a definite-length map whose "name" key
 * holds a text string. Every other key/value pair is copied byte for byte.
 * Exit: 0; 100 usage; 111 system error or a template of another shape. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD_MAX 16384
#define DEPTH_MAX 16
#define NAME_BUF 32
#define TAG_SELF_DESCRIBE "\xd9\xd9\xf7"
#define KEY_NAME "\x64name"

struct buf {
	uint8_t b[RECORD_MAX];
	size_t len;
};

static int die(const char *what, const char *path)
{
	fprintf(stderr, "gen_records: %s %s: %s\n", what, path, errno ? strerror(errno) : "unexpected shape");
	exit(111);
}

/* The head of the item at p: major type, argument, head length; 0 if
 * truncated, indefinite or reserved (tether never writes those). */
static size_t head(const uint8_t *p, size_t n, int *mt, uint64_t *arg)
{
	static const uint8_t extra[] = { 1, 2, 4, 8 };
	unsigned ai;
	size_t hl;

	if (!n)
		return 0;
	*mt = p[0] >> 5;
	ai = p[0] & 31;
	if (ai < 24) {
		*arg = ai;
		return 1;
	}
	if (ai > 27)
		return 0;
	hl = 1 + extra[ai - 24];
	if (hl > n)
		return 0;
	*arg = 0;
	for (size_t i = 1; i < hl; i++)
		*arg = *arg << 8 | p[i];
	return hl;
}

/* Length of the whole item at p, 0 if malformed. */
static size_t item_len(const uint8_t *p, size_t n, int depth)
{
	uint64_t arg, count;
	size_t hl, len, sub;
	int mt;

	if (depth > DEPTH_MAX || !(hl = head(p, n, &mt, &arg)))
		return 0;
	switch (mt) {
	case 2: case 3:
		return arg <= n - hl ? hl + (size_t)arg : 0;
	case 4: case 5:
		count = mt == 5 ? 2 * arg : arg;
		for (len = hl; count--; len += sub)
			if (!(sub = item_len(p + len, n - len, depth + 1)))
				return 0;
		return len;
	case 6:
		sub = item_len(p + hl, n - hl, depth + 1);
		return sub ? hl + sub : 0;
	default:
		return hl;
	}
}

static void put(struct buf *o, const void *p, size_t n, const char *path)
{
	if (n > sizeof o->b - o->len)
		die("record too large from", path);
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

static void rename_record(const struct buf *in, const char *name, struct buf *out, const char *path)
{
	size_t nlen = strlen(name), off, klen, vlen, hl;
	uint8_t th[2];
	uint64_t pairs;
	int mt, found = 0;

	out->len = 0;
	if (in->len < 3 || memcmp(in->b, TAG_SELF_DESCRIBE, 3))
		die("no self-describe tag in", path);
	off = 3;
	hl = head(in->b + off, in->len - off, &mt, &pairs);
	if (!hl || mt != 5)
		die("no definite-length map in", path);
	put(out, in->b, off + hl, path);
	for (off += hl; pairs--; off += klen + vlen) {
		klen = item_len(in->b + off, in->len - off, 0);
		vlen = klen ? item_len(in->b + off + klen, in->len - off - klen, 0) : 0;
		if (!vlen)
			die("malformed map in", path);
		put(out, in->b + off, klen, path);
		if (klen == 5 && !memcmp(in->b + off, KEY_NAME, 5)) {
			th[0] = nlen < 24 ? 0x60 | (uint8_t)nlen : 0x78;
			th[1] = (uint8_t)nlen;
			put(out, th, nlen < 24 ? 1 : 2, path);
			put(out, name, nlen, path);
			found = 1;
		} else {
			put(out, in->b + off + klen, vlen, path);
		}
	}
	if (!found || off != in->len)
		die("no \"name\" key, or trailing bytes, in", path);
}

static void load(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		die("open", path);
	r = read(fd, b->b, sizeof b->b);
	if (r <= 0)
		die("read", path);
	b->len = (size_t)r;
	close(fd);
}

static void store(int dirfd, const char *file, const struct buf *b)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, b->b, b->len) != (ssize_t)b->len || close(fd) < 0)
		die("write", file);
}

int main(int argc, char **argv)
{
	static struct buf in, out;
	char name[NAME_BUF], file[NAME_BUF + 8];
	long count;
	int dirfd, k;

	if (argc < 4 || (count = strtol(argv[2], NULL, 10)) <= 0 || count > 99999) {
		fputs("usage: gen_records DIR COUNT(1-99999) TEMPLATE.cbor...\n", stderr);
		return 100;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		die("open", argv[1]);
	k = argc - 3;
	for (long i = 0; i < count; i++) {
		load(argv[3 + i % k], &in);
		snprintf(name, sizeof name, "r%05ld", i);
		snprintf(file, sizeof file, "%s.cbor", name);
		rename_record(&in, name, &out, argv[3 + i % k]);
		store(dirfd, file, &out);
	}
	close(dirfd);
	return 0;
}
