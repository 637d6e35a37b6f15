#include "cmds.h"
#include "exitcodes.h"
#include "msg.h"

const char cmd_start_usage[] = "usage: tether start\n";

int cmd_start(struct tether_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	msg_error(ctx, "not implemented yet");
	return EX_FAIL;
}
