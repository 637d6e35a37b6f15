#ifndef TETHER_CMDS_H
#define TETHER_CMDS_H

#include "ctx.h"

/* Every command: int cmd_NAME(ctx, argc, argv) with argv[0] the command
 * name, and its usage text cmd_NAME_usage (first line: synopsis). */
#define CMD(name) \
	int cmd_##name(struct tether_ctx *ctx, int argc, char **argv); \
	extern const char cmd_##name##_usage[];

CMD(exec)
CMD(start)
CMD(status)
CMD(stop)
CMD(list)
CMD(restart)
CMD(marker)
CMD(detect)
CMD(cbor_diag)
CMD(supervise)
CMD(up)
CMD(update)

#undef CMD

#endif
