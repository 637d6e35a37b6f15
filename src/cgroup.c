#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cgroup.h"

#define V2_HIERARCHY_ID "0"
#define SYSTEMD_V1_NAME "name=systemd"
#define DELETED_SUFFIX " (deleted)"
#define SLICE_SUFFIX ".slice"
#define SERVICE_SUFFIX ".service"
#define USER_MANAGER_PREFIX "user@"
#define UNIT_NAME_EXTRA ":-_.\\@"  /* besides ASCII letters and digits */
#define PROCD_ROOT "services"

struct span {
	const char *p;
	size_t n;
};

static int span_eq(struct span s, const char *lit)
{
	return s.p && s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

static int span_starts(struct span s, const char *lit)
{
	size_t k = strlen(lit);
	return s.n >= k && !memcmp(s.p, lit, k);
}

static int span_ends(struct span s, const char *lit)
{
	size_t k = strlen(lit);
	return s.n >= k && !memcmp(s.p + s.n - k, lit, k);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A comma-separated controller list naming `name`. */
static int has_controller(struct span ctl, const char *name)
{
	const char *p = ctl.p, *end = ctl.p + ctl.n;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		struct span item = { p, (size_t)((comma ? comma : end) - p) };
		if (span_eq(item, name))
			return 1;
		p = comma ? comma + 1 : end;
	}
	return 0;
}

/* "ID:CONTROLLERS:PATH". The path may itself hold ':'. 0 or -1. */
static int parse_line(struct span line, struct span *id, struct span *ctl, struct span *path)
{
	const char *end = line.p + line.n, *c1, *c2;

	if (line.n && end[-1] == '\r')
		end--;
	if (memchr(line.p, 0, (size_t)(end - line.p)))
		return -1;
	c1 = memchr(line.p, ':', (size_t)(end - line.p));
	if (!c1 || c1 == line.p)
		return -1;
	for (const char *d = line.p; d < c1; d++)
		if (!is_digit(*d))
			return -1;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2 || c2 + 1 >= end || c2[1] != '/')
		return -1;
	*id = (struct span){ line.p, (size_t)(c1 - line.p) };
	*ctl = (struct span){ c1 + 1, (size_t)(c2 - c1 - 1) };
	*path = (struct span){ c2 + 1, (size_t)(end - c2 - 1) };
	return span_ends(*path, DELETED_SUFFIX) ? -1 : 0;
}

int cgroup_pick_path(const char *text, size_t len, char *path, size_t cap)
{
	struct span v2 = { 0 }, v1 = { 0 }, pick;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span line = { p, (size_t)((nl ? nl : end) - p) }, id, ctl, cp;
		p = nl ? nl + 1 : end;
		if (parse_line(line, &id, &ctl, &cp) < 0 || cp.n >= cap)
			continue;
		if (span_eq(id, V2_HIERARCHY_ID) && ctl.n == 0) {
			if (!v2.p)
				v2 = cp;
		} else if (!v1.p && has_controller(ctl, SYSTEMD_V1_NAME)) {
			v1 = cp;
		}
	}
	pick = v2.p && !span_eq(v2, "/") ? v2 : v1.p ? v1 : v2;
	if (!pick.p) {
		errno = ENOENT;
		return -1;
	}
	memcpy(path, pick.p, pick.n);
	path[pick.n] = 0;
	return 0;
}

static int next_component(const char **p, struct span *c)
{
	const char *s = *p;

	while (*s == '/')
		s++;
	if (!*s)
		return 0;
	c->p = s;
	while (*s && *s != '/')
		s++;
	c->n = (size_t)(s - c->p);
	*p = s;
	return 1;
}

/* "user@UID.service", the per-user service manager: its uid, else -1. */
static int user_manager_uid(struct span c)
{
	size_t head = strlen(USER_MANAGER_PREFIX), tail = strlen(SERVICE_SUFFIX);
	long long uid = 0;

	if (!c.p || c.n <= head + tail || !span_starts(c, USER_MANAGER_PREFIX) || !span_ends(c, SERVICE_SUFFIX))
		return -1;
	for (size_t i = head; i < c.n - tail; i++) {
		if (!is_digit(c.p[i]))
			return -1;
		uid = uid * 10 + (c.p[i] - '0');
		if (uid > INT_MAX)
			return -1;
	}
	return (int)uid;
}

static int unit_name_ok(struct span c)
{
	if (c.n >= OWNER_UNIT_MAX)
		return 0;
	for (size_t i = 0; i < c.n; i++)
		if (!is_alnum(c.p[i]) && !strchr(UNIT_NAME_EXTRA, c.p[i]))
			return 0;
	return 1;
}

int cgroup_systemd_owner(const char *path, struct owner *o)
{
	struct span c, unit = { 0 }, before = { 0 };
	int under_root = 1;  /* parent is the root, a slice or a user manager */

	while (next_component(&path, &c)) {
		int slice = span_ends(c, SLICE_SUFFIX);
		if (under_root && !slice) {
			before = unit;
			unit = c;
		}
		under_root = slice || user_manager_uid(c) >= 0;
	}
	if (!unit.p || unit.n <= strlen(SERVICE_SUFFIX) || !span_ends(unit, SERVICE_SUFFIX) ||
	    !unit_name_ok(unit) || user_manager_uid(unit) >= 0)
		return 0;
	o->type = OWNER_SYSTEMD;
	memcpy(o->unit, unit.p, unit.n);
	o->unit[unit.n] = 0;
	o->uid = user_manager_uid(before);
	return 1;
}

/* A procd service or instance name: printable, no '/', not "." or "..". */
static int procd_name_ok(struct span c)
{
	if (c.n >= OWNER_SERVICE_MAX || span_eq(c, ".") || span_eq(c, ".."))
		return 0;
	for (size_t i = 0; i < c.n; i++)
		if (c.p[i] <= ' ' || c.p[i] > '~')
			return 0;
	return 1;
}

int cgroup_procd_owner(const char *path, struct owner *o)
{
	struct span root, svc, inst = { 0 };

	if (path[0] != '/' || !next_component(&path, &root) || !span_eq(root, PROCD_ROOT) ||
	    !next_component(&path, &svc) || !procd_name_ok(svc))
		return 0;
	if (next_component(&path, &inst) && !procd_name_ok(inst))
		return 0;
	o->type = OWNER_PROCD;
	memcpy(o->service, svc.p, svc.n);
	o->service[svc.n] = 0;
	memcpy(o->instance, inst.p ? inst.p : "", inst.n);
	o->instance[inst.n] = 0;
	return 1;
}
