/* RFC 8949 diagnostic notation and JSON: the printer (src/cbor_diag.c). */
#include <errno.h>
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

#define BUF_MAX 4096
#define DIAG_MAX 4096

/* Diagnostic notation (or JSON) of the one item in p, or "error: ..." */
static const char *diag(const uint8_t *p, size_t n, int flags, char *out, size_t cap)
{
	struct cbor_diag_out o = { out, cap, 0, -1, 0 };
	struct cbor_dec d;

	cbor_dec_init(&d, p, n);
	if (cbor_diag(&d, flags, &o))
		snprintf(out, cap, "error: %s", errno == EDOM ? "EDOM" : errno == EBADMSG ? "EBADMSG" :
			 errno == E2BIG ? "E2BIG" : strerror(errno));
	else if (d.p != p + n)
		snprintf(out, cap, "error: %zu bytes left", (size_t)(p + n - d.p));
	return out;
}

static const char *diag_hex(const char *hex, int flags, char *out, size_t cap)
{
	uint8_t in[BUF_MAX];
	size_t n = unhex(hex, in, sizeof in);
	const char *why;
	size_t used;

	if (cbor_check(in, n, NULL, &used, &why)) {
		snprintf(out, cap, "check: %s", why);
		return out;
	}
	return diag(in, n, flags, out, cap);
}

static void test_appendix_a(void)
{
	char out[DIAG_MAX], name[BUF_MAX];

	for (size_t i = 0; i < sizeof appendix_a / sizeof *appendix_a; i++) {
		snprintf(name, sizeof name, "A: 0x%s prints as %s", appendix_a[i].hex, appendix_a[i].diag);
		is_str(diag_hex(appendix_a[i].hex, 0, out, sizeof out), appendix_a[i].diag, name);
	}
}

static void test_json(void)
{
	static const struct { const char *hex, *json; } cases[] = {
		{ "4401020304", "\"AQIDBA\"" },
		{ "43fbff00", "\"-_8A\"" },
		{ "5f42010243030405ff", "\"AQIDBAU\"" },
		{ "5fff", "\"\"" },
		{ "7f657374726561646d696e67ff", "\"streaming\"" },
		{ "a201020304", "{\"1\": 2, \"3\": 4}" },
		{ "a2f5f4f6f7", "{\"true\": false, \"null\": null}" },
		{ "a1f93e0001", "{\"1.5\": 1}" },
		{ "a1420102f5", "{\"AQI\": true}" },
		{ "bf61610161629f0203ffff", "{\"a\": 1, \"b\": [2, 3]}" },
		{ "9fff", "[]" },
		{ "83f97e00f97c00f9fc00", "[null, null, null]" },
		{ "82f7f0", "[null, null]" },
		{ "c074323031332d30332d32315432303a30343a30305a", "\"2013-03-21T20:04:00Z\"" },
		{ "c249010000000000000000", "18446744073709551616" },
		{ "c349010000000000000000", "-18446744073709551617" },
		{ "3bffffffffffffffff", "-18446744073709551616" },
		{ "fb7e37e43c8800759c", "1.0e+300" },
		{ "f98000", "-0.0" },
		{ "6a01091f7f225c2f0a0d08", "\"\\u0001\\t\\u001f\\u007f\\\"\\\\/\\n\\r\\b\"" },
	};
	char out[DIAG_MAX];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char name[BUF_MAX];
		snprintf(name, sizeof name, "JSON of 0x%s", cases[i].hex);
		is_str(diag_hex(cases[i].hex, CBOR_DIAG_JSON, out, sizeof out), cases[i].json, name);
	}
	is_str(diag_hex("a1810102", CBOR_DIAG_JSON, out, sizeof out), "error: EDOM",
	       "JSON refuses an array as a map key (EDOM)");
	is_str(diag_hex("a1c10102", CBOR_DIAG_JSON, out, sizeof out), "error: EDOM",
	       "JSON refuses a tag as a map key (EDOM)");
}

