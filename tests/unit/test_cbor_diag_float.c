/*
 * Floats in diagnostic notation (src/cbor_diag.c): every value prints as
 * the shortest decimal that reads back as the same double, with the
 * digits the printf("%.*e") and strtod search it replaced chose.
 * Here libc's printf and strtod are the oracle.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "cbor_test.h"
#include "config.h"
#include "tap.h"

#if !CONFIG_CMD_CBOR_DIAG
int main(void)
{
	tap_skip_all("CONFIG_CMD_CBOR_DIAG is off");
}
#else
#include "cbor_diag.h"

#define OUT_MAX 128
#define PREC_MAX 17          /* %.17g reads back as any double */
#define RANDOM_DOUBLES 3000
#define RANDOM_SINGLES 4000
#define RANDOM_DECIMALS 5000
#define FAILS_SHOWN 5

/* A decimal as significant digits (no leading or trailing zeros) and the
 * power of ten of the first: 0.00125 is "125", -3. Zero is "", 0. */
struct dec {
	int neg;
	char d[OUT_MAX];
	int x;
};

static void dec_parse(struct dec *v, const char *s)
{
	int k = 0, point = -1, lead = 1;
	char *e;

	v->neg = *s == '-';
	v->x = 0;
	for (s += v->neg; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s == '.') {
			point = k;
		} else if (!lead || *s != '0') {
			v->d[k++] = *s;
			lead = 0;
		} else if (point >= 0) {
			v->x--;
		}
	}
	if (point < 0)
		point = k;
	while (k && v->d[k - 1] == '0')
		k--;
	v->d[k] = 0;
	v->x += point - 1;
	if (*s)
		v->x += (int)strtol(s + 1, &e, 10);
	if (!k)
		v->x = 0;
}

static double bits_double(uint64_t b)
{
	double v;
	memcpy(&v, &b, sizeof v);
	return v;
}

static uint64_t double_bits(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof b);
	return b;
}

static float bits_single(uint32_t b)
{
	float f;
	memcpy(&f, &b, sizeof f);
	return f;
}

/* The one float item in p printed by cbor_diag. */
static const char *diag(const uint8_t *p, size_t n, int flags, char *out)
{
	struct cbor_diag_out o = { out, OUT_MAX, 0, -1, 0 };
	struct cbor_dec d;

	cbor_dec_init(&d, p, n);
	if (cbor_diag(&d, flags, &o) || d.p != p + n)
		snprintf(out, OUT_MAX, "error");
	return out;
}

/* CBOR major type 7 with additional information 25, 26 or 27. */
static const char *diag_float(uint64_t bits, int bytes, int flags, char *out)
{
	uint8_t in[9] = { bytes == 2 ? 0xf9 : bytes == 4 ? 0xfa : 0xfb };

	for (int i = 0; i < bytes; i++)
		in[1 + i] = (uint8_t)(bits >> 8 * (bytes - 1 - i));
	return diag(in, 1 + (size_t)bytes, flags, out);
}

/* What cbor_diag printed before: %.Ne for N = 0, 1, ... and the next
 * decimal of as many digits up, until one reads back. */
static void reference(double v, struct dec *r)
{
	char e[OUT_MAX * 2];

	for (int prec = 0; prec < PREC_MAX; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, v);
		dec_parse(r, e);
		if (strtod(e, NULL) == v)
			return;
		int i = (int)strlen(r->d);
		while (i < prec + 1)
			r->d[i++] = '0';
		r->d[i] = 0;
		while (i > 0 && r->d[i - 1] == '9')
			r->d[--i] = '0';
		if (i > 0) {
			r->d[i - 1]++;
		} else {
			memmove(r->d + 1, r->d, strlen(r->d) + 1);
			r->d[0] = '1';
			r->x++;
		}
		snprintf(e, sizeof e, "%s0.%se%d", v < 0 ? "-" : "", r->d, r->x + 1);
		dec_parse(r, e);
		if (strtod(e, NULL) == v)
			return;
	}
	snprintf(e, sizeof e, "%.*e", PREC_MAX - 1, v);
	dec_parse(r, e);
}

/* Significant digits of the shortest %.Ng (N = 1..17) that reads back. */
static int printf_shortest(double v)
{
	char g[OUT_MAX];
	struct dec p;

	for (int prec = 1; prec <= PREC_MAX; prec++) {
		snprintf(g, sizeof g, "%.*g", prec, v);
		if (strtod(g, NULL) == v)
			break;
	}
	dec_parse(&p, g);
	return (int)strlen(p.d);
}

struct tally {
	const char *what;
	int checked, failed;
};

/* Every value on the host; under $TETHER_WRAP (the cross checks under
 * qemu-user: a minute per ARCH in full) every 17th of each exhaustive
 * loop and a 17th of the random ones. 17 is odd and prime, so a sample
 * still meets every exponent and low mantissa bit. */
