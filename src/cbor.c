#include <errno.h>
#include <string.h>

#include "cbor.h"

enum major {
	MT_UINT, MT_NEGINT, MT_BYTES, MT_TEXT, MT_ARRAY, MT_MAP, MT_TAG, MT_SIMPLE,
};

enum {
	AI_1 = 24,      /* additional information: value in the next 1 byte */
	AI_2,
	AI_4,
	AI_8,
	AI_INDEF = 31,  /* indefinite length, or break */
};

#define HEAD_MAX 9
#define SIMPLE_2BYTE_MIN 32
#define BREAK 0xff
#define HALF_NAN 0x7e00
#define HALF_INF 0x7c00
#define DOUBLE_INF 0x7ff0000000000000ull
#define DOUBLE_SIGN 0x8000000000000000ull
#define DOUBLE_MANT_BITS 52
#define DOUBLE_BIAS 1023
#define UTF8_MAX 0x10ffff

const struct cbor_limits cbor_default_limits = { 16, 4096, 65536 };

/* Why an item is refused: the index into reasons[]. */
enum why {
	W_OK,
	W_TRUNCATED,
	W_RESERVED,
	W_INDEF,
	W_SIMPLE,
	W_BREAK,
	W_CHUNK,
	W_ODD_MAP,
	W_UTF8,
	W_DEPTH,        /* this one and those after it are limits: E2BIG */
	W_ITEMS,
	W_LEN,
};

static const char *const reasons[] = {
	[W_OK] = "ok",
	[W_TRUNCATED] = "truncated",
	[W_RESERVED] = "reserved additional information (28-30)",
	[W_INDEF] = "indefinite length on an integer or tag",
	[W_SIMPLE] = "two-byte simple value below 32",
	[W_BREAK] = "break outside an indefinite-length item",
	[W_CHUNK] = "indefinite-length string chunk not a definite string of its type",
	[W_ODD_MAP] = "map with a key but no value",
	[W_UTF8] = "invalid UTF-8 in text string",
	[W_DEPTH] = "nested too deep",
	[W_ITEMS] = "too many items",
	[W_LEN] = "string or container too long",
};

/* --- encoder --- */

void cbor_enc_init(struct cbor_enc *e, uint8_t *buf, size_t cap)
{
	e->buf = buf;
	e->cap = buf ? cap : 0;
	e->len = 0;
	e->overflow = 0;
}

void cbor_put_raw(struct cbor_enc *e, const void *p, size_t n)
{
	if (e->overflow || n > e->cap - e->len) {
		e->overflow = 1;
		return;
	}
	if (n)
		memcpy(e->buf + e->len, p, n);
	e->len += n;
}

/* The initial byte and width bytes of v, big-endian. */
static void put_fixed(struct cbor_enc *e, uint8_t first, uint64_t v, size_t width)
{
	uint8_t h[HEAD_MAX];

	h[0] = first;
	for (size_t i = width; i > 0; i--, v >>= 8)
		h[i] = (uint8_t)v;
	cbor_put_raw(e, h, width + 1);
}

static void put_head(struct cbor_enc *e, enum major m, uint64_t v)
{
	uint8_t first = (uint8_t)(m << 5);

	if (v < AI_1)
		put_fixed(e, first | (uint8_t)v, 0, 0);
	else if (v <= UINT8_MAX)
		put_fixed(e, first | AI_1, v, 1);
	else if (v <= UINT16_MAX)
		put_fixed(e, first | AI_2, v, 2);
	else if (v <= UINT32_MAX)
		put_fixed(e, first | AI_4, v, 4);
	else
		put_fixed(e, first | AI_8, v, 8);
}

void cbor_put_uint(struct cbor_enc *e, uint64_t v)
{
	put_head(e, MT_UINT, v);
}

void cbor_put_int(struct cbor_enc *e, int64_t v)
{
	if (v >= 0)
		put_head(e, MT_UINT, (uint64_t)v);
	else
		put_head(e, MT_NEGINT, UINT64_MAX - (uint64_t)v);
}

void cbor_put_bytes(struct cbor_enc *e, const void *p, size_t n)
{
	put_head(e, MT_BYTES, n);
	cbor_put_raw(e, p, n);
}

void cbor_put_text(struct cbor_enc *e, const char *p, size_t n)
{
	put_head(e, MT_TEXT, n);
	cbor_put_raw(e, p, n);
}

void cbor_put_str(struct cbor_enc *e, const char *s)
{
	cbor_put_text(e, s, strlen(s));
}

