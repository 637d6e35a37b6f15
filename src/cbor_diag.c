#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cbor_diag.h"
#include "div10.h"

#define TAG_BIGNUM 2
#define TAG_NEG_BIGNUM 3
/* Plain decimal for 1e-7 < |v| < 1e21, as JavaScript's Number#toString
 * lays numbers out, which is what RFC 8949 Appendix A shows. */
#define POINT_MIN (-6)
#define POINT_MAX 21
#define NUM_MAX 40
/* a byte adds at most log10(256) < 2.5 decimal digits */
#define BIGNUM_DIGITS (CBOR_DIAG_BIGNUM_MAX * 5 / 2 + 2)

struct diag {
	struct cbor_dec *d;
	struct cbor_diag_out *o;
	int json;
};

static int item(struct diag *g, unsigned depth);

/* --- output --- */

static void write_all(struct cbor_diag_out *o, const char *p, size_t n)
{
	while (n && !o->err) {
		ssize_t k = write(o->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			o->err = k < 0 ? errno : EIO;
			break;
		}
		p += k;
		n -= (size_t)k;
	}
}

int cbor_diag_flush(struct cbor_diag_out *o)
{
	if (o->fd >= 0) {
		write_all(o, o->buf, o->len);
		o->len = 0;
	}
	if (o->err) {
		errno = o->err;
		return -1;
	}
	return 0;
}

void cbor_diag_write(struct cbor_diag_out *o, const char *p, size_t n)
{
	if (o->fd < 0) {
		if (o->len < o->cap) {
			size_t room = o->cap - 1 - o->len, k = n < room ? n : room;
			memcpy(o->buf + o->len, p, k);
			o->buf[o->len + k] = 0;
		}
		o->len += n;
		return;
	}
	if (!o->cap) {
		write_all(o, p, n);
		return;
	}
	while (n) {
		size_t room = o->cap - o->len, k = n < room ? n : room;
		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
		if (o->len == o->cap) {
			write_all(o, o->buf, o->len);
			o->len = 0;
		}
	}
}

static void put(struct diag *g, const char *s)
{
	cbor_diag_write(g->o, s, strlen(s));
}

/* v in decimal, ending at end; returns where it starts. */
static char *decimal_back(char *end, uint64_t v)
{
	unsigned d;

	do {
		v = u64_div10(v, &d);
		*--end = (char)('0' + d);
	} while (v);
	return end;
}

/* v, or -1 - v if neg (which may be -2^64). */
static void put_int(struct diag *g, uint64_t v, int neg)
{
	char num[NUM_MAX], *end = num + sizeof num, *p = decimal_back(end, v);

	if (neg) {
		char *q = end - 1;
		while (q >= p && *q == '9')
			*q-- = '0';
		if (q < p)
			*--p = '1';
		else
			++*q;
		*--p = '-';
	}
	cbor_diag_write(g->o, p, (size_t)(end - p));
}

