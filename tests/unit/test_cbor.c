/* RFC 8949 CBOR: the codec (src/cbor.c). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "cbor_test.h"
#include "tap.h"

#define BUF_MAX 4096

/* Re-encode the definite item at d->p with the encoder, item by item. */
static int reencode(struct cbor_dec *d, struct cbor_enc *e)
{
	struct cbor_item it;

	if (cbor_read(d, &it) || it.indef)
		return -1;
	switch (it.type) {
	case CBOR_UINT: cbor_put_uint(e, it.u); return 0;
	case CBOR_NEGINT:
		if (it.u <= INT64_MAX) {
			cbor_put_int(e, -1 - (int64_t)it.u);
			return 0;
		}
		cbor_put_raw(e, "\x3b", 1);
		for (int i = 7; i >= 0; i--)
			cbor_put_raw(e, &(uint8_t){ (uint8_t)(it.u >> 8 * i) }, 1);
		return 0;
	case CBOR_BYTES: cbor_put_bytes(e, it.p, it.n); return 0;
	case CBOR_TEXT: cbor_put_text(e, (const char *)it.p, it.n); return 0;
	case CBOR_SIMPLE: cbor_put_simple(e, (uint8_t)it.u); return 0;
	case CBOR_FLOAT: cbor_put_float(e, it.f); return 0;
	case CBOR_TAG:
		cbor_put_tag(e, it.u);
		return reencode(d, e);
	case CBOR_ARRAY: case CBOR_MAP:
		if (it.type == CBOR_ARRAY)
			cbor_put_array(e, it.u);
		else
			cbor_put_map(e, it.u);
		for (uint64_t i = 0; i < (it.type == CBOR_MAP ? 2 : 1) * it.u; i++)
			if (reencode(d, e))
				return -1;
		return 0;
	default:
		return -1;
	}
}

static void test_appendix_a(void)
{
	char hex[BUF_MAX];

	for (size_t i = 0; i < sizeof appendix_a / sizeof *appendix_a; i++) {
		const struct appendix_a *a = &appendix_a[i];
		uint8_t in[BUF_MAX], re[BUF_MAX];
		size_t n = unhex(a->hex, in, sizeof in), used = 0;
		const char *why = "";
		struct cbor_enc e;
		struct cbor_dec d;

		ok(!cbor_check(in, n, NULL, &used, &why) && used == n,
		   "A: 0x%s (%s) is one well-formed item", a->hex, a->diag);
		if (!a->preferred)
			continue;
		cbor_enc_init(&e, re, sizeof re);
		cbor_dec_init(&d, in, n);
		ok(!reencode(&d, &e) && !e.overflow, "A: %s re-encodes", a->diag);
		is_str(tohex(re, e.len, hex, sizeof hex), a->hex, "A: re-encoding is byte-identical");
	}
}

static void read_one(const char *hex, struct cbor_item *it)
{
	static uint8_t in[BUF_MAX];
	struct cbor_dec d;

	cbor_dec_init(&d, in, unhex(hex, in, sizeof in));
	if (cbor_read(&d, it))
		memset(it, 0xff, sizeof *it);
}

static void test_values(void)
{
	struct cbor_item it;

	read_one("1b000000e8d4a51000", &it);
	ok(it.type == CBOR_UINT && it.u == 1000000000000ull, "1b000000e8d4a51000 is the uint 10^12");
	read_one("3bffffffffffffffff", &it);
	ok(it.type == CBOR_NEGINT && it.u == UINT64_MAX, "3bff..ff is negint n = 2^64 - 1");
	read_one("3903e7", &it);
	ok(it.type == CBOR_NEGINT && it.u == 999, "3903e7 is -1 - 999");
	read_one("f97bff", &it);
	ok(it.type == CBOR_FLOAT && it.f == 65504.0 && it.u == 2, "f97bff is the half 65504.0");
	read_one("fa47c35000", &it);
	ok(it.type == CBOR_FLOAT && it.f == 100000.0 && it.u == 4, "fa47c35000 is the single 100000.0");
	read_one("fb3ff199999999999a", &it);
	ok(it.type == CBOR_FLOAT && it.f == 1.1 && it.u == 8, "fb3ff1..9a is the double 1.1");
	read_one("f90001", &it);
	ok(it.f == 5.960464477539063e-8, "f90001 is the smallest half subnormal");
	read_one("f98000", &it);
	ok(it.f == 0 && signbit(it.f), "f98000 is -0.0");
	read_one("f97e00", &it);
	ok(isnan(it.f), "f97e00 is NaN");
	read_one("f9fc00", &it);
	ok(isinf(it.f) && it.f < 0, "f9fc00 is -Infinity");
	read_one("f7", &it);
	ok(it.type == CBOR_SIMPLE && it.u == CBOR_UNDEFINED, "f7 is undefined");
	read_one("f8ff", &it);
	ok(it.type == CBOR_SIMPLE && it.u == 255, "f8ff is simple(255)");
	read_one("6449455446", &it);
	ok(it.type == CBOR_TEXT && it.n == 4 && !memcmp(it.p, "IETF", 4) && !it.indef, "6449455446 is \"IETF\"");
	read_one("5f42010243030405ff", &it);
	ok(it.type == CBOR_BYTES && it.indef, "5f.. is an indefinite byte string");
	read_one("a201020304", &it);
	ok(it.type == CBOR_MAP && it.u == 2 && !it.indef, "a2.. is a map of 2 pairs");
	read_one("9fff", &it);
	ok(it.type == CBOR_ARRAY && it.indef, "9f.. is an indefinite array");
	read_one("c11a514b67b0", &it);
	ok(it.type == CBOR_TAG && it.u == 1, "c1.. is tag 1");
	read_one("ff", &it);
	ok(it.type == CBOR_BREAK, "cbor_read returns a break as CBOR_BREAK");
}

