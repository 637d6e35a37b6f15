#include <string.h>

#include "owner.h"

static const char *const type_names[OWNER_TYPE_COUNT] = {
	[OWNER_UNKNOWN] = "unknown",
	[OWNER_NONE] = "none",
	[OWNER_SYSTEMD] = "systemd",
	[OWNER_PROCD] = "procd",
	[OWNER_RUNIT] = "runit",
	[OWNER_S6] = "s6",
	[OWNER_DAEMONTOOLS] = "daemontools",
	[OWNER_OPENRC] = "openrc",
	[OWNER_TETHER] = "tether",
};

void owner_clear(struct owner *o)
{
	o->type = OWNER_UNKNOWN;
	o->uid = -1;
	o->unit[0] = o->service[0] = o->instance[0] = o->dir[0] = 0;
}

const char *owner_type_name(enum owner_type t)
{
	return (unsigned)t < OWNER_TYPE_COUNT ? type_names[t] : "unknown";
}

int owner_type_parse(const char *name)
{
	for (int t = 0; t < OWNER_TYPE_COUNT; t++)
		if (!strcmp(type_names[t], name))
			return t;
	return -1;
}

int owner_same(const struct owner *a, const struct owner *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case OWNER_SYSTEMD:
		return a->uid == b->uid && !strcmp(a->unit, b->unit);
	case OWNER_PROCD:
	case OWNER_OPENRC:
		return !strcmp(a->service, b->service);
	case OWNER_RUNIT:
	case OWNER_S6:
	case OWNER_DAEMONTOOLS:
		return !strcmp(a->dir, b->dir);
	case OWNER_TETHER:  /* restarts are per child */
		return !strcmp(a->dir, b->dir) && !strcmp(a->instance, b->instance);
	default:
		return 0;
	}
}