static void test_diag_more(void)
{
	static const struct { const char *hex, *diag; } cases[] = {
		{ "5fff", "''_" },
		{ "7fff", "\"\"_" },
		{ "5f40ff", "(_ h'')" },
		{ "7f6060ff", "(_ \"\", \"\")" },
		{ "f820", "simple(32)" },
		{ "e0", "simple(0)" },
		{ "c24101", "1" },
		{ "c240", "0" },
		{ "c340", "-1" },
		{ "c3410f", "-16" },
		{ "c2c2410a", "2(10)" },
		{ "c260", "2(\"\")" },
		{ "c25f4101ff", "2((_ h'01'))" },
		{ "d9d9f783016161f6", "55799([1, \"a\", null])" },
		{ "db000000010000000001", "4294967296(1)" },
		{ "a1a0a0", "{{}: {}}" },
		{ "a280f401f5", "{[]: false, 1: true}" },
		{ "fb444b1ae4d6e2ef50", "1.0e+21" },
		{ "fb4415af1d78b58c40", "100000000000000000000.0" },
		{ "fb3e7ad7f29abcaf48", "1.0e-7" },
		{ "fb3eb0c6f7a0b5ed8d", "0.000001" },
		{ "fb405edd2f1a9fbe77", "123.456" },
		{ "f9b800", "-0.5" },
		{ "fb0000000000000001", "5.0e-324" },
		{ "fb7fefffffffffffff", "1.7976931348623157e+308" },
		{ "fa3f800001", "1.0000001192092896" },
		{ "fb7ff8000000000001", "NaN" },
		{ "63e282ac", "\"\\u20ac\"" },
		{ "64f48fbfbf", "\"\\udbff\\udfff\"" },
	};
	char out[DIAG_MAX];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char name[BUF_MAX];
		snprintf(name, sizeof name, "0x%s prints as %s", cases[i].hex, cases[i].diag);
		is_str(diag_hex(cases[i].hex, 0, out, sizeof out), cases[i].diag, name);
	}

	uint8_t one[3 + CBOR_DIAG_BIGNUM_MAX + 1] = { 0xc2, 0x58, CBOR_DIAG_BIGNUM_MAX + 1 };
	one[sizeof one - 1] = 7;
	ok(!strncmp(diag(one, sizeof one, 0, out, sizeof out), "2(h'0000", 8),
	   "a bignum longer than %d bytes prints as a tagged byte string", CBOR_DIAG_BIGNUM_MAX);

	uint8_t max[3 + CBOR_DIAG_BIGNUM_MAX] = { 0xc3, 0x58, CBOR_DIAG_BIGNUM_MAX };
	memset(max + 3, 0xff, CBOR_DIAG_BIGNUM_MAX);
	is_str(diag(max, sizeof max, 0, out, sizeof out),
	       "-13407807929942597099574024998205846127479365820592393377723561443721764030073546976801874"
	       "298166903427690031858186486050853753882811946569946433649006084096",
	       "a bignum of CBOR_DIAG_BIGNUM_MAX bytes prints in full: -2^512");

	char small[8];
	struct cbor_diag_out o = { small, sizeof small, 0, -1, 0 };
	struct cbor_dec d;
	uint8_t arr[] = { 0x83, 0x01, 0x02, 0x03 };
	cbor_dec_init(&d, arr, sizeof arr);
	ok(!cbor_diag(&d, 0, &o) && o.len == 9 && !strcmp(small, "[1, 2, "),
	   "a short buffer keeps what fits and counts the rest, as snprintf");
}

/* Printing a truncated item fails cleanly, from a buffer of exactly its
 * size (ASan catches a read past it). */
static int prefixes_fail(const uint8_t *in, size_t n, int flags)
{
	char out[DIAG_MAX];

	for (size_t k = 0; k < n; k++) {
		uint8_t *p = malloc(k ? k : 1);
		int bad;
		memcpy(p, in, k);
		bad = strcmp(diag(p, k, flags, out, sizeof out), "error: EBADMSG") != 0;
		free(p);
		if (bad)
			return 0;
	}
	return 1;
}

static void test_truncated(void)
{
	uint8_t in[BUF_MAX];
	int fine = 1;

	for (size_t i = 0; i < sizeof appendix_a / sizeof *appendix_a; i++) {
		size_t n = unhex(appendix_a[i].hex, in, sizeof in);
		fine &= prefixes_fail(in, n, 0) && prefixes_fail(in, n, CBOR_DIAG_JSON);
	}
	ok(fine, "every prefix of every Appendix A example fails to print with EBADMSG, both ways");
}

/* Random bytes: the printer never crashes; what cbor_check passes prints. */
static void test_random(void)
{
	static const uint8_t likely[] = { 0x00, 0x18, 0x1b, 0x20, 0x40, 0x5f, 0x61, 0x7f, 0x82, 0x9f,
					   0xa1, 0xbf, 0xc2, 0xd8, 0xf5, 0xf8, 0xf9, 0xfb, 0xff, 0x01 };
	uint32_t seed = 0x7e7e7;
	int fine = 1, passed = 0;
	char out[DIAG_MAX];

	for (int round = 0; round < 20000; round++) {
		size_t n = next_rand(&seed) % 24, used = 0;
		uint8_t *p = malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			p[i] = next_rand(&seed) % 2 ? likely[next_rand(&seed) % sizeof likely] : (uint8_t)next_rand(&seed);
		diag(p, n, 0, out, sizeof out);
		diag(p, n, CBOR_DIAG_JSON, out, sizeof out);
		if (!cbor_check(p, n, NULL, &used, NULL)) {
			passed++;
			fine &= strncmp(diag(p, used, 0, out, sizeof out), "error", 5) != 0;
			diag(p, used, CBOR_DIAG_JSON, out, sizeof out);
			fine &= strncmp(out, "error", 5) != 0 || !strcmp(out, "error: EDOM");
		}
		free(p);
	}
	ok(fine, "on random input, what cbor_check passes prints (%d passed)", passed);
}

int main(void)
{
	test_appendix_a();
	test_json();
	test_diag_more();
	test_truncated();
	test_random();
	return tap_done();
}
#endif