static int rejects(const char *hex, const char **why, size_t *at)
{
	uint8_t in[BUF_MAX];
	size_t n = unhex(hex, in, sizeof in);
	uint8_t *exact = malloc(n ? n : 1);   /* so ASan sees any overread */
	int r;

	memcpy(exact, in, n);
	*at = SIZE_MAX;
	r = cbor_check(exact, n, NULL, at, why) == -1 && *at <= n;
	free(exact);
	return r;
}

static void test_not_well_formed(void)
{
	/* RFC 8949 Appendix F.1 */
	static const char *const truncated[] = {
		"18", "19", "1a", "1b", "1901", "1a0102", "1b01020304050607", "38", "58", "78", "98",
		"9a01ff00", "b8", "d8", "f8", "f900", "fa0000", "fb000000",
		"41", "61", "5affffffff00", "5bffffffffffffffff010203", "7affffffff00",
		"7b7fffffffffffffff010203",
		"81", "818181818181818181", "8200", "a1", "a20102", "a100", "a2000000",
		"c0", "5f4100", "7f6100",
		"9f", "9f0102", "bf", "bf01020102", "819f", "9f8000", "9f9f9f9f9fffffffff",
		"9f819f819f9fffffff",
	};
	static const struct { const char *hex, *why; } syntax[] = {
		{ "1c", "reserved" }, { "1d", "reserved" }, { "1e", "reserved" },
		{ "3c", "reserved" }, { "3d", "reserved" }, { "3e", "reserved" },
		{ "5c", "reserved" }, { "5d", "reserved" }, { "5e", "reserved" },
		{ "7c", "reserved" }, { "7d", "reserved" }, { "7e", "reserved" },
		{ "9c", "reserved" }, { "9d", "reserved" }, { "9e", "reserved" },
		{ "bc", "reserved" }, { "bd", "reserved" }, { "be", "reserved" },
		{ "dc", "reserved" }, { "dd", "reserved" }, { "de", "reserved" },
		{ "fc", "reserved" }, { "fd", "reserved" }, { "fe", "reserved" },
		{ "f800", "simple" }, { "f801", "simple" }, { "f818", "simple" }, { "f81f", "simple" },
		{ "5f00ff", "chunk" }, { "5f21ff", "chunk" }, { "5f6100ff", "chunk" }, { "5f80ff", "chunk" },
		{ "5fa0ff", "chunk" }, { "5fc000ff", "chunk" }, { "5fe0ff", "chunk" }, { "7f4100ff", "chunk" },
		{ "5f5f4100ffff", "chunk" }, { "7f7f6100ffff", "chunk" },
		{ "ff", "break" }, { "81ff", "break" }, { "8200ff", "break" }, { "a1ff", "break" },
		{ "a1ff00", "break" }, { "a100ff", "break" }, { "a20000ff", "break" }, { "9f81ff", "break" },
		{ "9f829f819f9fffffffff", "break" }, { "c0ff", "break" },
		{ "bf00ff", "key but no value" }, { "bf000000ff", "key but no value" },
		{ "1f", "indefinite" }, { "3f", "indefinite" }, { "df", "indefinite" },
	};
	const char *why;
	size_t at;

	for (size_t i = 0; i < sizeof truncated / sizeof *truncated; i++) {
		int r = rejects(truncated[i], &why, &at);
		ok(r && !strcmp(why, "truncated"), "F.1: 0x%s is rejected as truncated (%s, byte %zu)",
		   truncated[i], why, at);
	}
	for (size_t i = 0; i < sizeof syntax / sizeof *syntax; i++) {
		int r = rejects(syntax[i].hex, &why, &at);
		ok(r && strstr(why, syntax[i].why), "F.1: 0x%s is rejected: %s (byte %zu)", syntax[i].hex, why, at);
	}

	ok(rejects("83018202039f0405", &why, &at) && at == 8, "a missing break is reported at the end of input");
	ok(rejects("8301820203f81f", &why, &at) && at == 5, "an error is reported at the offending item");
	errno = 0;
	rejects("ff", &why, &at);
	ok(errno == EBADMSG, "not well formed sets errno EBADMSG");
}

