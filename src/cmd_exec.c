#include "cmds.h"
#include "exitcodes.h"
#include "msg.h"

const char cmd_exec_usage[] = "usage: tether exec\n";

int cmd_exec(struct tether_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	msg_error(ctx, "not implemented yet");
	return EX_FAIL;
}
