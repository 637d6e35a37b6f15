#ifndef TETHER_CGROUP_H
#define TETHER_CGROUP_H

#include <stddef.h>

#include "owner.h"

/*
 * /proc/<pid>/cgroup, read as text: which cgroup a process sits in, and
 * which service manager that path names as its owner. Pure functions: no
 * I/O, bounded, any input (garbage, NUL bytes, huge lines) is safe.
 */

#define CGROUP_FILE_MAX 16384  /* bytes of a cgroup file considered */
#define CGROUP_PATH_MAX 4096   /* longer paths are skipped, never cut */

/*
 * The path a service manager placed the process in: the cgroup v2 line
 * "0::PATH" unless PATH is just "/", else the v1 "ID:...name=systemd...:PATH"
 * line, else that "/". Lines that do not parse, carry NUL bytes, end in
 * " (deleted)" or do not fit in cap are skipped. 0, or -1 ENOENT.
 */
int cgroup_pick_path(const char *text, size_t len, char *path, size_t cap);

/*
 * systemd: the service unit owning PATH. A unit sits directly under a
 * slice (or the root, or a user manager user@UID.service); anything below
 * the unit belongs to it; a nested tree (a container's payload) yields its
 * innermost unit. Returns 1 and fills o (OWNER_SYSTEMD, unit, uid: -1 for
 * the system manager) for a *.service; 0 for scopes, slices, the user
 * manager itself, invalid names and everything else (o untouched).
 */
int cgroup_systemd_owner(const char *path, struct owner *o);

/* procd (cgroup2): "/services/SERVICE[/INSTANCE[/...]]". Returns 1 and
 * fills o (OWNER_PROCD, service, instance), else 0 (o untouched). */
int cgroup_procd_owner(const char *path, struct owner *o);

#endif