static void test_utf8(void)
{
	static const char *const bad[] = {
		"6180", "61bf", "62c080", "62c1bf", "63e08080", "63e09fbf", "64f0808080", "64f08fbfbf",
		"63eda080", "63edbfbf", "64f4908080", "64f5808080", "61ff", "61fe", "62e282", "63f09080",
		"61c2", "62c2c2", "63e228a1", "7f62c3bc61c3ff",
	};
	static const char *const good[] = {
		"62c280", "62dfbf", "63e0a080", "63ed9fbf", "63ee8080", "63efbfbf", "64f0908080",
		"64f48fbfbf", "617f", "6100", "7f62c3bcff",
	};
	const char *why;
	size_t at;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int r = rejects(bad[i], &why, &at);
		ok(r && strstr(why, "UTF-8"), "invalid UTF-8 0x%s is rejected: %s", bad[i], why);
	}
	ok(rejects("63e28261", &why, &at) && strstr(why, "UTF-8") && at == 1,
	   "a truncated UTF-8 sequence is reported at its first byte");
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		ok(!rejects(good[i], &why, &at), "valid UTF-8 0x%s is accepted", good[i]);
	ok(rejects("7f61c362bc61ff", &why, &at) && strstr(why, "UTF-8"),
	   "a code point split across text chunks is invalid (each chunk must be valid UTF-8)");
}

static size_t nest(uint8_t *buf, size_t depth, uint8_t head)
{
	memset(buf, head, depth);
	buf[depth] = 0x00;
	return depth + 1;
}

