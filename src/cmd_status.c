#include "cmds.h"
#include "exitcodes.h"
#include "msg.h"

const char cmd_status_usage[] = "usage: tether status\n";

int cmd_status(struct tether_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	msg_error(ctx, "not implemented yet");
	return EX_FAIL;
}