static int every;

static void fail(struct tally *t, const char *f, double v, const char *out, const char *more)
{
	if (++t->failed <= FAILS_SHOWN)
		tap_diag(f, t->what, v, out, more);
}

/*
 * The value v printed as out: (a) strtod reads it back as v exactly, bit
 * for bit; (b) no more significant digits than the shortest %.Ng that
 * reads back; (c) the same digits as the old printf search chose.
 */
static void check_finite(struct tally *t, double v, const char *out)
{
	struct dec got, want;
	char *end;
	double back = strtod(out, &end);

	t->checked++;
	if (*end || double_bits(back) != double_bits(v)) {
		fail(t, "%s: %.17g printed as \"%s\", which reads back %s", v, out, "as another double");
		return;
	}
	dec_parse(&got, out);
	if ((int)strlen(got.d) > printf_shortest(v)) {
		fail(t, "%s: %.17g printed as \"%s\", %s", v, out, "longer than %.Ng");
		return;
	}
	reference(v, &want);
	if (strcmp(got.d, want.d) || (got.d[0] && got.x != want.x))
		fail(t, "%s: %.17g printed as \"%s\", %s", v, out, "not as the printf search did");
}

static void check_double(struct tally *t, uint64_t bits)
{
	char out[OUT_MAX];
	double v = bits_double(bits);

	if (v != v || v - v != 0)
		return;
	check_finite(t, v, diag_float(bits, 8, 0, out));
}

static void check_single(struct tally *t, uint32_t bits)
{
	char out[OUT_MAX];
	float f = bits_single(bits);
	float back;

	if (f != f || f - f != 0)
		return;
	check_finite(t, f, diag_float(bits, 4, 0, out));
	back = strtof(out, NULL);
	if (memcmp(&back, &f, sizeof f))
		fail(t, "%s: %.9g printed as \"%s\", %s", f, out, "strtof reads another single");
}

static int done(struct tally *t)
{
	return ok(!t->failed && t->checked, "%s (%d values%s, %d failed)", t->what, t->checked,
		  every > 1 ? ", every 17th under TETHER_WRAP" : "", t->failed);
}

/* 2^e exactly, from its bits (normal or subnormal). */
static uint64_t pow2_bits(int e)
{
	return e >= -1022 ? (uint64_t)(e + 1023) << 52 : 1ull << (e + 1074);
}

static void test_double_edges(void)
{
	static const char *const decimals[] = {
		"0", "-0", "4.9e-324", "5e-324", "1e-323", "2.2250738585072009e-308",
		"2.2250738585072014e-308", "1.7976931348623157e308", "0.1", "0.2", "0.3",
		"1e23", "8.41e21", "5e-310", "9007199254740991", "9007199254740992",
		"9007199254740993", "9007199254740994", "123456789012345678", "1.5",
		"-4.1", "1e21", "1e-7", "100000000000000000000", "0.000001",
		"2.9802322387695312e-8", "1.00000762939453125",
	};
	struct tally t = { "edge-case doubles read back, shortest, as before", 0, 0 };

	for (size_t i = 0; i < sizeof decimals / sizeof *decimals; i++) {
		double v = strtod(decimals[i], NULL);
		check_double(&t, double_bits(v));
		check_double(&t, double_bits(-v));
	}
	check_double(&t, 1);                        /* the smallest subnormal */
	check_double(&t, 0x000fffffffffffffull);    /* the largest subnormal */
	check_double(&t, double_bits(DBL_MIN));
	check_double(&t, double_bits(DBL_MAX));
	check_double(&t, double_bits(DBL_EPSILON));
	done(&t);
}

static void test_powers(void)
{
	struct tally two = { "every power of two, 2^-1074 to 2^1023, and the double below it", 0, 0 };
	struct tally ten = { "every power of ten a double comes near, 1e-323 to 1e308", 0, 0 };
	char s[OUT_MAX];

	for (int e = -1074; e <= 1023; e += every) {
		uint64_t b = pow2_bits(e);
		check_double(&two, b);
		check_double(&two, b - 1);
	}
	for (int e = -323; e <= 308; e += every) {
		snprintf(s, sizeof s, "1e%d", e);
		check_double(&ten, double_bits(strtod(s, NULL)));
	}
	done(&two);
	done(&ten);
}

static void test_random_doubles(void)
{
	struct tally t = { "random double bit patterns (fixed-seed xorshift)", 0, 0 };
	uint32_t seed = 0x5eed1;

	for (int i = 0; i < RANDOM_DOUBLES / every; i++) {
		uint64_t hi = next_rand(&seed), lo = next_rand(&seed);
		check_double(&t, hi << 32 | lo);
	}
	done(&t);
}

/* Decimals of at most 15 significant digits (DBL_DIG) lie further apart
 * than doubles do, so such a decimal is the only one of its length or
 * shorter that reads back as its double: it must print as itself. */