static void test_limits(void)
{
	uint8_t buf[BUF_MAX * 4];
	struct cbor_limits lim = cbor_default_limits;
	const char *why;
	size_t n, used;

	ok(cbor_default_limits.max_depth == 16 && cbor_default_limits.max_items == 4096 &&
	   cbor_default_limits.max_len == 65536, "default limits are 16, 4096, 65536");

	n = nest(buf, 16, 0x81);
	ok(!cbor_check(buf, n, NULL, &used, &why) && used == n, "16 nested arrays are within the default depth");
	n = nest(buf, 17, 0x81);
	errno = 0;
	ok(cbor_check(buf, n, NULL, &used, &why) && errno == E2BIG && !strcmp(why, "nested too deep") && used == 16,
	   "17 nested arrays are too deep (E2BIG, at byte 16)");
	n = nest(buf, 17, 0xc1);
	ok(cbor_check(buf, n, NULL, &used, &why) && errno == E2BIG, "tags count as nesting");
	n = nest(buf, 17, 0x9f);
	ok(cbor_check(buf, n, NULL, &used, &why) && errno == E2BIG, "indefinite arrays count as nesting");
	lim.max_depth = 1000;
	n = nest(buf, CBOR_MAX_DEPTH, 0xa1);
	memset(buf + n, 0, CBOR_MAX_DEPTH);
	ok(!cbor_check(buf, n + CBOR_MAX_DEPTH, &lim, &used, &why) && used == n + CBOR_MAX_DEPTH,
	   "CBOR_MAX_DEPTH nested maps pass when allowed");
	n = nest(buf, CBOR_MAX_DEPTH + 1, 0x81);
	ok(cbor_check(buf, n, &lim, &used, &why) && errno == E2BIG, "a max_depth over CBOR_MAX_DEPTH counts as it");
	n = nest(buf, 3000, 0x9f);
	ok(cbor_check(buf, n, &lim, &used, &why) && errno == E2BIG, "3000 nested indefinite arrays: E2BIG, no recursion");
	lim.max_depth = 0;
	ok(!cbor_check((const uint8_t *)"\x01", 1, &lim, &used, &why), "max_depth 0 allows a scalar");
	ok(cbor_check((const uint8_t *)"\x80", 1, &lim, &used, &why), "max_depth 0 refuses even an empty array");

	lim = cbor_default_limits;
	buf[0] = 0x99;
	buf[1] = 0x0f;
	buf[2] = 0xff;
	memset(buf + 3, 0, 4095);
	ok(!cbor_check(buf, 3 + 4095, NULL, &used, &why), "an array of 4095 (4096 items) is within max_items");
	buf[1] = 0x10;
	buf[2] = 0x00;
	memset(buf + 3, 0, 4096);
	ok(cbor_check(buf, 3 + 4096, NULL, &used, &why) && errno == E2BIG && !strcmp(why, "too many items"),
	   "an array of 4096 (4097 items) is too many");

	lim.max_len = 3;
	ok(!cbor_check((const uint8_t *)"\x63" "abc", 4, &lim, &used, &why), "a text of max_len bytes passes");
	ok(cbor_check((const uint8_t *)"\x64" "abcd", 5, &lim, &used, &why) && errno == E2BIG,
	   "a text over max_len is E2BIG");
	ok(cbor_check((const uint8_t *)"\x84\0\0\0\0", 5, &lim, &used, &why) && errno == E2BIG,
	   "an array count over max_len is E2BIG");
	ok(cbor_check((const uint8_t *)"\xa4\0\0\0\0\0\0\0\0", 9, &lim, &used, &why) && errno == E2BIG,
	   "a map of more than max_len pairs is E2BIG");
	ok(cbor_check((const uint8_t *)"\x5f\x42" "ab" "\x42" "cd" "\xff", 8, &lim, &used, &why) && errno == E2BIG,
	   "an indefinite string whose chunks add up past max_len is E2BIG");
	ok(cbor_check((const uint8_t *)"\x9f\0\0\0\0\xff", 6, &lim, &used, &why) && errno == E2BIG,
	   "an indefinite array of more than max_len items is E2BIG");
	ok(!cbor_check((const uint8_t *)"\xbf\0\0\0\0\0\0\xff", 8, &lim, &used, &why),
	   "an indefinite map of max_len pairs passes");

	lim = (struct cbor_limits){ 16, SIZE_MAX, SIZE_MAX };
	ok(cbor_check((const uint8_t *)"\x9a\xff\xff\xff\xff\x00", 6, &lim, &used, &why) &&
	   !strcmp(why, "truncated") && used == 6, "a count of 2^32 - 1 with one item is truncated, not a huge loop");
	ok(cbor_check((const uint8_t *)"\xba\xff\xff\xff\xff\0\0\0", 8, &lim, &used, &why) &&
	   !strcmp(why, "truncated"), "so is a map of 2^32 - 1 pairs");
	lim = cbor_default_limits;
	ok(cbor_check((const uint8_t *)"\x9b\xff\xff\xff\xff\xff\xff\xff\xff\x00", 10, &lim, &used, &why) &&
	   errno == E2BIG, "a count of 2^64 - 1 is past max_len");
	ok(!cbor_check((const uint8_t *)"\x01\x02", 2, NULL, &used, &why) && used == 1,
	   "trailing bytes are the caller's: used is 1 item's length");
	ok(cbor_check(NULL, 0, NULL, &used, &why) && used == 0 && !strcmp(why, "truncated"),
	   "no input is truncated at byte 0");
}

static const char *encoded(void (*put)(struct cbor_enc *, const void *), const void *arg, char *out)
{
	uint8_t buf[64];
	struct cbor_enc e;

	cbor_enc_init(&e, buf, sizeof buf);
	put(&e, arg);
	return e.overflow ? "overflow" : tohex(buf, e.len, out, 64);
}

static void put_u(struct cbor_enc *e, const void *a) { cbor_put_uint(e, *(const uint64_t *)a); }
static void put_i(struct cbor_enc *e, const void *a) { cbor_put_int(e, *(const int64_t *)a); }
static void put_f(struct cbor_enc *e, const void *a) { cbor_put_float(e, *(const double *)a); }

static void test_encode_ints(void)
{
	static const struct { uint64_t v; const char *hex; } u[] = {
		{ 0, "00" }, { 23, "17" }, { 24, "1818" }, { 255, "18ff" }, { 256, "190100" },
		{ 65535, "19ffff" }, { 65536, "1a00010000" }, { 4294967295u, "1affffffff" },
		{ 4294967296u, "1b0000000100000000" }, { UINT64_MAX, "1bffffffffffffffff" },
	};
	static const struct { int64_t v; const char *hex; } s[] = {
		{ -1, "20" }, { -24, "37" }, { -25, "3818" }, { -256, "38ff" }, { -257, "390100" },
		{ -65536, "39ffff" }, { -65537, "3a00010000" }, { -4294967296, "3affffffff" },
		{ -4294967297, "3b0000000100000000" }, { INT64_MIN, "3b7fffffffffffffff" },
		{ INT64_MAX, "1b7fffffffffffffff" }, { 0, "00" },
	};
	char out[64], name[128];

	for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
		snprintf(name, sizeof name, "uint %llu is 0x%s", (unsigned long long)u[i].v, u[i].hex);
		is_str(encoded(put_u, &u[i].v, out), u[i].hex, name);
	}
	for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
		snprintf(name, sizeof name, "int %lld is 0x%s", (long long)s[i].v, s[i].hex);
		is_str(encoded(put_i, &s[i].v, out), s[i].hex, name);
	}
}