/* A bignum's value; neg: tag 3, -1 - n. */
static void put_bignum(struct diag *g, const uint8_t *p, size_t n, int neg)
{
	uint8_t num[CBOR_DIAG_BIGNUM_MAX + 1];
	char dec[BIGNUM_DIGITS], *end = dec + sizeof dec, *q = end;
	size_t len = n + 1, lead = 0;

	num[0] = 0;
	memcpy(num + 1, p, n);
	for (size_t i = len; neg && i-- > 0;)
		if (++num[i])
			break;
	do {
		unsigned rem = 0;
		for (size_t i = lead; i < len; i++) {
			unsigned cur = rem << 8 | num[i];
			num[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
		}
		*--q = (char)('0' + rem);
		while (lead < len && !num[lead])
			lead++;
	} while (lead < len);
	if (neg)
		*--q = '-';
	cbor_diag_write(g->o, q, (size_t)(end - q));
}

/* --- floats --- */

/*
 * The shortest decimal that reads back as the same double: Steele and
 * White's free-format digits as Burger and Dybvig give them (PLDI 1996),
 * exact in small bignums. v is r / s times 10^k, and all within mm / s
 * below it and mp / s above it (times 10^k) reads back as v; the ends
 * too when v's significand is even, as strtod rounds a tie to even.
 */
#define DOUBLE_MANT_BITS 52
#define DOUBLE_EXP_MASK 0x7ff
#define DOUBLE_EXP_BIAS 1075              /* v = f * 2^(E - this), E >= 1 */
#define DIGITS_MAX 17                      /* enough for any double */
#define LOG10_2_Q12 1233                   /* log10(2) * 4096, rounded down */
#define Q12 4096
/* s is at most 10 * 2^1075 (the least subnormals) and nothing exceeds
 * 100 * s: under 2^1086, 34 words. */
#define BIG_WORDS 36

struct big {
	uint32_t w[BIG_WORDS];  /* little-endian words */
	int n;                  /* in use: w[n - 1] != 0, or n == 0 */
};

struct dragon {
	struct big r, s, mp, mm;
	int even;               /* the ends of the interval read back too */
};

static void big_set(struct big *b, uint64_t v)
{
	b->n = 0;
	for (; v; v >>= 32)
		b->w[b->n++] = (uint32_t)v;
}

static void big_mul(struct big *b, uint32_t m)
{
	uint64_t carry = 0;

	for (int i = 0; i < b->n; i++) {
		carry += (uint64_t)b->w[i] * m;
		b->w[i] = (uint32_t)carry;
		carry >>= 32;
	}
	if (carry)
		b->w[b->n++] = (uint32_t)carry;
}

/* b *= base^n */
static void big_mul_pow(struct big *b, uint32_t base, int n)
{
	uint32_t m = 1;

	for (; n > 0; n--) {
		if (m > UINT32_MAX / base) {
			big_mul(b, m);
			m = 1;
		}
		m *= base;
	}
	big_mul(b, m);
}

static void big_add(struct big *sum, const struct big *a, const struct big *b)
{
	uint64_t carry = 0;
	int n = a->n > b->n ? a->n : b->n;

	for (int i = 0; i < n; i++) {
		carry += (uint64_t)(i < a->n ? a->w[i] : 0) + (i < b->n ? b->w[i] : 0);
		sum->w[i] = (uint32_t)carry;
		carry >>= 32;
	}
	sum->n = n;
	if (carry)
		sum->w[sum->n++] = (uint32_t)carry;
}

/* a -= b, where a >= b */
static void big_sub(struct big *a, const struct big *b)
{
	uint32_t borrow = 0;

	for (int i = 0; i < a->n; i++) {
		uint32_t x = i < b->n ? b->w[i] : 0, w = a->w[i];
		a->w[i] = w - x - borrow;
		borrow = w < x || (w == x && borrow);
	}
	while (a->n && !a->w[a->n - 1])
		a->n--;
}

static int big_cmp(const struct big *a, const struct big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (int i = a->n; i-- > 0;)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* Whether (r + mp) * m reaches s: the interval's top, scaled by m, is
 * not below 1. */
static int top_reaches(const struct dragon *g, uint32_t m)
{
	struct big t;
	int c;

	big_add(&t, &g->r, &g->mp);
	big_mul(&t, m);
	c = big_cmp(&t, &g->s);
	return g->even ? c >= 0 : c > 0;
}

/* v = f * 2^e. Below a power of two the gap to the next double down is
 * half the gap up, so r, s and mp are doubled there. */
static void dragon_init(struct dragon *g, uint64_t f, int e, int unequal)
{
	int up = e > 0 ? e : 0, down = e < 0 ? -e : 0;

	g->even = !(f & 1);
	big_set(&g->r, f);
	big_mul_pow(&g->r, 2, up + 1 + unequal);
	big_set(&g->s, 1);
	big_mul_pow(&g->s, 2, down + 1 + unequal);
	big_set(&g->mm, 1);
	big_mul_pow(&g->mm, 2, up);
	big_set(&g->mp, 1);
	big_mul_pow(&g->mp, 2, up + unequal);
}

/* r, mp and mm times 10^n */
static void dragon_up(struct dragon *g, int n)
{
	big_mul_pow(&g->r, 10, n);
	big_mul_pow(&g->mp, 10, n);
	big_mul_pow(&g->mm, 10, n);
}

/* The k with 10^(k-1) <= top < 10^k, where top is v + mp / s (or
 * 10^(k-1) < top <= 10^k when top does not read back as v), estimated
 * from hb = floor(log2(v)) and then corrected; scales so that r / s is
 * v / 10^k. */
static int dragon_scale(struct dragon *g, int hb)
{
	int k = 1 + (hb >= 0 ? hb * LOG10_2_Q12 / Q12 : -((-hb * LOG10_2_Q12 + Q12 - 1) / Q12));

	if (k >= 0)
		big_mul_pow(&g->s, 10, k);
	else
		dragon_up(g, -k);
	for (; top_reaches(g, 1); k++)
		big_mul(&g->s, 10);
	for (; !top_reaches(g, 10); k--)
		dragon_up(g, 1);
	return k;
}

/* Digits until those so far, or they with the last one bumped up, read
 * back. When both would, the nearer wins and a tie goes to the even
 * digit, as %.Ne rounds. */
static int dragon_digits(struct dragon *g, char *d)
{
	struct big twice;
	int n = 0, low, high, c;
	char dig;

	do {
		big_mul(&g->r, 10);
		big_mul(&g->mp, 10);
		big_mul(&g->mm, 10);
		for (dig = '0'; big_cmp(&g->r, &g->s) >= 0; dig++)
			big_sub(&g->r, &g->s);
		d[n++] = dig;
		c = big_cmp(&g->r, &g->mm);
		low = g->even ? c <= 0 : c < 0;
		high = top_reaches(g, 1);
	} while (!low && !high && n < DIGITS_MAX);
	big_add(&twice, &g->r, &g->r);
	c = big_cmp(&twice, &g->s);
	if (high && (!low || c > 0 || (c == 0 && (dig - '0') % 2)))
		d[n - 1]++;
	return n;
}

static int bit_length(uint64_t f)
{
	int n = 0;

	for (; f; f >>= 1)
		n++;
	return n;
}

/* The digits of a finite, non-zero |v|; *point: where the decimal point
 * goes, v = 0.DIGITS * 10^point. */
static int shortest(uint64_t bits, char *d, int *point)
{
	unsigned biased = (unsigned)(bits >> DOUBLE_MANT_BITS & DOUBLE_EXP_MASK);
	uint64_t mant = bits & ((1ull << DOUBLE_MANT_BITS) - 1);
	uint64_t f = biased ? mant | 1ull << DOUBLE_MANT_BITS : mant;
	int e = (int)(biased ? biased : 1) - DOUBLE_EXP_BIAS;
	struct dragon g;

	dragon_init(&g, f, e, !mant && biased > 1);
	*point = dragon_scale(&g, e + bit_length(f) - 1);
	return dragon_digits(&g, d);
}

struct text {
	char s[NUM_MAX * 2];
	size_t n;
};

static void add(struct text *t, const char *p, int n)
{
	memcpy(t->s + t->n, p, (size_t)n);
	t->n += (size_t)n;
}

static void add_zeros(struct text *t, int n)
{
	while (n-- > 0)
		t->s[t->n++] = '0';
}

/* "e+300", "e-7" */
static void add_exp(struct text *t, int x)
{
	char num[NUM_MAX], *end = num + sizeof num;
	char *p = decimal_back(end, x < 0 ? -(unsigned)x : (unsigned)x);

	*--p = x < 0 ? '-' : '+';
	*--p = 'e';
	add(t, p, (int)(end - p));
}

/* Digits d[0..k) with the decimal point after the first n of them. */
static void layout(struct text *t, int neg, const char *d, int k, int n)
{
	add(t, "-", neg);
	if (k <= n && n <= POINT_MAX) {
		add(t, d, k);
		add_zeros(t, n - k);
		add(t, ".0", 2);
	} else if (n > 0 && n <= POINT_MAX) {
		add(t, d, n);
		add(t, ".", 1);
		add(t, d + n, k - n);
	} else if (n > POINT_MIN && n <= 0) {
		add(t, "0.", 2);
		add_zeros(t, -n);
		add(t, d, k);
	} else {
		add(t, d, 1);
		add(t, ".", 1);
		add(t, k > 1 ? d + 1 : "0", k > 1 ? k - 1 : 1);
		add_exp(t, n - 1);
	}
}

size_t cbor_diag_double(char *buf, size_t cap, double v)
{
	struct text t = { .n = 0 };
	char d[DIGITS_MAX] = "0";
	uint64_t bits;
	int k = 1, point = 1;

	memcpy(&bits, &v, sizeof bits);
	if (bits << 1)
		k = shortest(bits, d, &point);
	layout(&t, (int)(bits >> 63), d, k, point);
	if (cap) {
		size_t n = t.n < cap ? t.n : cap - 1;
		memcpy(buf, t.s, n);
		buf[n] = 0;
	}
	return t.n;
}

static void put_float(struct diag *g, double v)
{
	char num[NUM_MAX];

	if (v != v)
		put(g, g->json ? "null" : "NaN");
	else if (v - v != 0)
		put(g, g->json ? "null" : v < 0 ? "-Infinity" : "Infinity");
	else if (cbor_diag_double(num, sizeof num, v) < sizeof num)
		put(g, num);
}

/* --- strings --- */

static void put_escape(struct diag *g, uint32_t c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[7] = "\\u";

	switch (c) {
	case '"': put(g, "\\\""); return;
	case '\\': put(g, "\\\\"); return;
	case '\b': put(g, "\\b"); return;
	case '\f': put(g, "\\f"); return;
	case '\n': put(g, "\\n"); return;
	case '\r': put(g, "\\r"); return;
	case '\t': put(g, "\\t"); return;
	}
	if (c > 0xffff) {
		c -= 0x10000;
		put_escape(g, 0xd800 | c >> 10);
		c = 0xdc00 | (c & 0x3ff);
	}
	for (int i = 0; i < 4; i++)
		esc[2 + i] = hex[c >> (12 - 4 * i) & 0xf];
	cbor_diag_write(g->o, esc, 6);
}

/* The code point at p (valid UTF-8, as cbor_read() has checked). */
static uint32_t utf8_next(const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	uint32_t c = *p++;
	int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

	if (more)
		c &= 0x3fu >> more;
	while (more-- && p < end)
		c = c << 6 | (*p++ & 0x3f);
	*pp = p;
	return c;
}

static void put_text(struct diag *g, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *run = p;

	while (p < end) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		cbor_diag_write(g->o, (const char *)run, (size_t)(p - run));
		put_escape(g, utf8_next(&p, end));
		run = p;
	}
	cbor_diag_write(g->o, (const char *)run, (size_t)(p - run));
}

static void put_hex(struct diag *g, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char two[2];

	for (size_t i = 0; i < n; i++) {
		two[0] = hex[p[i] >> 4];
		two[1] = hex[p[i] & 0xf];
		cbor_diag_write(g->o, two, 2);
	}
}

/* base64url without padding (RFC 4648 section 5), fed chunk by chunk */
struct b64 {
	uint8_t in[3];
	unsigned n;
};

static void b64_out(struct diag *g, struct b64 *b)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t w = (uint32_t)b->in[0] << 16 | (uint32_t)b->in[1] << 8 | b->in[2];
	char four[4];

	for (int i = 0; i < 4; i++)
		four[i] = abc[w >> (18 - 6 * i) & 0x3f];
	cbor_diag_write(g->o, four, b->n + 1);
	memset(b->in, 0, sizeof b->in);
	b->n = 0;
}

