#ifndef TETHER_OWNER_H
#define TETHER_OWNER_H

#include <limits.h>

/*
 * Who supervises a daemon. Stored in its record (CBOR map "owner") and
 * produced by detection (cgroup + parent process). Only the fields of the
 * owner's type are meaningful; the others are empty.
 */
enum owner_type {
	OWNER_UNKNOWN = 0,  /* not recorded (legacy record): resolve live */
	OWNER_NONE,         /* unsupervised: tether stops and spawns itself */
	OWNER_SYSTEMD,      /* unit, uid (-1: system manager) */
	OWNER_PROCD,        /* service, instance */
	OWNER_RUNIT,        /* dir: the service directory */
	OWNER_S6,           /* dir */
	OWNER_DAEMONTOOLS,  /* dir */
	OWNER_OPENRC,       /* service */
	OWNER_TETHER,       /* dir: `tether supervise` socket, instance: child */
	OWNER_TYPE_COUNT
};

#define OWNER_UNIT_MAX 256
#define OWNER_SERVICE_MAX 128

struct owner {
	enum owner_type type;
	char unit[OWNER_UNIT_MAX];
	int uid;
	char service[OWNER_SERVICE_MAX];
	char instance[OWNER_SERVICE_MAX];
	char dir[PATH_MAX];
};

void owner_clear(struct owner *o);  /* type UNKNOWN, uid -1, strings "" */
const char *owner_type_name(enum owner_type t);  /* "none", "systemd", ... */
int owner_type_parse(const char *name);          /* -1 if unknown */
/* Same supervised entity (so one restart serves both)? */
int owner_same(const struct owner *a, const struct owner *b);

#endif