void cbor_put_array(struct cbor_enc *e, uint64_t n)
{
	put_head(e, MT_ARRAY, n);
}

void cbor_put_map(struct cbor_enc *e, uint64_t pairs)
{
	put_head(e, MT_MAP, pairs);
}

void cbor_put_tag(struct cbor_enc *e, uint64_t tag)
{
	put_head(e, MT_TAG, tag);
}

void cbor_put_simple(struct cbor_enc *e, uint8_t v)
{
	if (v >= AI_1 && v < SIMPLE_2BYTE_MIN)
		e->overflow = 1;
	else
		put_head(e, MT_SIMPLE, v);
}

void cbor_put_bool(struct cbor_enc *e, int v)
{
	cbor_put_simple(e, v ? CBOR_TRUE : CBOR_FALSE);
}

void cbor_put_null(struct cbor_enc *e)
{
	cbor_put_simple(e, CBOR_NULL);
}

/* An IEEE 754 binary format narrower than double. */
struct float_fmt {
	unsigned bits;
	unsigned mant_bits;
	int emin, emax;       /* unbiased exponents of the normal numbers */
	uint8_t ai;
};

static const struct float_fmt narrower[] = {
	{ 16, 10, -14, 15, AI_2 },
	{ 32, 23, -126, 127, AI_4 },
};

/* The finite, non-zero double with these bits in format f, if that
 * holds it exactly (normal or subnormal there). */
static int narrow(uint64_t bits, const struct float_fmt *f, uint64_t *out)
{
	uint64_t sign = bits >> 63 << (f->bits - 1);
	unsigned biased = (unsigned)(bits >> DOUBLE_MANT_BITS & 0x7ff);
	int exp = (int)biased - DOUBLE_BIAS;
	uint64_t mant = (bits & ((1ull << DOUBLE_MANT_BITS) - 1)) | 1ull << DOUBLE_MANT_BITS;
	unsigned shift = DOUBLE_MANT_BITS - f->mant_bits;

	if (!biased || exp > f->emax || exp < f->emin - (int)f->mant_bits)
		return 0;
	if (exp < f->emin)
		shift += (unsigned)(f->emin - exp);
	if (mant & ((1ull << shift) - 1))
		return 0;
	mant >>= shift;
	if (exp >= f->emin)
		mant = (mant & ((1ull << f->mant_bits) - 1)) |
		       (uint64_t)(exp + f->emax) << f->mant_bits;
	*out = sign | mant;
	return 1;
}

void cbor_put_float(struct cbor_enc *e, double v)
{
	uint64_t bits, half_sign, b;

	if (v != v) {
		put_fixed(e, MT_SIMPLE << 5 | AI_2, HALF_NAN, 2);
		return;
	}
	memcpy(&bits, &v, sizeof bits);
	half_sign = bits >> 63 << 15;
	if (!(bits & ~DOUBLE_SIGN) || (bits & ~DOUBLE_SIGN) == DOUBLE_INF) {
		put_fixed(e, MT_SIMPLE << 5 | AI_2, half_sign | (bits & ~DOUBLE_SIGN ? HALF_INF : 0), 2);
		return;
	}
	for (size_t i = 0; i < sizeof narrower / sizeof *narrower; i++) {
		if (narrow(bits, &narrower[i], &b)) {
			put_fixed(e, MT_SIMPLE << 5 | narrower[i].ai, b, narrower[i].bits / 8);
			return;
		}
	}
	put_fixed(e, MT_SIMPLE << 5 | AI_8, bits, 8);
}

/* --- decoder --- */

static double half_to_double(uint16_t h)
{
	uint64_t sign = (uint64_t)(h >> 15) << 63, bits;
	unsigned exp = h >> 10 & 0x1f, mant = h & 0x3ff;
	double v;

	if (!exp) {
		v = (double)mant / (1 << 24);
		return sign ? -v : v;
	}
	if (exp == 0x1f)
		bits = sign | DOUBLE_INF | (uint64_t)mant << 42;
	else
		bits = sign | (uint64_t)(exp - 15 + DOUBLE_BIAS) << DOUBLE_MANT_BITS | (uint64_t)mant << 42;
	memcpy(&v, &bits, sizeof v);
	return v;
}

static double float_value(uint64_t raw, unsigned ai)
{
	if (ai == AI_2)
		return half_to_double((uint16_t)raw);
	if (ai == AI_4) {
		uint32_t w = (uint32_t)raw;
		float f;
		memcpy(&f, &w, sizeof f);
		return f;
	}
	double d;
	memcpy(&d, &raw, sizeof d);
	return d;
}

