#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "opt.h"

int opt_common(struct tether_ctx *ctx, int c, const char *usage)
{
	switch (c) {
	case OPT_STATE_DIR:
		ctx->state_dir = optarg;
		return 1;
	case OPT_PROC_ROOT:
		ctx->proc_root = optarg;
		return 1;
	case 'v':
		ctx->verbose++;
		return 1;
	case 'h':
		say(1, "%s", usage);
		exit(EX_DONE);
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

int opt_num(const char *s, long long min, long long max, long long *out)
{
	long long v = 0;

	if (!s || !*s)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > (max - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}
