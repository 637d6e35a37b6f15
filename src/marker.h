#ifndef TETHER_MARKER_H
#define TETHER_MARKER_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "owner.h"

/*
 * Restart-expectation markers: <state dir>/<name>.marker, written before
 * any restart so the daemon (its TERM handler, a finish script) and the
 * next `tether exec` can tell a restart from a stop. CBOR, tag 55799:
 * {v, name, owner (type name), pid, start (the requester's identity),
 *  created, expires (unix seconds)}.
 */

#define MARKER_SUFFIX ".marker"
#define BACKOFF_SUFFIX ".backoff"  /* up: a failed spawn suppresses spawns */
#define MARKER_TTL_MAX 86400
#define MARKER_SKEW 5  /* seconds a creation time may lie in the future */

struct marker {
	char owner[16];
	int pid;
	unsigned long long start;
	long long created;
	long long expires;
};

enum marker_result {
	MARKER_VALID,
	MARKER_NONE,
	MARKER_STALE,    /* expired, or its owner no longer matches */
	MARKER_BAD,      /* malformed: wrong types, missing keys, absurd times */
};

int marker_write(struct tether_ctx *ctx, int dirfd, const char *name, enum owner_type owner, int ttl);
/* The same timed file under another suffix (BACKOFF_SUFFIX). */
int marker_write_as(struct tether_ctx *ctx, int dirfd, const char *name, const char *suffix,
		    enum owner_type owner, int ttl);
/* Strict check; owner OWNER_UNKNOWN matches any. Reports stale and bad
 * markers on stderr. */
enum marker_result marker_check(struct tether_ctx *ctx, int dirfd, const char *name, enum owner_type owner,
				struct marker *m);
enum marker_result marker_check_as(struct tether_ctx *ctx, int dirfd, const char *name, const char *suffix,
				   enum owner_type owner, struct marker *m);
/* Remove NAME's marker; returns 1 if it was valid (a restart was
 * expected), 0 otherwise. */
int marker_consume(struct tether_ctx *ctx, int dirfd, const char *name, enum owner_type owner);
/* Remove NAME's marker, whatever it holds, without a word unless the
 * removal fails: 0 (also when there was none) or -1. */
int marker_remove(struct tether_ctx *ctx, int dirfd, const char *name);
/* The file marker_write_as writes, of m named name: 0 and *len, or -1
 * (E2BIG: it does not fit in cap). */
int marker_encode(const struct marker *m, const char *name, uint8_t *buf, size_t cap, size_t *len);
int marker_decode(const uint8_t *buf, size_t len, const char *name, struct marker *m);

#endif