static void b64_feed(struct diag *g, struct b64 *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		b->in[b->n++] = p[i];
		if (b->n == sizeof b->in)
			b64_out(g, b);
	}
}

static void string_open(struct diag *g, enum cbor_type t)
{
	put(g, t == CBOR_BYTES && !g->json ? "h'" : "\"");
}

static void string_close(struct diag *g, enum cbor_type t, struct b64 *b)
{
	if (b->n)
		b64_out(g, b);
	put(g, t == CBOR_BYTES && !g->json ? "'" : "\"");
}

static void chunk(struct diag *g, const struct cbor_item *c, struct b64 *b)
{
	if (c->type == CBOR_TEXT)
		put_text(g, c->p, c->n);
	else if (g->json)
		b64_feed(g, b, c->p, c->n);
	else
		put_hex(g, c->p, c->n);
}

/* Diagnostic notation shows the chunks, (_ "a", "b"); JSON joins them. */
static int string(struct diag *g, const struct cbor_item *it)
{
	struct b64 b = { { 0 }, 0 };
	struct cbor_item c;
	int chunks = 0;

	if (!it->indef || g->json)
		string_open(g, it->type);
	if (!it->indef)
		chunk(g, it, &b);
	while (it->indef && !cbor_at_break(g->d)) {
		if (cbor_read(g->d, &c))
			return -1;
		if (c.type != it->type || c.indef) {
			errno = EBADMSG;
			return -1;
		}
		if (!g->json) {
			put(g, chunks ? ", " : "(_ ");
			string_open(g, c.type);
		}
		chunk(g, &c, &b);
		if (!g->json)
			string_close(g, c.type, &b);
		chunks++;
	}
	if (!it->indef || g->json)
		string_close(g, it->type, &b);
	else if (!chunks)
		put(g, it->type == CBOR_BYTES ? "''_" : "\"\"_");
	else
		put(g, ")");
	return 0;
}