static void test_encode_floats(void)
{
	static const struct { double v; const char *hex; } f[] = {
		{ 0.0, "f90000" }, { -0.0, "f98000" }, { 1.0, "f93c00" }, { 1.5, "f93e00" },
		{ 65504.0, "f97bff" }, { 65505.0, "fa477fe100" }, { 65536.0, "fa47800000" },
		{ 100000.0, "fa47c35000" }, { 3.4028234663852886e+38, "fa7f7fffff" },
		{ 1e300, "fb7e37e43c8800759c" }, { 5.960464477539063e-8, "f90001" },
		{ 0x1p-25, "fa33000000" }, { 0x3p-24, "f90003" }, { 0x1.004p-14, "f90401" },
		{ 0x1.002p-14, "fa38801000" }, { 0.00006103515625, "f90400" }, { -4.0, "f9c400" },
		{ -4.1, "fbc010666666666666" }, { 1.1, "fb3ff199999999999a" },
		{ 0x1p-149, "fa00000001" }, { 0x1p-150, "fb3690000000000000" },
		{ 0x1p-126, "fa00800000" }, { 0x1.fffffep127, "fa7f7fffff" },
		{ 0x1p128, "fb47f0000000000000" }, { 1.0 / 3, "fb3fd5555555555555" },
		{ DBL_MIN / 2, "fb0008000000000000" }, { INFINITY, "f97c00" }, { -INFINITY, "f9fc00" },
		{ NAN, "f97e00" }, { -NAN, "f97e00" }, { 1363896240.5, "fb41d452d9ec200000" },
	};
	char out[64], name[128];

	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		snprintf(name, sizeof name, "float %a is 0x%s", f[i].v, f[i].hex);
		is_str(encoded(put_f, &f[i].v, out), f[i].hex, name);
	}
	/* every half that is a number decodes and re-encodes as itself */
	int bad = 0;
	for (unsigned h = 0; h < 0x10000; h++) {
		uint8_t in[3] = { 0xf9, (uint8_t)(h >> 8), (uint8_t)h }, re[16];
		struct cbor_dec d;
		struct cbor_item it;
		struct cbor_enc e;
		if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff))
			continue;
		cbor_dec_init(&d, in, 3);
		cbor_enc_init(&e, re, sizeof re);
		if (cbor_read(&d, &it) || (cbor_put_float(&e, it.f), e.len != 3 || memcmp(in, re, 3)))
			bad++;
	}
	is_int(bad, 0, "all 63490 non-NaN halves round-trip through decode and cbor_put_float");
}

static void test_encode_other(void)
{
	uint8_t buf[64];
	char hex[160];
	struct cbor_enc e;

	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_array(&e, 10);
	cbor_put_bytes(&e, "\x01\x02", 2);
	cbor_put_str(&e, "a");
	cbor_put_text(&e, "bc", 2);
	cbor_put_map(&e, 0);
	cbor_put_tag(&e, CBOR_TAG_SELF_DESCRIBE);
	cbor_put_bool(&e, 1);
	cbor_put_bool(&e, 0);
	cbor_put_null(&e);
	cbor_put_simple(&e, 16);
	cbor_put_simple(&e, 255);
	cbor_put_raw(&e, "\xf7", 1);
	is_str(tohex(buf, e.len, hex, sizeof hex), "8a4201026161626263a0d9d9f7f5f4f6f0f8fff7",
	       "every major type encodes in its shortest head");
	ok(!e.overflow && !cbor_check(buf, e.len, NULL, NULL, NULL), "no overflow, and well formed");

	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_simple(&e, 24);
	ok(e.overflow && e.len == 0, "simple(24) has no encoding: it fails the encoder");

	cbor_enc_init(&e, buf, 3);
	cbor_put_uint(&e, 1);
	cbor_put_uint(&e, 1000);
	ok(e.overflow && e.len == 1, "a head that does not fit is not written at all");
	cbor_put_uint(&e, 1);
	ok(e.overflow && e.len == 1, "nothing is written after an overflow, even what fits");

	cbor_enc_init(&e, buf, 4);
	cbor_put_bytes(&e, "abcdef", 6);
	ok(e.overflow && e.len == 1, "string content that does not fit is not written");
	cbor_enc_init(&e, NULL, 10);
	cbor_put_null(&e);
	ok(e.overflow && e.len == 0, "a NULL buffer has no room");
	cbor_enc_init(&e, buf, 0);
	cbor_put_raw(&e, "", 0);
	ok(!e.overflow, "writing nothing into nothing is no overflow");
}