static void test_short_decimals(void)
{
	struct tally t = { "a decimal of 1 to 15 digits prints as itself", 0, 0 };
	uint32_t seed = 0xdec1;
	char s[OUT_MAX], out[OUT_MAX];
	struct dec want, got;

	for (int i = 0; i < RANDOM_DECIMALS / every; i++) {
		int digits = 1 + (int)(next_rand(&seed) % 15), x = (int)(next_rand(&seed) % 600) - 300;
		char d[16];
		d[0] = (char)('1' + next_rand(&seed) % 9);
		for (int k = 1; k < digits; k++)
			d[k] = (char)('0' + next_rand(&seed) % 10);
		d[digits] = 0;
		snprintf(s, sizeof s, "%s%c.%se%d", next_rand(&seed) % 2 ? "-" : "", d[0],
			 digits > 1 ? d + 1 : "0", x);
		double v = strtod(s, NULL);
		cbor_diag_double(out, sizeof out, v);
		dec_parse(&want, s);
		dec_parse(&got, out);
		t.checked++;
		if (strcmp(got.d, want.d) || got.x != want.x || got.neg != want.neg)
			fail(&t, "%s: %.17g printed as \"%s\", %s", v, out, s);
	}
	done(&t);
}

static uint32_t next_half(uint32_t h)
{
	uint32_t low = h & 0x7fff, top = 0x1e << 10;  /* exponent 30 */

	if (low >= top)
		return h + 1;
	return h + (top - low < (uint32_t)every ? top - low : (uint32_t)every);
}

static void test_all_halves(void)
{
	struct tally t = { "every finite half reads back, shortest, as before", 0, 0 };
	int nonfinite = 1;
	char out[OUT_MAX], json[OUT_MAX];

	/* Sampled or not, the top finite exponent and every NaN and infinity
	 * are all checked: the step is 1 from exponent 30 on, and a step
	 * below it stops at its first value. */
	for (uint32_t h = 0; h <= 0xffff; h = next_half(h)) {
		unsigned exp = h >> 10 & 0x1f, mant = h & 0x3ff;
		double m = exp ? 1024 + mant : mant, v = m;
		for (int e = (exp ? (int)exp : 1) - 25; e < 0; e++)
			v /= 2;
		for (int e = (exp ? (int)exp : 1) - 25; e > 0; e--)
			v *= 2;
		if (h >> 15)
			v = -v;
		diag_float(h, 2, 0, out);
		diag_float(h, 2, CBOR_DIAG_JSON, json);
		if (exp == 0x1f) {
			const char *want = mant ? "NaN" : h >> 15 ? "-Infinity" : "Infinity";
			nonfinite &= !strcmp(out, want) && !strcmp(json, "null");
			continue;
		}
		check_finite(&t, v, out);
		if (strcmp(out, json))
			fail(&t, "%s: %.17g printed as \"%s\", %s", v, out, "and differently in JSON");
	}
	done(&t);
	ok(nonfinite, "every half NaN prints NaN, the infinities (-)Infinity, all null in JSON");
}

static void test_singles(void)
{
	struct tally t = { "singles read back (strtod and strtof), shortest, as before", 0, 0 };
	uint32_t seed = 0x51691e;

	for (int e = 0; e < 0xff; e++) {
		uint32_t b = (uint32_t)e << 23;
		check_single(&t, b);
		check_single(&t, b | 1);
		check_single(&t, b | 0x7fffff);
		check_single(&t, 0x80000000u | b | 0x400000);
	}
	for (int i = 0; i < RANDOM_SINGLES / every; i++)
		check_single(&t, next_rand(&seed));
	done(&t);
}

static void test_ties(void)
{
	char out[OUT_MAX];

	/* 1 + 2^-17 is 1.00000762939453125: both 17-digit neighbours read
	 * back, and printf's %.16e rounds the tie to even. */
	cbor_diag_double(out, sizeof out, 1 + 1.0 / (1 << 17));
	is_str(out, "1.0000076293945312", "a tie between two shortest decimals goes to the even digit");
	cbor_diag_double(out, sizeof out, 1.0 / (1 << 24));
	is_str(out, "5.960464477539063e-8",
	       "below a power of two the shortest decimal may be the one rounded up");
}

static void test_truncation(void)
{
	char small[5] = "xxxx";

	is_int(cbor_diag_double(small, sizeof small, 123.456), 7, "returns the whole length, as snprintf");
	is_str(small, "123.", "keeps what fits, NUL-terminated");
	is_int(cbor_diag_double(NULL, 0, -1e300), 9, "measures with no buffer: -1.0e+300");
}

int main(void)
{
	every = tap_sample(17);
	test_double_edges();
	test_powers();
	test_random_doubles();
	test_short_decimals();
	test_all_halves();
	test_singles();
	test_ties();
	test_truncation();
	return tap_done();
}
#endif
