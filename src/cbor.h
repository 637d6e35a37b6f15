#ifndef TETHER_CBOR_H
#define TETHER_CBOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * RFC 8949 CBOR, bounded, no allocation.
 *
 * Encoder: writes preferred (shortest) serialization into a caller's
 * buffer; on overflow it sets e->overflow and stops writing, so callers
 * check once at the end. Deterministic encoding (RFC 8949 4.2.1) of a map
 * is cbor_map_sort() over the map once its pairs are written.
 *
 * Decoder: a cursor over one buffer. cbor_check() proves a whole item is
 * well formed and within limits before anything reads it; after that,
 * cbor_read()/cbor_skip() walk it. Every malformed input is an error
 * (-1, errno EBADMSG, or E2BIG past a limit), never an overread.
 */

enum cbor_type {
	CBOR_UINT,      /* u = value */
	CBOR_NEGINT,    /* u = n, value is -1 - n */
	CBOR_BYTES,     /* p, n (definite); indef: chunks follow */
	CBOR_TEXT,      /* p, n (definite, valid UTF-8); indef: chunks follow */
	CBOR_ARRAY,     /* u = count (definite); indef: items until break */
	CBOR_MAP,       /* u = pairs (definite); indef: pairs until break */
	CBOR_TAG,       /* u = tag number; the tagged item follows */
	CBOR_SIMPLE,    /* u = simple value (20 false, 21 true, 22 null, 23 undefined) */
	CBOR_FLOAT,     /* f = value, u = 2, 4 or 8 (encoded width) */
	CBOR_BREAK,     /* 0xff, ends an indefinite item */
};

#define CBOR_FALSE 20
#define CBOR_TRUE 21
#define CBOR_NULL 22
#define CBOR_UNDEFINED 23
#define CBOR_TAG_SELF_DESCRIBE 55799

struct cbor_enc {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int overflow;
};

void cbor_enc_init(struct cbor_enc *e, uint8_t *buf, size_t cap);
void cbor_put_uint(struct cbor_enc *e, uint64_t v);
void cbor_put_int(struct cbor_enc *e, int64_t v);
void cbor_put_bytes(struct cbor_enc *e, const void *p, size_t n);
/* Text must be valid UTF-8 (cbor_check rejects it otherwise): put
 * anything else, such as a process's comm, as bytes. */
void cbor_put_text(struct cbor_enc *e, const char *p, size_t n);
void cbor_put_str(struct cbor_enc *e, const char *s);  /* NUL-terminated text */
/* An operating-system string (a path, an argv element): text when it is
 * valid UTF-8, else a byte string, so any name a file or a process can
 * have survives a round trip. */
void cbor_put_os_str(struct cbor_enc *e, const char *s);
/* One pair of a map with text keys: the key, then its value. */
void cbor_put_key_str(struct cbor_enc *e, const char *key, const char *v);
void cbor_put_key_os_str(struct cbor_enc *e, const char *key, const char *v);
void cbor_put_key_uint(struct cbor_enc *e, const char *key, uint64_t v);
void cbor_put_array(struct cbor_enc *e, uint64_t n);
void cbor_put_map(struct cbor_enc *e, uint64_t pairs);
void cbor_put_tag(struct cbor_enc *e, uint64_t tag);
/* Simple values 24..31 have no well-formed encoding: asking for one fails
 * the encoding as an overflow does. */
void cbor_put_simple(struct cbor_enc *e, uint8_t v);
void cbor_put_bool(struct cbor_enc *e, int v);
void cbor_put_null(struct cbor_enc *e);
/* Shortest of half/single/double that keeps the value exactly; NaN as f97e00. */
void cbor_put_float(struct cbor_enc *e, double v);
/* Already-encoded bytes, copied as they are. */
void cbor_put_raw(struct cbor_enc *e, const void *p, size_t n);
/* Sort the pairs of the definite map whose header starts at offset
 * map_start (and runs to e->len) by their encoded keys, bytewise.
 * Returns 0, or -1 (EBADMSG) if the map is malformed or has duplicate keys.
 * After an overflow it does nothing and returns 0 (the caller checks
 * e->overflow at the end). Insertion sort in place: meant for small maps. */
int cbor_map_sort(struct cbor_enc *e, size_t map_start);

struct cbor_limits {
	unsigned max_depth;    /* nesting of arrays, maps and tags */
	size_t max_items;      /* data items in all, counted while checking */
	size_t max_len;        /* one string's length, or one container's count */
};

extern const struct cbor_limits cbor_default_limits; /* 16, 4096, 65536 */

/* The deepest nesting any function here follows; a larger max_depth
 * counts as this. */
#define CBOR_MAX_DEPTH 64

struct cbor_item {
	enum cbor_type type;
	uint64_t u;
	double f;
	const uint8_t *p;  /* definite strings: content */
	size_t n;          /* definite strings: content length */
	int indef;         /* indefinite-length string, array or map */
};

struct cbor_dec {
	const uint8_t *p;
	const uint8_t *end;
	unsigned skips;    /* items cbor_skip passed over: checked without limits */
	size_t items;      /* items cbor_read read (a string's chunks each count) */
};

/* Check that buf starts with exactly one well-formed item within lim
 * (NULL: defaults). *used gets the item's length (trailing bytes are the
 * caller's business). On error returns -1 (errno EBADMSG, or E2BIG past a
 * limit), *used gets the offset of the offending byte, and, if why is not
 * NULL, *why points at a static one-line reason ("truncated", ...). */
int cbor_check(const uint8_t *buf, size_t len, const struct cbor_limits *lim,
	       size_t *used, const char **why);

void cbor_dec_init(struct cbor_dec *d, const uint8_t *buf, size_t len);
/* Read the next item's head (containers and tags: just the head; their
 * contents follow), counted in d->items. Returns 0, or -1 with errno
 * EBADMSG. */
int cbor_read(struct cbor_dec *d, struct cbor_item *it);
/* Skip one whole item (with all it contains), starting at d->p; checks it
 * as cbor_check() does, without limits but CBOR_MAX_DEPTH; counts it in
 * d->skips. */
int cbor_skip(struct cbor_dec *d);
/* Is the next byte a break (0xff)? Consumes it if so. */
int cbor_at_break(struct cbor_dec *d);
/* Copy a text or byte string item just read (definite, or the chunks of an
 * indefinite one, which this consumes) into buf, NUL-terminated. Returns
 * the length, or -1 with errno ENAMETOOLONG if it does not fit in cap - 1,
 * EBADMSG if malformed. */
long cbor_read_string(struct cbor_dec *d, const struct cbor_item *it, char *buf, size_t cap);

#endif