/* The first byte of p..end that is not part of valid UTF-8 (RFC 3629:
 * no overlongs, no surrogates, nothing past U+10FFFF), or NULL. */
static const uint8_t *utf8_bad(const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		unsigned c = *p, need, lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c < 0xc2 || c > 0xf4)
			return p;
		need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if ((size_t)(end - p) <= need)
			return p;
		if (p[1] < lo || p[1] > hi)
			return p;
		for (unsigned i = 2; i <= need; i++)
			if ((p[i] & 0xc0) != 0x80)
				return p;
		p += need + 1;
	}
	return NULL;
}

struct head {
	unsigned major, ai;
	uint64_t v;
};

static int read_head(const uint8_t **pp, const uint8_t *end, struct head *h)
{
	const uint8_t *p = *pp;

	if (p >= end)
		return W_TRUNCATED;
	h->major = *p >> 5;
	h->ai = *p & 0x1f;
	p++;
	h->v = h->ai < AI_1 ? h->ai : 0;
	if (h->ai > AI_8 && h->ai < AI_INDEF)
		return W_RESERVED;
	if (h->ai >= AI_1 && h->ai <= AI_8) {
		size_t n = (size_t)1 << (h->ai - AI_1);
		if (n > (size_t)(end - p))
			return W_TRUNCATED;
		while (n--)
			h->v = h->v << 8 | *p++;
	}
	*pp = p;
	return W_OK;
}

static void decode_simple(const struct head *h, struct cbor_item *it)
{
	if (h->ai == AI_INDEF) {
		it->type = CBOR_BREAK;
	} else if (h->ai <= AI_1) {
		it->type = CBOR_SIMPLE;
	} else {
		it->type = CBOR_FLOAT;
		it->f = float_value(h->v, h->ai);
		it->u = (uint64_t)1 << (h->ai - AI_1);
	}
}

/* One item's head (and a definite string's content) at *pp, advancing
 * *pp past it. On error *pp is where it was found. */
static int decode(const uint8_t **pp, const uint8_t *end, struct cbor_item *it)
{
	static const enum cbor_type types[] = {
		CBOR_UINT, CBOR_NEGINT, CBOR_BYTES, CBOR_TEXT,
		CBOR_ARRAY, CBOR_MAP, CBOR_TAG, CBOR_SIMPLE,
	};
	const uint8_t *p = *pp, *bad;
	struct head h;
	int w = read_head(&p, end, &h);
	size_t left = (size_t)(end - p);

	*it = (struct cbor_item){ .type = CBOR_BREAK };
	if (w)
		return w;
	it->type = types[h.major];
	it->u = h.v;
	it->indef = h.ai == AI_INDEF;
	switch (h.major) {
	case MT_UINT: case MT_NEGINT: case MT_TAG:
		if (it->indef)
			return W_INDEF;
		break;
	case MT_BYTES: case MT_TEXT:
		if (it->indef)
			break;
		if (h.v > left)
			return W_TRUNCATED;
		it->p = p;
		it->n = (size_t)h.v;
		p += it->n;
		if (h.major == MT_TEXT && (bad = utf8_bad(it->p, p))) {
			*pp = bad;
			return W_UTF8;
		}
		break;
	case MT_ARRAY: case MT_MAP:
		break;
	default:
		if (h.ai == AI_1 && h.v < SIMPLE_2BYTE_MIN)
			return W_SIMPLE;
		it->indef = 0;
		decode_simple(&h, it);
	}
	*pp = p;
	return W_OK;
}

static const uint8_t no_bytes[1];

void cbor_dec_init(struct cbor_dec *d, const uint8_t *buf, size_t len)
{
	if (!buf)
		buf = no_bytes, len = 0;
	d->p = buf;
	d->end = buf + len;
	d->skips = 0;
	d->items = 0;
}

int cbor_read(struct cbor_dec *d, struct cbor_item *it)
{
	const uint8_t *p = d->p;

	if (decode(&p, d->end, it)) {
		errno = EBADMSG;
		return -1;
	}
	d->p = p;
	d->items++;
	return 0;
}

int cbor_at_break(struct cbor_dec *d)
{
	if (d->p < d->end && *d->p == BREAK) {
		d->p++;
		return 1;
	}
	return 0;
}

/* --- well-formedness check: a walk with an explicit stack --- */

struct frame {
	uint64_t left;        /* definite: items (pairs) to come; indefinite: so far */
	enum cbor_type type;
	int indef;
	int value;            /* a map's key is in: its value comes next */
};