static void test_map_sort(void)
{
	uint8_t buf[BUF_MAX];
	char hex[BUF_MAX * 2];
	struct cbor_enc e;

	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_array(&e, 2);
	size_t start = e.len;
	cbor_put_map(&e, 6);
	cbor_put_str(&e, "b");  cbor_put_uint(&e, 1);
	cbor_put_str(&e, "aa"); cbor_put_uint(&e, 2);
	cbor_put_uint(&e, 100); cbor_put_uint(&e, 3);
	cbor_put_int(&e, -1);   cbor_put_uint(&e, 4);
	cbor_put_str(&e, "a");  cbor_put_map(&e, 2); cbor_put_uint(&e, 2); cbor_put_uint(&e, 0);
	cbor_put_uint(&e, 1); cbor_put_uint(&e, 0);
	cbor_put_uint(&e, 10);  cbor_put_uint(&e, 5);
	ok(!cbor_map_sort(&e, start), "a map with distinct keys sorts");
	is_str(tohex(buf + start, e.len - start, hex, sizeof hex),
	       "a60a0518640320046161a202000100616201626161" "02",
	       "keys in bytewise order of their encodings (RFC 8949 4.2.1), values along, nested maps left alone");
	cbor_put_uint(&e, 0);
	ok(!cbor_check(buf, e.len, NULL, NULL, NULL), "the whole item is still well formed");

	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_map(&e, 3);
	cbor_put_str(&e, "x"); cbor_put_uint(&e, 1);
	cbor_put_str(&e, "y"); cbor_put_uint(&e, 2);
	cbor_put_str(&e, "x"); cbor_put_uint(&e, 3);
	errno = 0;
	ok(cbor_map_sort(&e, 0) == -1 && errno == EBADMSG, "a duplicate key is refused (EBADMSG)");

	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_map(&e, 2);
	cbor_put_uint(&e, 1); cbor_put_uint(&e, 1);
	cbor_put_raw(&e, "\x19\x00\x01", 3); cbor_put_uint(&e, 2);
	ok(!cbor_map_sort(&e, 0), "keys equal in value but not in encoding are not duplicates");

	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_map(&e, 0);
	ok(!cbor_map_sort(&e, 0) && e.len == 1, "an empty map sorts");
	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_map(&e, 2);
	cbor_put_uint(&e, 1); cbor_put_uint(&e, 1);
	ok(cbor_map_sort(&e, 0) == -1, "a map with fewer pairs than its head says is malformed");
	cbor_put_uint(&e, 2); cbor_put_uint(&e, 1); cbor_put_uint(&e, 9);
	ok(cbor_map_sort(&e, 0) == -1, "bytes after the map's pairs are malformed");
	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_array(&e, 0);
	ok(cbor_map_sort(&e, 0) == -1, "an array is not a map");
	ok(cbor_map_sort(&e, 5) == -1, "a start past the end is malformed");
	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_raw(&e, "\xbf\x01\x02\xff", 4);
	ok(cbor_map_sort(&e, 0) == -1, "an indefinite map is not sorted");

	cbor_enc_init(&e, buf, 4);
	cbor_put_map(&e, 2);
	cbor_put_uint(&e, 2); cbor_put_uint(&e, 1);
	cbor_put_uint(&e, 1000); cbor_put_uint(&e, 1);
	ok(e.overflow && !cbor_map_sort(&e, 0), "after an overflow sorting does nothing and succeeds");

	/* 200 keys in reverse order */
	cbor_enc_init(&e, buf, sizeof buf);
	cbor_put_map(&e, 200);
	for (int i = 199; i >= 0; i--) {
		cbor_put_int(&e, i % 2 ? -i : i);
		cbor_put_uint(&e, (uint64_t)i);
	}
	ok(!cbor_map_sort(&e, 0), "200 keys sort");
	struct cbor_dec d;
	struct cbor_item it;
	uint8_t prev[16] = { 0 };
	size_t prevn = 0;
	int ordered = 1;
	cbor_dec_init(&d, buf, e.len);
	cbor_read(&d, &it);
	for (int i = 0; i < 200; i++) {
		const uint8_t *k = d.p;
		cbor_skip(&d);
		size_t kn = (size_t)(d.p - k);
		if (i && (memcmp(prev, k, kn < prevn ? kn : prevn) > 0 ||
			  (!memcmp(prev, k, kn < prevn ? kn : prevn) && prevn >= kn)))
			ordered = 0;
		memcpy(prev, k, kn);
		prevn = kn;
		cbor_skip(&d);
	}
	ok(ordered && d.p == buf + e.len, "and come out strictly ascending");
}

