#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cbor.h"
#include "fmt.h"
#include "ident.h"
#include "marker.h"
#include "msg.h"
#include "state.h"

#define MARKER_VERSION 1
#define MARKER_PAIRS 7
#define MARKER_BUF 512

static void marker_file(char *buf, size_t cap, const char *name, const char *suffix)
{
	fmt(buf, cap, "%s%s", name, suffix);
}

int marker_write(struct tether_ctx *ctx, int dirfd, const char *name, enum owner_type owner, int ttl)
{
	return marker_write_as(ctx, dirfd, name, MARKER_SUFFIX, owner, ttl);
}

int marker_encode(const struct marker *m, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
	struct cbor_enc e;
	size_t map;

	cbor_enc_init(&e, buf, cap);
	cbor_put_tag(&e, CBOR_TAG_SELF_DESCRIBE);
	map = e.len;
	cbor_put_map(&e, MARKER_PAIRS);
	cbor_put_key_uint(&e, "v", MARKER_VERSION);
	cbor_put_key_str(&e, "name", name);
	cbor_put_key_str(&e, "owner", m->owner);
	cbor_put_key_uint(&e, "pid", (uint64_t)m->pid);
	cbor_put_key_uint(&e, "start", m->start);
	cbor_put_key_uint(&e, "created", (uint64_t)m->created);
	cbor_put_key_uint(&e, "expires", (uint64_t)m->expires);
	if (e.overflow || cbor_map_sort(&e, map) < 0) {
		errno = E2BIG;
		return -1;
	}
	*len = e.len;
	return 0;
}

int marker_write_as(struct tether_ctx *ctx, int dirfd, const char *name, const char *suffix,
		    enum owner_type owner, int ttl)
{
	uint8_t buf[MARKER_BUF];
	char file[NAME_MAX_LEN + 16];
	struct ident self;
	struct marker m;
	size_t len;

	if (ident_of(ctx, 0, &self) < 0)
		self.pid = (int)getpid(), self.start = 0;
	fmt(m.owner, sizeof m.owner, "%s", owner_type_name(owner));
	m.pid = self.pid;
	m.start = self.start;
	m.created = (long long)time(NULL);
	m.expires = m.created + ttl;
	if (marker_encode(&m, name, buf, sizeof buf, &len) < 0)
		return -1;
	marker_file(file, sizeof file, name, suffix);
	return state_write_file(ctx, dirfd, file, buf, len);
}

/* Every key exactly once, with its type; anything else is malformed. */
int marker_decode(const uint8_t *buf, size_t len, const char *name, struct marker *m)
{
	static const char *const keys[MARKER_PAIRS] = { "v", "name", "owner", "pid", "start", "created", "expires" };
	struct cbor_dec d;
	struct cbor_item it;
	char key[16], text[NAME_MAX_LEN + 1];
	unsigned seen = 0;
	size_t used;

	memset(m, 0, sizeof *m);
	if (cbor_check(buf, len, NULL, &used, NULL) < 0 || used != len)
		return -1;
	cbor_dec_init(&d, buf, len);
	if (cbor_read(&d, &it) < 0 || it.type != CBOR_TAG || it.u != CBOR_TAG_SELF_DESCRIBE ||
	    cbor_read(&d, &it) < 0 || it.type != CBOR_MAP || it.indef || it.u != MARKER_PAIRS)
		return -1;
	for (int i = 0; i < MARKER_PAIRS; i++) {
		int k;
		if (cbor_read(&d, &it) < 0 || it.type != CBOR_TEXT || cbor_read_string(&d, &it, key, sizeof key) < 0)
			return -1;
		for (k = 0; k < MARKER_PAIRS && strcmp(key, keys[k]); k++)
			;
		if (k == MARKER_PAIRS || (seen & 1u << k) || cbor_read(&d, &it) < 0)
			return -1;
		seen |= 1u << k;
		if (k == 1 || k == 2) {
			if (it.type != CBOR_TEXT || cbor_read_string(&d, &it, text, sizeof text) < 0)
				return -1;
			if (k == 1 && strcmp(text, name))
				return -1;
			if (k == 2 && (owner_type_parse(text) < 0 || fmt(m->owner, sizeof m->owner, "%s", text) >= sizeof m->owner))
				return -1;
			continue;
		}
		if (it.type != CBOR_UINT || it.u > INT64_MAX)
			return -1;
		if (k == 0 && it.u != MARKER_VERSION)
			return -1;
		if (k == 3 && (it.u == 0 || it.u > INT32_MAX))
			return -1;
		if (k == 3)
			m->pid = (int)it.u;
		else if (k == 4)
			m->start = it.u;
		else if (k == 5)
			m->created = (long long)it.u;
		else if (k == 6)
			m->expires = (long long)it.u;
	}
	if (m->expires <= m->created || m->expires - m->created > MARKER_TTL_MAX)
		return -1;
	return 0;
}

enum marker_result marker_check(struct tether_ctx *ctx, int dirfd, const char *name, enum owner_type owner,
				struct marker *m)
{
	return marker_check_as(ctx, dirfd, name, MARKER_SUFFIX, owner, m);
}

enum marker_result marker_check_as(struct tether_ctx *ctx, int dirfd, const char *name, const char *suffix,
				   enum owner_type owner, struct marker *m)
{
	uint8_t buf[RECORD_MAX];
	char file[NAME_MAX_LEN + 16];
	long long now = (long long)time(NULL);
	size_t len;

	marker_file(file, sizeof file, name, suffix);
	enum state_result res = state_read_file(ctx, dirfd, file, buf, &len);
	if (res == STATE_ABSENT)
		return MARKER_NONE;
	if (res != STATE_OK || marker_decode(buf, len, name, m) < 0) {
		msg_warn(ctx, "ignoring malformed marker %s/%s", ctx->state_dir, file);
		return MARKER_BAD;
	}
	if (m->created > now + MARKER_SKEW || m->expires <= now) {
		msg_warn(ctx, "ignoring stale marker %s/%s (expired %lld s ago)", ctx->state_dir, file,
			 now - m->expires);
		return MARKER_STALE;
	}
	if (owner != OWNER_UNKNOWN && strcmp(m->owner, owner_type_name(owner))) {
		msg_warn(ctx, "ignoring marker %s/%s: written for owner %s, daemon is under %s",
			 ctx->state_dir, file, m->owner, owner_type_name(owner));
		return MARKER_STALE;
	}
	return MARKER_VALID;
}

int marker_consume(struct tether_ctx *ctx, int dirfd, const char *name, enum owner_type owner)
{
	struct marker m;
	enum marker_result r = marker_check(ctx, dirfd, name, owner, &m);

	if (r == MARKER_NONE)
		return 0;
	marker_remove(ctx, dirfd, name);
	return r == MARKER_VALID;
}

int marker_remove(struct tether_ctx *ctx, int dirfd, const char *name)
{
	char file[NAME_MAX_LEN + 16];

	marker_file(file, sizeof file, name, MARKER_SUFFIX);
	if (unlinkat(dirfd, file, 0) < 0 && errno != ENOENT) {
		msg_syserr(ctx, "remove", file);
		return -1;
	}
	return 0;
}
