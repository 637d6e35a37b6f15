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
#include "sup.h"

#define INVOCATION_ID_VAR "INVOCATION_ID"
#define INVOCATION_ID_LEN 32  /* a 128-bit id in hex */
#define ENV_CHUNK 4096
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

/* Does entry (len bytes, "NAME=value") set name? Copies the value. */
static int env_match(const char *entry, size_t len, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name);

	if (len <= k || memcmp(entry, name, k) || entry[k] != '=')
		return 0;
	fmt(out, cap, "%.*s", (int)(len - k - 1), entry + k + 1);
	return 1;
}

/* Scan a NUL-separated environment stream of any size; an entry longer
 * than the chunk is skipped. 1 found, 0 absent, -1 read error. */
static int env_lookup(int fd, const char *name, char *out, size_t cap)
{
	char buf[ENV_CHUNK];
	size_t fill = 0;
	int skipping = 0;

	for (;;) {
		ssize_t n = read(fd, buf + fill, sizeof buf - fill);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return !skipping && env_match(buf, fill, name, out, cap);
		size_t have = fill + (size_t)n, start = 0;
		for (size_t i = fill; i < have; i++) {
			if (buf[i])
				continue;
			if (!skipping && env_match(buf + start, i - start, name, out, cap))
				return 1;
			skipping = 0;
			start = i + 1;
		}
		fill = have - start;
		/* Forward, byte by byte: the only memmove in tether, 600 B of
		 * musl's on MIPS for a partial entry of at most ENV_CHUNK. */
		for (size_t i = 0; i < fill; i++)
			buf[i] = buf[start + i];
		if (fill == sizeof buf) {
			skipping = 1;
			fill = 0;
		}
	}
}

/* INVOCATION_ID from <proc>/<pid>/environ: 1 found, 0 absent, -1 unreadable. */
static int environ_invocation_id(struct tether_ctx *ctx, int pid, char *out, size_t cap)
{
	char path[PATH_MAX];
	int fd, r;

	if (procfs_path(ctx, pid, "environ", path, sizeof path) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	r = env_lookup(fd, INVOCATION_ID_VAR, out, cap);
	close(fd);
	return r;
}

/* Did systemd start this process tree? 1 yes, 0 no, -1 cannot tell. */
static int invocation_proof(struct tether_ctx *ctx, const struct sup_probe *p)
{
	char buf[INVOCATION_ID_LEN + 2];
	const char *id;

	if (p->self) {
		id = getenv(INVOCATION_ID_VAR);
	} else if (p->pid) {
		int r = environ_invocation_id(ctx, p->pid, buf, sizeof buf);
		if (r < 0)
			return -1;
		id = r ? buf : NULL;
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