struct walk {
	const uint8_t *p, *end;
	struct cbor_limits lim;
	size_t items;
	unsigned depth;       /* frames in use */
	unsigned nest;        /* of them arrays, maps and tags */
	/* an indefinite string can sit on the deepest container */
	struct frame stack[CBOR_MAX_DEPTH + 1];
};

static int is_string(enum cbor_type t)
{
	return t == CBOR_BYTES || t == CBOR_TEXT;
}

static int push(struct walk *w, enum cbor_type type, uint64_t left, int indef)
{
	if (!is_string(type)) {
		if (w->nest >= w->lim.max_depth)
			return W_DEPTH;
		w->nest++;
	}
	w->stack[w->depth++] = (struct frame){ left, type, indef, 0 };
	return W_OK;
}

static void pop(struct walk *w)
{
	if (!is_string(w->stack[--w->depth].type))
		w->nest--;
}

/* Count a finished item in the containers around it; *done once the
 * outermost one is finished. */
static int finish(struct walk *w, int *done)
{
	while (w->depth) {
		struct frame *f = &w->stack[w->depth - 1];
		if (f->type == CBOR_MAP) {
			f->value = !f->value;
			if (f->value)
				return W_OK;    /* a key: its value comes next */
		}
		if (f->indef && is_string(f->type))
			return W_OK;
		if (f->indef)
			return ++f->left > w->lim.max_len ? W_LEN : W_OK;
		if (--f->left)
			return W_OK;
		pop(w);
	}
	*done = 1;
	return W_OK;
}

/* Open what the item just read opens; *open if its content follows. */
static int enter(struct walk *w, const struct cbor_item *it, int *open)
{
	struct frame *top = w->depth ? &w->stack[w->depth - 1] : NULL;

	*open = 0;
	if (top && top->indef && is_string(top->type)) {
		if (it->type != top->type || it->indef)
			return W_CHUNK;
		top->left += it->n;
		return top->left > w->lim.max_len ? W_LEN : W_OK;
	}
	switch (it->type) {
	case CBOR_BYTES: case CBOR_TEXT:
		if (it->n > w->lim.max_len)
			return W_LEN;
		*open = it->indef;
		return it->indef ? push(w, it->type, 0, 1) : W_OK;
	case CBOR_ARRAY: case CBOR_MAP:
		if (w->nest >= w->lim.max_depth)
			return W_DEPTH;
		if (it->indef) {
			*open = 1;
			return push(w, it->type, 0, 1);
		}
		if (it->u > w->lim.max_len)
			return W_LEN;
		if (!it->u)
			return W_OK;
		*open = 1;
		return push(w, it->type, it->u, 0);
	case CBOR_TAG:
		*open = 1;
		return push(w, CBOR_TAG, 1, 0);
	default:
		return W_OK;
	}
}

static int end_indef(struct walk *w)
{
	struct frame *top = w->depth ? &w->stack[w->depth - 1] : NULL;

	if (!top || !top->indef)
		return W_BREAK;
	if (top->value)
		return W_ODD_MAP;
	pop(w);
	return W_OK;
}

static int walk_item(struct walk *w)
{
	int done = 0;

	while (!done) {
		const uint8_t *at = w->p;
		struct cbor_item it;
		int open = 0, r = decode(&w->p, w->end, &it);

		if (r)
			return r;
		if (it.type == CBOR_BREAK)
			r = end_indef(w);
		else if (++w->items > w->lim.max_items)
			r = W_ITEMS;
		else
			r = enter(w, &it, &open);
		if (!r && !open)
			r = finish(w, &done);
		if (r) {
			w->p = at;
			return r;
		}
	}
	return W_OK;
}

int cbor_check(const uint8_t *buf, size_t len, const struct cbor_limits *lim,
	       size_t *used, const char **why)
{
	struct walk w;
	int r;

	if (!buf)
		buf = no_bytes, len = 0;
	w.p = buf;
	w.end = buf + len;
	w.lim = lim ? *lim : cbor_default_limits;
	if (w.lim.max_depth > CBOR_MAX_DEPTH)
		w.lim.max_depth = CBOR_MAX_DEPTH;
	w.items = 0;
	w.depth = w.nest = 0;
	r = walk_item(&w);
	if (used)
		*used = (size_t)(w.p - buf);
	if (why)
		*why = reasons[r];
	if (r) {
		errno = r >= W_DEPTH ? E2BIG : EBADMSG;
		return -1;
	}
	return 0;
}