/* --- the rest --- */

static void simple(struct diag *g, uint64_t v)
{
	static const char *const names[] = { "false", "true", "null", "undefined" };

	if (v >= CBOR_FALSE && v <= (g->json ? CBOR_NULL : CBOR_UNDEFINED)) {
		put(g, names[v - CBOR_FALSE]);
	} else if (g->json) {
		put(g, "null");
	} else {
		put(g, "simple(");
		put_int(g, v, 0);
		put(g, ")");
	}
}

static int bignum(struct diag *g, uint64_t tag)
{
	struct cbor_dec save = *g->d;
	struct cbor_item c;

	if (cbor_read(g->d, &c) || c.type != CBOR_BYTES || c.indef || c.n > CBOR_DIAG_BIGNUM_MAX) {
		*g->d = save;
		return 0;
	}
	put_bignum(g, c.p, c.n, tag == TAG_NEG_BIGNUM);
	return 1;
}

static int tag(struct diag *g, uint64_t t, unsigned depth)
{
	if ((t == TAG_BIGNUM || t == TAG_NEG_BIGNUM) && bignum(g, t))
		return 0;
	if (g->json)
		return item(g, depth + 1);
	put_int(g, t, 0);
	put(g, "(");
	if (item(g, depth + 1))
		return -1;
	put(g, ")");
	return 0;
}

