#include <stdlib.h>
#include <string.h>

#include "ctx.h"

#define PROC_ROOT_DEFAULT "/proc"

void ctx_init(struct tether_ctx *ctx)
{
	const char *v;

	memset(ctx, 0, sizeof *ctx);
	v = getenv("TETHER_STATE_DIR");
	ctx->state_dir = v && *v ? v : CONFIG_STATE_DIR;
	v = getenv("TETHER_PROC");
	ctx->proc_root = v && *v ? v : PROC_ROOT_DEFAULT;
}