int cbor_skip(struct cbor_dec *d)
{
	static const struct cbor_limits unlimited = { CBOR_MAX_DEPTH, SIZE_MAX, SIZE_MAX };
	size_t used;

	if (d->p > d->end) {
		errno = EBADMSG;
		return -1;
	}
	if (cbor_check(d->p, (size_t)(d->end - d->p), &unlimited, &used, NULL))
		return -1;
	d->p += used;
	d->skips++;
	return 0;
}

static void append(char *buf, size_t cap, size_t *len, const uint8_t *p, size_t n, int *too_long)
{
	if (*too_long || !cap || n > cap - 1 - *len) {
		*too_long = 1;
		return;
	}
	if (n)
		memcpy(buf + *len, p, n);
	*len += n;
}

long cbor_read_string(struct cbor_dec *d, const struct cbor_item *it, char *buf, size_t cap)
{
	size_t len = 0;
	int too_long = 0;

	if (!is_string(it->type)) {
		errno = EBADMSG;
		return -1;
	}
	if (!it->indef)
		append(buf, cap, &len, it->p, it->n, &too_long);
	while (it->indef && !cbor_at_break(d)) {
		struct cbor_item c;
		if (cbor_read(d, &c))
			return -1;
		if (c.type != it->type || c.indef) {
			errno = EBADMSG;
			return -1;
		}
		append(buf, cap, &len, c.p, c.n, &too_long);
	}
	if (cap)
		buf[len] = 0;
	if (too_long) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return (long)len;
}

/* --- deterministic map order (RFC 8949 4.2.1) --- */

/* The lengths of the key and of the whole pair at offset off. */
static int pair_len(const struct cbor_enc *e, size_t off, size_t *key, size_t *pair)
{
	struct cbor_dec d;

	cbor_dec_init(&d, e->buf + off, e->len - off);
	if (cbor_skip(&d))
		return -1;
	*key = (size_t)(d.p - (e->buf + off));
	if (cbor_skip(&d))
		return -1;
	*pair = (size_t)(d.p - (e->buf + off));
	return 0;
}

static int key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c || an == bn)
		return c;
	return an < bn ? -1 : 1;
}

static void reverse(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		uint8_t t = p[i];
		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* Swap the adjacent blocks p[0..a) and p[a..a+b). */
static void rotate(uint8_t *p, size_t a, size_t b)
{
	reverse(p, a);
	reverse(p + a, b);
	reverse(p, a + b);
}

/* Where in the sorted pairs [start, end) the key k belongs; -1 if there. */
static int find_slot(const struct cbor_enc *e, size_t start, size_t end,
		     const uint8_t *k, size_t kn, size_t *slot)
{
	size_t pos = start, klen, plen;

	while (pos < end) {
		if (pair_len(e, pos, &klen, &plen))
			return -1;
		int c = key_cmp(k, kn, e->buf + pos, klen);
		if (!c)
			return -1;
		if (c < 0)
			break;
		pos += plen;
	}
	*slot = pos;
	return 0;
}

int cbor_map_sort(struct cbor_enc *e, size_t map_start)
{
	struct cbor_dec d;
	struct cbor_item it;
	size_t start, sorted, klen, plen, slot;

	if (e->overflow)
		return 0;
	if (map_start > e->len)
		goto bad;
	cbor_dec_init(&d, e->buf + map_start, e->len - map_start);
	if (cbor_read(&d, &it) || it.type != CBOR_MAP || it.indef)
		goto bad;
	start = sorted = (size_t)(d.p - e->buf);
	for (uint64_t i = 0; i < it.u; i++) {
		if (pair_len(e, sorted, &klen, &plen) ||
		    find_slot(e, start, sorted, e->buf + sorted, klen, &slot))
			goto bad;
		rotate(e->buf + slot, sorted - slot, plen);
		sorted += plen;
	}
	if (sorted == e->len)
		return 0;
bad:
	errno = EBADMSG;
	return -1;
}

void cbor_put_os_str(struct cbor_enc *e, const char *s)
{
	size_t n = strlen(s);
	const uint8_t *p = (const uint8_t *)s;

	if (utf8_bad(p, p + n))
		cbor_put_bytes(e, s, n);
	else
		cbor_put_text(e, s, n);
}

void cbor_put_key_str(struct cbor_enc *e, const char *key, const char *v)
{
	cbor_put_str(e, key);
	cbor_put_str(e, v);
}

void cbor_put_key_os_str(struct cbor_enc *e, const char *key, const char *v)
{
	cbor_put_str(e, key);
	cbor_put_os_str(e, v);
}

void cbor_put_key_uint(struct cbor_enc *e, const char *key, uint64_t v)
{
	cbor_put_str(e, key);
	cbor_put_uint(e, v);
}