static void test_read_string(void)
{
	uint8_t in[BUF_MAX];
	size_t n = unhex("7f657374726561646d696e67ff01", in, sizeof in);
	struct cbor_dec d;
	struct cbor_item it;
	char buf[16];

	cbor_dec_init(&d, in, n);
	cbor_read(&d, &it);
	is_int(cbor_read_string(&d, &it, buf, sizeof buf), 9, "an indefinite text string reads as its chunks joined");
	is_str(buf, "streaming", "its content");
	ok(d.p == in + n - 1, "the decoder is past the break");

	cbor_dec_init(&d, in, n);
	cbor_read(&d, &it);
	errno = 0;
	ok(cbor_read_string(&d, &it, buf, 9) == -1 && errno == ENAMETOOLONG, "9 bytes do not fit in 9 (NUL)");
	ok(d.p == in + n - 1, "the decoder still moves past the whole string");

	n = unhex("5f42010243030405ff", in, sizeof in);
	cbor_dec_init(&d, in, n);
	cbor_read(&d, &it);
	ok(cbor_read_string(&d, &it, buf, sizeof buf) == 5 && !memcmp(buf, "\1\2\3\4\5", 6),
	   "an indefinite byte string reads whole");

	n = unhex("5fff", in, sizeof in);
	cbor_dec_init(&d, in, n);
	cbor_read(&d, &it);
	ok(cbor_read_string(&d, &it, buf, sizeof buf) == 0 && !buf[0], "an indefinite string with no chunks is empty");

	n = unhex("6449455446", in, sizeof in);
	cbor_dec_init(&d, in, n);
	cbor_read(&d, &it);
	ok(cbor_read_string(&d, &it, buf, sizeof buf) == 4 && !strcmp(buf, "IETF"), "a definite string reads");
	ok(cbor_read_string(&d, &it, buf, 4) == -1 && errno == ENAMETOOLONG, "and does not fit in 4");
	ok(cbor_read_string(&d, &it, buf, 0) == -1 && errno == ENAMETOOLONG, "nor in 0");

	n = unhex("7f6161416261ff", in, sizeof in);
	cbor_dec_init(&d, in, n);
	cbor_read(&d, &it);
	ok(cbor_read_string(&d, &it, buf, sizeof buf) == -1 && errno == EBADMSG, "a chunk of the other type is EBADMSG");
	n = unhex("7f6161", in, sizeof in);
	cbor_dec_init(&d, in, n);
	cbor_read(&d, &it);
	ok(cbor_read_string(&d, &it, buf, sizeof buf) == -1 && errno == EBADMSG, "a missing break is EBADMSG");
	n = unhex("01", in, sizeof in);
	cbor_dec_init(&d, in, n);
	cbor_read(&d, &it);
	ok(cbor_read_string(&d, &it, buf, sizeof buf) == -1 && errno == EBADMSG, "an integer is not a string");
}

/* Every proper prefix of a valid item is rejected, read from a buffer of
 * exactly its size (ASan catches a read past it). */
static int prefixes_rejected(const uint8_t *in, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		uint8_t *p = malloc(k ? k : 1);
		const char *why = NULL;
		size_t used = SIZE_MAX;
		struct cbor_dec d;
		int bad;

		memcpy(p, in, k);
		bad = !cbor_check(p, k, NULL, &used, &why) || used > k || strcmp(why, "truncated");
		cbor_dec_init(&d, p, k);
		bad |= !cbor_skip(&d) || d.p != p;
		free(p);
		if (bad)
			return 0;
	}
	return 1;
}

static void test_truncation(void)
{
	static const char *const more[] = {
		"a3616101616282f93c00fb3ff199999999999a6163d9d9f7bf61645f4101ff7f6161ff9f80a0ffff",
		"c349010000000000000000",
		"d82076687474703a2f2f7777772e6578616d706c652e636f6d",
	};
	uint8_t in[BUF_MAX];
	size_t n;

	for (size_t i = 0; i < sizeof appendix_a / sizeof *appendix_a; i++) {
		n = unhex(appendix_a[i].hex, in, sizeof in);
		ok(prefixes_rejected(in, n), "every prefix of %s is rejected as truncated", appendix_a[i].diag);
	}
	for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
		n = unhex(more[i], in, sizeof in);
		ok(prefixes_rejected(in, n), "every prefix of 0x%.16s... is rejected as truncated", more[i]);
	}
}

/* Random bytes through every entry point: never a crash or an endless
 * loop; whatever cbor_check passes, the walkers agree on. */
