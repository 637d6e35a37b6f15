/*
 * libFuzzer harness for src/cbor.c and src/cbor_diag.c (tests/fuzz/fuzz.sh
 * builds and runs it). On any input: the unchecked walkers stay in bounds
 * and stop. On what cbor_check passes: cbor_skip agrees on its length,
 * both printers succeed (JSON may refuse a map key), and re-encoding it
 * item by item gives a well-formed item, no longer, that prints the same
 * and re-encodes to itself.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "cbor_diag.h"

#define OUT_MAX 65536
#define STRING_MAX 256

#define must(c) do { if (!(c)) __builtin_trap(); } while (0)

static const struct cbor_limits unlimited = { CBOR_MAX_DEPTH, SIZE_MAX, SIZE_MAX };

static void read_all(const uint8_t *p, size_t n)
{
	struct cbor_dec d;
	struct cbor_item it;
	char s[STRING_MAX];

	cbor_dec_init(&d, p, n);
	while (!cbor_read(&d, &it)) {
		must(d.p <= d.end);
		if (it.type == CBOR_BYTES || it.type == CBOR_TEXT)
			cbor_read_string(&d, &it, s, sizeof s);
		cbor_at_break(&d);
	}
	cbor_dec_init(&d, p, n);
	while (d.p < d.end && !cbor_skip(&d))
		;
	must(d.p <= d.end);
}

/* Diagnostic text into out (cut at OUT_MAX); its whole length, or -1.
 * Unchecked input may hold more than one item. */
static long print(const uint8_t *p, size_t n, int flags, char *out, int checked)
{
	struct cbor_diag_out o = { out, OUT_MAX, 0, -1, 0 };
	struct cbor_dec d;

	cbor_dec_init(&d, p, n);
	if (cbor_diag(&d, flags, &o))
		return -1;
	must(!checked || d.p == p + n);
	return (long)o.len;
}

static int reencode(struct cbor_dec *d, struct cbor_enc *e);

static int reencode_chunks(struct cbor_dec *d, struct cbor_enc *e, const struct cbor_item *it)
{
	struct cbor_item c;

	cbor_put_raw(e, it->type == CBOR_BYTES ? "\x5f" : "\x7f", 1);
	while (!cbor_at_break(d)) {
		if (cbor_read(d, &c))
			return -1;
		if (c.type == CBOR_BYTES)
			cbor_put_bytes(e, c.p, c.n);
		else
			cbor_put_text(e, (const char *)c.p, c.n);
	}
	cbor_put_raw(e, "\xff", 1);
	return 0;
}

static int reencode_container(struct cbor_dec *d, struct cbor_enc *e, const struct cbor_item *it)
{
	int map = it->type == CBOR_MAP;

	if (it->indef) {
		cbor_put_raw(e, map ? "\xbf" : "\x9f", 1);
		while (!cbor_at_break(d))
			if (reencode(d, e) || (map && reencode(d, e)))
				return -1;
		cbor_put_raw(e, "\xff", 1);
		return 0;
	}
	if (map)
		cbor_put_map(e, it->u);
	else
		cbor_put_array(e, it->u);
	for (uint64_t i = 0; i < it->u; i++)
		if (reencode(d, e) || (map && reencode(d, e)))
			return -1;
	return 0;
}

static void put_negint(struct cbor_enc *e, uint64_t n)
{
	uint8_t h[9] = { 0x3b };

	if (n <= INT64_MAX) {
		cbor_put_int(e, -1 - (int64_t)n);
		return;
	}
	for (int i = 0; i < 8; i++)
		h[1 + i] = (uint8_t)(n >> (56 - 8 * i));
	cbor_put_raw(e, h, sizeof h);
}

static int reencode(struct cbor_dec *d, struct cbor_enc *e)
{
	struct cbor_item it;

	if (cbor_read(d, &it))
		return -1;
	switch (it.type) {
	case CBOR_UINT: cbor_put_uint(e, it.u); return 0;
	case CBOR_NEGINT: put_negint(e, it.u); return 0;
	case CBOR_BYTES: case CBOR_TEXT:
		if (it.indef)
			return reencode_chunks(d, e, &it);
		if (it.type == CBOR_BYTES)
			cbor_put_bytes(e, it.p, it.n);
		else
			cbor_put_text(e, (const char *)it.p, it.n);
		return 0;
	case CBOR_ARRAY: case CBOR_MAP:
		return reencode_container(d, e, &it);
	case CBOR_TAG:
		cbor_put_tag(e, it.u);
		return reencode(d, e);
	case CBOR_SIMPLE: cbor_put_simple(e, (uint8_t)it.u); return 0;
	case CBOR_FLOAT: cbor_put_float(e, it.f); return 0;
	default: return -1;
	}
}

static void check_sort(const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n);
	struct cbor_enc e = { copy, n, n, 0 };
	size_t used;

	memcpy(copy, p, n);
	if (!cbor_map_sort(&e, 0)) {
		must(!cbor_check(copy, n, &unlimited, &used, NULL) && used == n);
		must(!cbor_map_sort(&e, 0));
	}
	free(copy);
}

static void check_reencode(const uint8_t *p, size_t n, const char *want, long want_len)
{
	uint8_t *re = malloc(n), *again = malloc(n);
	char *out = malloc(OUT_MAX);
	struct cbor_enc e, e2;
	struct cbor_dec d;
	size_t used;

	cbor_enc_init(&e, re, n);
	cbor_dec_init(&d, p, n);
	must(!reencode(&d, &e) && !e.overflow && d.p == p + n);
	must(!cbor_check(re, e.len, &unlimited, &used, NULL) && used == e.len);
	must(print(re, e.len, 0, out, 1) == want_len && !strcmp(out, want));
	cbor_enc_init(&e2, again, n);
	cbor_dec_init(&d, re, e.len);
	must(!reencode(&d, &e2) && e2.len == e.len && !memcmp(re, again, e.len));
	if (re[0] >= 0xa0 && re[0] <= 0xbb)
		check_sort(re, e.len);
	free(re);
	free(again);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = malloc(OUT_MAX);
	size_t used = SIZE_MAX, all = SIZE_MAX;
	const char *why = NULL;
	long len;

	read_all(data, size);
	print(data, size, 0, out, 0);
	print(data, size, CBOR_DIAG_JSON, out, 0);

	if (cbor_check(data, size, &unlimited, &all, &why)) {
		must(all <= size && why);
		must(cbor_check(data, size, NULL, &used, NULL) == -1);
		free(out);
		return 0;
	}
	must(all > 0 && all <= size);
	if (cbor_check(data, size, NULL, &used, NULL))
		must(errno == E2BIG);
	else
		must(used == all);

	struct cbor_dec d;
	cbor_dec_init(&d, data, size);
	must(!cbor_skip(&d) && d.p == data + all);

	len = print(data, all, CBOR_DIAG_JSON, out, 1);
	must(len >= 0 || errno == EDOM);
	len = print(data, all, 0, out, 1);
	must(len > 0);
	check_reencode(data, all, out, len);
	free(out);
	return 0;
}
