#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "opt.h"

static int takes_value(struct opt_state *st, int argc, char **argv, int val)
{
	st->val = val;
	if (st->ind >= argc)
		return OPT_NEEDS_ARG;
	st->arg = argv[st->ind++];
	return val;
}

static int short_opt(struct opt_state *st, int argc, char **argv, const char *shorts)
{
	char ch = *st->group++;
	const char *p = ch == ':' ? NULL : strchr(shorts, ch);

	st->shortopt[0] = '-';
	st->shortopt[1] = ch;
	st->opt = st->shortopt;
	if (!p)
		return OPT_UNKNOWN;
	st->val = (unsigned char)ch;
	if (p[1] != ':')
		return st->val;
	if (*st->group) {
		st->arg = st->group;
		st->group = NULL;
		return st->val;
	}
	return takes_value(st, argc, argv, st->val);
}

static int long_opt(struct opt_state *st, int argc, char **argv, char *name,
		    const struct opt_long *longs)
{
	size_t n = strcspn(name, "=");
	const struct opt_long *o = longs;

	while (o->name && (strncmp(o->name, name, n) || o->name[n]))
		o++;
	if (!o->name)
		return OPT_UNKNOWN;
	st->val = o->val;
	if (name[n] == '=' && o->has_arg == OPT_FLAG)
		return OPT_TAKES_NONE;
	if (name[n] == '=')
		st->arg = name + n + 1;
	else if (o->has_arg == OPT_VALUE)
		return takes_value(st, argc, argv, o->val);
	return o->val;
}

/* argv[st->ind] is an operand: the end of the options, or one to return. */
static int operand(struct opt_state *st, char **argv, int in_order)
{
	if (!in_order)
		return OPT_END;
	st->arg = argv[st->ind++];
	return OPT_OPERAND;
}

int opt_next(struct opt_state *st, int argc, char **argv, const char *shorts,
	     const struct opt_long *longs)
{
	int in_order = *shorts == '-';
	char *a;

	st->arg = NULL;
	st->val = 0;
	if (st->group && *st->group)
		return short_opt(st, argc, argv, shorts + in_order);
	if (st->ind >= argc)
		return OPT_END;
	a = argv[st->ind];
	if (st->ended || a[0] != '-' || !a[1])
		return operand(st, argv, in_order);
	st->ind++;
	if (a[1] != '-') {
		st->group = a + 1;
		return short_opt(st, argc, argv, shorts + in_order);
	}
	st->opt = a;
	if (a[2])
		return long_opt(st, argc, argv, a + 2, longs);
	st->ended = 1;
	return in_order ? opt_next(st, argc, argv, shorts, longs) : OPT_END;
}

int opt_common(struct tether_ctx *ctx, const struct opt_state *st, int c, const char *usage)
{
	switch (c) {
	case OPT_STATE_DIR:
		ctx->state_dir = st->arg;
		return 1;
	case OPT_PROC_ROOT:
		ctx->proc_root = st->arg;
		return 1;
	case 'v':
		ctx->verbose++;
		return 1;
	case 'h':
		exit(say(1, "%s", usage) < 0 ? EX_FAIL : EX_DONE);
	}
	return 0;
}

int opt_usage(struct tether_ctx *ctx, const char *usage, const char *why, const char *arg)
{
	size_t n = strcspn(usage, "\n");

	if (arg)
		msg_error(ctx, "%s: %s", why, arg);
	else
		msg_error(ctx, "%s", why);
	say(2, "%.*s\n", (int)n, usage);
	return EX_USAGE;
}

const char *opt_why(int c)
{
	return c == OPT_NEEDS_ARG ? "option needs an argument"
	       : c == OPT_TAKES_NONE ? "option takes no argument" : "unknown option";
}

int opt_error(struct tether_ctx *ctx, const char *usage, const struct opt_state *st, int c)
{
	return opt_usage(ctx, usage, opt_why(c), st->opt);
}

int opt_bad_value(struct tether_ctx *ctx, const char *usage, const struct opt_state *st)
{
	char why[64];

	fmt(why, sizeof why, "bad value for %.*s", (int)strcspn(st->opt, "="), st->opt);
	return opt_usage(ctx, usage, why, st->arg);
}

int opt_num(const char *s, long long min, long long max, long long *out)
{
	unsigned long long v;
	const char *end;

	if (!s || max < 0)
		return -1;
	end = opt_unum(s, (unsigned long long)max, &v);
	if (!end || *end || (long long)v < min)
		return -1;
	*out = (long long)v;
	return 0;
}

/* v * 10 + d <= max, checked by multiplying: the usual v > (max - d) / 10
 * is a 64-bit division, a libgcc call on 32-bit targets. */
static int fits_next_digit(unsigned long long v, unsigned d, unsigned long long max)
{
	return d <= max && v <= ULLONG_MAX / 10 && v * 10 <= max - d;
}

const char *opt_unum(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (!fits_next_digit(v, d, max))
			return NULL;
		v = v * 10 + d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}
