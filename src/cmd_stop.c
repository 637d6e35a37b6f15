#include "cmds.h"
#include "exitcodes.h"
#include "msg.h"

const char cmd_stop_usage[] = "usage: tether stop\n";

int cmd_stop(struct tether_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	msg_error(ctx, "not implemented yet");
	return EX_FAIL;
}