/* JSON object names are strings: scalars become their JSON text quoted. */
static int json_key(struct diag *g, unsigned depth)
{
	struct cbor_dec save = *g->d;
	struct cbor_item k;
	int r;

	if (cbor_read(g->d, &k))
		return -1;
	*g->d = save;
	switch (k.type) {
	case CBOR_TEXT: case CBOR_BYTES: case CBOR_BREAK:
		return item(g, depth);
	case CBOR_UINT: case CBOR_NEGINT: case CBOR_SIMPLE: case CBOR_FLOAT:
		put(g, "\"");
		r = item(g, depth);
		put(g, "\"");
		return r;
	default:
		errno = EDOM;
		return -1;
	}
}

static int container(struct diag *g, const struct cbor_item *it, unsigned depth)
{
	int map = it->type == CBOR_MAP;

	put(g, map ? "{" : "[");
	if (it->indef && !g->json)
		put(g, "_ ");
	for (uint64_t i = 0; it->indef ? !cbor_at_break(g->d) : i < it->u; i++) {
		if (i)
			put(g, ", ");
		if (map) {
			if (g->json ? json_key(g, depth + 1) : item(g, depth + 1))
				return -1;
			put(g, ": ");
		}
		if (item(g, depth + 1))
			return -1;
	}
	put(g, map ? "}" : "]");
	return 0;
}

static int item(struct diag *g, unsigned depth)
{
	const uint8_t *at = g->d->p;
	struct cbor_item it;

	if (depth > CBOR_MAX_DEPTH) {
		errno = E2BIG;
		return -1;
	}
	if (cbor_read(g->d, &it))
		return -1;
	switch (it.type) {
	case CBOR_UINT: case CBOR_NEGINT:
		put_int(g, it.u, it.type == CBOR_NEGINT);
		return 0;
	case CBOR_BYTES: case CBOR_TEXT:
		return string(g, &it);
	case CBOR_ARRAY: case CBOR_MAP:
		return container(g, &it, depth);
	case CBOR_TAG:
		return tag(g, it.u, depth);
	case CBOR_SIMPLE:
		simple(g, it.u);
		return 0;
	case CBOR_FLOAT:
		put_float(g, it.f);
		return 0;
	case CBOR_BREAK:
		break;
	}
	g->d->p = at;
	errno = EBADMSG;
	return -1;
}

int cbor_diag(struct cbor_dec *d, int flags, struct cbor_diag_out *o)
{
	struct diag g = { d, o, flags & CBOR_DIAG_JSON };

	if (item(&g, 0))
		return -1;
	if (o->err) {
		errno = o->err;
		return -1;
	}
	return 0;
}
