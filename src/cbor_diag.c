#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cbor_diag.h"

#define TAG_BIGNUM 2
#define TAG_NEG_BIGNUM 3
#define DOUBLE_PREC_MAX 16     /* %.16e: 17 digits read back as any double */
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

/* v, or -1 - v if neg (which may be -2^64). */
static void put_int(struct diag *g, uint64_t v, int neg)
{
	char num[NUM_MAX], *end = num + sizeof num, *p = end;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
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

/* Digits d[0..k) with the decimal point after the first n of them. */
static size_t layout(char *buf, size_t cap, int neg, const char *d, int k, int n)
{
	struct text t = { .n = 0 };
	char ex[NUM_MAX];

	add(&t, "-", neg);
	if (k <= n && n <= POINT_MAX) {
		add(&t, d, k);
		add_zeros(&t, n - k);
		add(&t, ".0", 2);
	} else if (n > 0 && n <= POINT_MAX) {
		add(&t, d, n);
		add(&t, ".", 1);
		add(&t, d + n, k - n);
	} else if (n > POINT_MIN && n <= 0) {
		add(&t, "0.", 2);
		add_zeros(&t, -n);
		add(&t, d, k);
	} else {
		add(&t, d, 1);
		add(&t, ".", 1);
		add(&t, k > 1 ? d + 1 : "0", k > 1 ? k - 1 : 1);
		add(&t, ex, snprintf(ex, sizeof ex, "e%+d", n - 1));
	}
	return (size_t)snprintf(buf, cap, "%.*s", (int)t.n, t.s);
}

/* A decimal in scientific notation, as %e prints it. */
struct sci {
	int neg;
	char d[NUM_MAX];      /* significant digits */
	int k;                /* how many */
	int x;                /* the first digit's power of ten */
};

static void sci_parse(struct sci *s, const char *e)
{
	s->neg = *e == '-';
	s->k = 0;
	for (e += s->neg; *e && *e != 'e'; e++)
		if (*e != '.')
			s->d[s->k++] = *e;
	s->x = *e ? atoi(e + 1) : 0;
}

static double sci_value(const struct sci *s)
{
	char e[NUM_MAX * 2];

	snprintf(e, sizeof e, "%s0.%.*se%d", s->neg ? "-" : "", s->k, s->d, s->x + 1);
	return strtod(e, NULL);
}

/* The next decimal of as many digits away from zero. */
static void sci_bump(struct sci *s)
{
	int i = s->k - 1;

	while (i >= 0 && s->d[i] == '9')
		s->d[i--] = '0';
	if (i >= 0) {
		s->d[i]++;
	} else {
		s->d[0] = '1';
		s->x++;
	}
}

/*
 * %.Ne rounds to nearest, but the shortest decimal that reads back may be
 * the next one up: below a power of two the gap to the next double down
 * is half the gap up (2^-24 is 5.960464477539063e-8, not ...062e-8).
 */
size_t cbor_diag_double(char *buf, size_t cap, double v)
{
	char e[NUM_MAX];
	struct sci s;

	for (int prec = 0;; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, v);
		sci_parse(&s, e);
		if (prec == DOUBLE_PREC_MAX || sci_value(&s) == v)
			break;
		sci_bump(&s);
		if (sci_value(&s) == v)
			break;
	}
	while (s.k > 1 && s.d[s.k - 1] == '0')
		s.k--;
	return layout(buf, cap, s.neg, s.d, s.k, s.x + 1);
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
