#ifndef TETHER_CBOR_DIAG_H
#define TETHER_CBOR_DIAG_H

#include <stddef.h>

#include "cbor.h"

/*
 * One CBOR item as RFC 8949 section 8 diagnostic notation, or as JSON.
 *
 * Diagnostic notation: h'..' for bytes, _ for indefinite lengths ([_ 1],
 * (_ "a", "b"), ''_ and ""_ for no chunks), floats in the shortest
 * decimal that reads back to the same value (1.0, 1.0e+300, as in
 * Appendix A), NaN, Infinity, simple(n), undefined, tags as 55799(...),
 * bignums (tags 2 and 3 on at most CBOR_DIAG_BIGNUM_MAX bytes) as decimal
 * numbers as Appendix A shows them. Text is a JSON string literal that is
 * plain ASCII: everything else as \uXXXX (surrogate pairs past U+FFFF).
 *
 * JSON (RFC 8949 6.1): bytes as unpadded base64url strings, tag numbers
 * dropped (bignums as decimal numbers), NaN, Infinity, undefined and
 * other simple values as null. Map keys that are not text become strings:
 * numbers, true, false and null as their JSON text ("1", "true"), bytes
 * in base64url; an array, map or tag as a key is an error (EDOM).
 */

#define CBOR_DIAG_JSON 1
#define CBOR_DIAG_BIGNUM_MAX 64

/* Where the text goes. fd >= 0: buf stages it and is written to fd when
 * full (and by cbor_diag_flush). fd < 0: buf keeps what fits, always
 * NUL-terminated, and len counts the whole text, as with snprintf. */
struct cbor_diag_out {
	char *buf;
	size_t cap;
	size_t len;
	int fd;
	int err;        /* errno of a failed write; nothing is written after */
};

/* Print the item at d->p (checked by cbor_check() first; malformed input
 * fails cleanly, but only what was printed before it is printed). Returns
 * 0, or -1 with errno: EBADMSG malformed, E2BIG nested past
 * CBOR_MAX_DEPTH, EDOM JSON cannot have it (d->p is left on the item),
 * or a write error. */
int cbor_diag(struct cbor_dec *d, int flags, struct cbor_diag_out *o);
void cbor_diag_write(struct cbor_diag_out *o, const char *p, size_t n);
/* 0, or -1 with errno of the first failed write. */
int cbor_diag_flush(struct cbor_diag_out *o);
/* A finite double as its shortest round-trip decimal, "1.0", "1.0e+300",
 * "0.00006103515625". Returns the length, as snprintf. */
size_t cbor_diag_double(char *buf, size_t cap, double v);

#endif
