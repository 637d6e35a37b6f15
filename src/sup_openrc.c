#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "sup.h"

#define SUPERVISE_DAEMON "supervise-daemon"
#define RC_SERVICE "rc-service"

/* OpenRC's supervise-daemon.sh runs `supervise-daemon SVCNAME --start ...`. */
static int detect(struct tether_ctx *ctx, const struct sup_probe *p, struct owner *o)
{
	if (!sup_parent_is(p, SUPERVISE_DAEMON))
		return 0;
	o->type = OWNER_OPENRC;
	if (sup_service_name_ok(p->pargv1))
		fmt(o->service, sizeof o->service, "%s", p->pargv1);
	else
		msg_trace(ctx, "openrc: %s %d has no service name as argv[1]", SUPERVISE_DAEMON, p->ppid);
	return 1;
}

static int act(struct tether_ctx *ctx, const struct owner *o, enum sup_action a)
{
	if (!sup_service_name_ok(o->service)) {
		msg_error(ctx, "openrc service %s: cannot %s it", o->service[0] ? "name invalid" : "unknown",
			  sup_verb(a));
		return EX_FAIL;
	}
	char *const argv[] = { RC_SERVICE, (char *)o->service, (char *)sup_verb(a), NULL };
	return sup_tool(ctx, argv);
}

const struct sup_backend sup_openrc = {
	.type = OWNER_OPENRC,
	.detect = detect,
	.act = act,
};
