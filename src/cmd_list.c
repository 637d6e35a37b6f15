#include "cmds.h"
#include "exitcodes.h"
#include "msg.h"

const char cmd_list_usage[] = "usage: tether list\n";

int cmd_list(struct tether_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	msg_error(ctx, "not implemented yet");
	return EX_FAIL;
}
