#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "procfs.h"
#include "sup.h"

#define INVOCATION_ID_VAR "INVOCATION_ID"
#define INVOCATION_ID_LEN 32  /* a 128-bit id in hex */
#define SYSTEMCTL "systemctl"
#define MACHINE_MAX 24

static int invocation_id_ok(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return 0;
	return n == INVOCATION_ID_LEN;
}

/* Did systemd start this process tree? 1 yes, 0 no, -1 cannot tell. */
static int invocation_proof(struct tether_ctx *ctx, const struct sup_probe *p)
{
	char buf[INVOCATION_ID_LEN + 2];
	const char *id;

	if (p->self) {
		id = getenv(INVOCATION_ID_VAR);
	} else if (p->pid) {
		ssize_t n = procfs_environ(ctx, p->pid, INVOCATION_ID_VAR, buf, sizeof buf);
		if (n == -1)
			return -1;
		id = n < 0 ? NULL : buf;  /* cut if longer: then not valid */
	} else {
		if (!p->invocation_id)
			return -1;
		id = p->invocation_id;
	}
	return id && invocation_id_ok(id);
}

static int detect(struct tether_ctx *ctx, const struct sup_probe *p, struct owner *o)
{
	int proof;

	if (!p->cgroup || !cgroup_systemd_owner(p->cgroup, o))
		return 0;
	proof = invocation_proof(ctx, p);
	if (proof == 0) {
		msg_trace(ctx, "systemd: cgroup names %s but no valid %s: not started by systemd", o->unit,
			  INVOCATION_ID_VAR);
		return 0;
	}
	if (proof < 0)
		msg_trace(ctx, "systemd: %s from the cgroup only, environment unreadable: partial proof", o->unit);
	return 1;
}

static int act(struct tether_ctx *ctx, const struct owner *o, enum sup_action a)
{
	char machine[MACHINE_MAX];
	char *verb = (char *)sup_verb(a), *unit = (char *)o->unit;

	if (!unit[0]) {
		msg_error(ctx, "systemd unit unknown: cannot %s it", verb);
		return EX_FAIL;
	}
	if (o->uid < 0) {
		char *const argv[] = { SYSTEMCTL, verb, "--", unit, NULL };
		return sup_tool(ctx, argv);
	}
	fmt(machine, sizeof machine, "%d@", o->uid);
	char *const argv[] = { SYSTEMCTL, "--user", "-M", machine, verb, "--", unit, NULL };
	return sup_tool(ctx, argv);
}

const struct sup_backend sup_systemd = {
	.type = OWNER_SYSTEMD,
	.detect = detect,
	.act = act,
};