static void test_unchecked(void)
{
	static const uint8_t likely[] = { 0x00, 0x18, 0x1b, 0x20, 0x40, 0x5f, 0x61, 0x7f, 0x82, 0x9f,
					   0xa1, 0xbf, 0xc2, 0xd8, 0xf5, 0xf8, 0xf9, 0xfb, 0xff, 0x01 };
	uint32_t seed = 0x7e7e7;
	int agree = 1, passed = 0;

	for (int round = 0; round < 20000; round++) {
		size_t n = next_rand(&seed) % 24, used = 0;
		uint8_t *p = malloc(n ? n : 1);
		struct cbor_dec d;
		struct cbor_item it;
		for (size_t i = 0; i < n; i++)
			p[i] = next_rand(&seed) % 2 ? likely[next_rand(&seed) % sizeof likely] : (uint8_t)next_rand(&seed);
		cbor_dec_init(&d, p, n);
		for (size_t i = 0; i <= n && !cbor_read(&d, &it); i++)
			;
		cbor_dec_init(&d, p, n);
		int skipped = !cbor_skip(&d);
		int checked = !cbor_check(p, n, NULL, &used, NULL);
		if (checked) {
			passed++;
			if (!skipped || d.p != p + used)
				agree = 0;
		}
		free(p);
	}
	ok(agree, "on random input, what cbor_check passes cbor_skip takes whole (%d passed)", passed);
}

/* For tests/integ/cbor_interop.sh: items for cbor2 to read, in the order
 * its expectations list them. */
static size_t interop_items(uint8_t *buf, size_t cap)
{
	static const uint64_t u[] = { 0, 23, 24, 255, 256, 65535, 65536, 4294967295u, 4294967296u, UINT64_MAX };
	static const int64_t s[] = { -1, -24, -25, -256, -257, -65536, -65537, -4294967296, -4294967297, INT64_MIN };
	static const double f[] = { 0.0, -0.0, 1.5, 65504.0, 100000.0, 1.1, 5.960464477539063e-8, 1e300,
				    -4.1, INFINITY, -INFINITY };
	struct cbor_enc e;
	size_t m;

	cbor_enc_init(&e, buf, cap);
	for (size_t i = 0; i < sizeof u / sizeof *u; i++)
		cbor_put_uint(&e, u[i]);
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		cbor_put_int(&e, s[i]);
	cbor_put_bytes(&e, "", 0);
	cbor_put_bytes(&e, "\x00\x01\xff", 3);
	cbor_put_str(&e, "");
	cbor_put_str(&e, "h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac\xf0\x90\x85\x91");
	for (size_t i = 0; i < sizeof f / sizeof *f; i++)
		cbor_put_float(&e, f[i]);
	cbor_put_float(&e, NAN);
	cbor_put_bool(&e, 1);
	cbor_put_bool(&e, 0);
	cbor_put_null(&e);
	cbor_put_simple(&e, CBOR_UNDEFINED);
	cbor_put_simple(&e, 32);
	cbor_put_tag(&e, 4000);
	cbor_put_str(&e, "x");
	cbor_put_tag(&e, 2);
	cbor_put_bytes(&e, "\x01\0\0\0\0\0\0\0\0", 9);
	m = e.len;
	cbor_put_map(&e, 3);
	cbor_put_str(&e, "b");
	cbor_put_uint(&e, 1);
	cbor_put_str(&e, "a");
	cbor_put_array(&e, 2);
	cbor_put_uint(&e, 1);
	cbor_put_map(&e, 1);
	cbor_put_str(&e, "c");
	cbor_put_null(&e);
	cbor_put_uint(&e, 10);
	cbor_put_bytes(&e, "\0", 1);
	cbor_map_sort(&e, m);
	for (int i = 0; i < 10; i++)
		cbor_put_array(&e, 1);
	cbor_put_str(&e, "deep");
	m = e.len;
	cbor_put_map(&e, 100);
	for (int i = 0; i < 100; i++) {
		cbor_put_int(&e, 50 - i);
		cbor_put_int(&e, i);
	}
	cbor_map_sort(&e, m);
	return e.overflow ? 0 : e.len;
}

static void write_interop(void)
{
	const char *path = getenv("CBOR_INTEROP_OUT");
	uint8_t buf[BUF_MAX];
	size_t n = interop_items(buf, sizeof buf);
	FILE *f;

	ok(n > 0, "the interop sample encodes (%zu bytes)", n);
	if (!path)
		return;
	f = fopen(path, "wb");
	ok(f && fwrite(buf, 1, n, f) == n && !fclose(f), "interop sample written to %s", path);
}

int main(void)
{
	test_appendix_a();
	test_values();
	test_not_well_formed();
	test_utf8();
	test_limits();
	test_encode_ints();
	test_encode_floats();
	test_encode_other();
	test_map_sort();
	test_read_string();
	test_truncation();
	test_unchecked();
	write_interop();
	return tap_done();
}
