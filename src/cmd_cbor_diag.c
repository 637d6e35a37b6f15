#include <errno.h>
#include <unistd.h>

#include "cbor.h"
#include "cbor_diag.h"
#include "cmds.h"
#include "exitcodes.h"
#include "mem.h"
#include "msg.h"
#include "opt.h"

#define INPUT_MAX (1024 * 1024)
#define OUT_CHUNK 4096

enum { OPT_MAX_DEPTH = OPT_FIRST_FREE };

const char cmd_cbor_diag_usage[] =
	"usage: tether cbor-diag [-j]\n"
	HELP("Print each CBOR item on stdin (at most 1 MiB; a state file is one\n"
	     "item) on a line of its own, in RFC 8949 diagnostic notation.\n"
	     "  -j, --json       JSON instead (RFC 8949 6.1): bytes as base64url,\n"
	     "                   tags dropped, NaN, Infinity and undefined as null\n"
	     "  --max-depth N    nesting allowed (default 16, at most 64)\n"
	     "Malformed input: \"byte OFFSET: REASON\" on stderr, exit 1.\n");

static const struct opt_long longs[] = {
	{ "json", OPT_FLAG, 'j' },
	{ "max-depth", OPT_VALUE, OPT_MAX_DEPTH },
	OPT_COMMON_LONG,
	{ 0 },
};

/* All of fd into buf; 1 if there is more than cap. */
static int read_all(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	*len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + *len, cap + 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			return 0;
		*len += (size_t)n;
		if (*len > cap)
			return 1;
	}
}

/* A dry run, so that no half-printed JSON reaches stdout. */
static int json_refuses(const uint8_t *p, size_t n, int flags, size_t *at)
{
	struct cbor_diag_out none = { NULL, 0, 0, -1, 0 };
	struct cbor_dec d;

	if (!(flags & CBOR_DIAG_JSON))
		return 0;
	cbor_dec_init(&d, p, n);
	if (!cbor_diag(&d, flags, &none))
		return 0;
	*at = (size_t)(d.p - p);
	return 1;
}

static int print_items(struct tether_ctx *ctx, const uint8_t *in, size_t len,
		       unsigned depth, int flags)
{
	struct cbor_limits lim = { depth, len, len };
	char buf[OUT_CHUNK];
	struct cbor_diag_out o = { buf, sizeof buf, 0, 1, 0 };
	struct cbor_dec d;
	const char *why;
	size_t off, used, at;

	for (off = 0; off < len; off += used) {
		if (cbor_check(in + off, len - off, &lim, &used, &why)) {
			cbor_diag_flush(&o);
			msg_error(ctx, "byte %llu: %s", (unsigned long long)(off + used), why);
			return EX_FAIL;
		}
		if (json_refuses(in + off, used, flags, &at)) {
			cbor_diag_flush(&o);
			msg_error(ctx, "byte %llu: a map key JSON cannot have (array, map or tag)",
				  (unsigned long long)(off + at));
			return EX_FAIL;
		}
		cbor_dec_init(&d, in + off, used);
		cbor_diag(&d, flags, &o);
		cbor_diag_write(&o, "\n", 1);
	}
	if (cbor_diag_flush(&o)) {
		msg_syserr(ctx, "write", "stdout");
		return EX_FAIL;
	}
	return EX_DONE;
}

/* 0, or the exit code of a usage error. */
static int parse(struct tether_ctx *ctx, int argc, char **argv, int *flags, long long *depth)
{
	const char *usage = cmd_cbor_diag_usage;
	struct opt_state st = OPT_STATE_INIT;
	int c;

	while ((c = opt_next(&st, argc, argv, "jvh", longs)) != OPT_END) {
		if (opt_common(ctx, &st, c, usage))
			continue;
		if (c == 'j')
			*flags |= CBOR_DIAG_JSON;
		else if (c == OPT_NEEDS_ARG && st.val == OPT_MAX_DEPTH)
			return opt_usage(ctx, usage, "--max-depth needs a number", NULL);
		else if (c != OPT_MAX_DEPTH)
			return opt_error(ctx, usage, &st, c);
		else if (opt_num(st.arg, 0, CBOR_MAX_DEPTH, depth))
			return opt_usage(ctx, usage, "--max-depth wants 0 to 64", st.arg);
	}
	if (st.ind < argc)
		return opt_usage(ctx, usage, "unexpected argument", argv[st.ind]);
	return 0;
}

int cmd_cbor_diag(struct tether_ctx *ctx, int argc, char **argv)
{
	long long depth = cbor_default_limits.max_depth;
	int flags = 0, r, rc = EX_FAIL;
	uint8_t *in;
	size_t len;

	r = parse(ctx, argc, argv, &flags, &depth);
	if (r)
		return r;
	in = mem_alloc(INPUT_MAX + 1);
	if (!in) {
		msg_syserr(ctx, "mmap", NULL);
		return EX_FAIL;
	}
	r = read_all(0, in, INPUT_MAX, &len);
	if (r < 0)
		msg_syserr(ctx, "read", "stdin");
	else if (r > 0)
		msg_error(ctx, "input larger than %d bytes", INPUT_MAX);
	else if (!len)
		msg_error(ctx, "no input: expected CBOR on stdin");
	else
		rc = print_items(ctx, in, len, (unsigned)depth, flags);
	mem_free(in);
	return rc;
}
