#include <limits.h>
#include <stdlib.h>

#include "cgroup.h"
#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "sup.h"

#define INITD_ENV "TETHER_INITD_DIR"
#define INITD_DEFAULT "/etc/init.d"
#define PROCD_NAME "procd"
#define INIT_PID 1

static int detect(struct tether_ctx *ctx, const struct sup_probe *p, struct owner *o)
{
	if (p->cgroup && cgroup_procd_owner(p->cgroup, o))
		return 1;
	if (p->ppid != INIT_PID || !sup_parent_is(p, PROCD_NAME))
		return 0;
	o->type = OWNER_PROCD;
	msg_trace(ctx, "procd: parent is pid 1 (procd) but no /services cgroup: service unknown");
	return 1;
}

/* procd restarts a service's instances only through its init script; it
 * has no per-instance restart, and signalling an instance would fight it. */
static int act(struct tether_ctx *ctx, const struct owner *o, enum sup_action a)
{
	char script[PATH_MAX];
	const char *dir = getenv(INITD_ENV);

	if (!dir || !*dir)
		dir = INITD_DEFAULT;
	if (!sup_service_name_ok(o->service)) {
		msg_error(ctx, "procd service %s: cannot %s it through its init script",
			  o->service[0] ? "name invalid" : "unknown", sup_verb(a));
		return EX_FAIL;
	}
	if (fmt(script, sizeof script, "%s/%s", dir, o->service) >= sizeof script) {
		msg_error(ctx, "init script path too long: %s/%s", dir, o->service);
		return EX_FAIL;
	}
	char *const argv[] = { script, (char *)sup_verb(a), NULL };
	return sup_tool(ctx, argv);
}

const struct sup_backend sup_procd = {
	.type = OWNER_PROCD,
	.detect = detect,
	.act = act,
};
