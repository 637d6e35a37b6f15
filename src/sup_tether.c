#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "exitcodes.h"
#include "fmt.h"
#include "msg.h"
#include "procfs.h"
#include "sup.h"
#include "supervise.h"

#define PROGRAM "tether"
#define SUBCOMMAND "supervise"
#define CMDLINE_MAX 4096

static int is_program(const char *arg)
{
	const char *slash = strrchr(arg, '/');

	return !strcmp(slash ? slash + 1 : arg, PROGRAM);
}

/* Is the parent `tether [GLOBAL...] supervise ...`? Its command line is
 * searched for "tether" and a later "supervise", so that a wrapper in
 * front (valgrind, chpst, nice) does not hide it. */
static int parent_supervises(struct tether_ctx *ctx, const struct sup_probe *p)
{
	char buf[CMDLINE_MAX], *arg;
	size_t at = 0;
	ssize_t n;
	int seen = sup_parent_is(p, PROGRAM);

	if (!p->ppid)
		return 0;
	n = procfs_read(ctx, p->ppid, "cmdline", buf, sizeof buf);
	while (n > 0 && (arg = procfs_arg_next(buf, (size_t)n, sizeof buf, &at))) {
		if (seen && !strcmp(arg, SUBCOMMAND))
			return 1;
		seen |= is_program(arg);
	}
	return 0;
}

/* The supervisor sets SV_ENV_SOCK and SV_ENV_CHILD for each child. */
static int detect(struct tether_ctx *ctx, const struct sup_probe *p, struct owner *o)
{
	char sock_buf[sizeof o->dir], child_buf[NAME_MAX_LEN + 1];
	const char *sock, *child;

	if (!p->pid || !parent_supervises(ctx, p))
		return 0;
	o->type = OWNER_TETHER;
	if (p->self) {
		sock = getenv(SV_ENV_SOCK);
		child = getenv(SV_ENV_CHILD);
	} else {
		ssize_t n = procfs_environ(ctx, p->pid, SV_ENV_SOCK, sock_buf, sizeof sock_buf);
		sock = n >= 0 && (size_t)n < sizeof sock_buf ? sock_buf : NULL;
		n = procfs_environ(ctx, p->pid, SV_ENV_CHILD, child_buf, sizeof child_buf);
		child = n >= 0 && (size_t)n < sizeof child_buf ? child_buf : NULL;
	}
	if (sock)
		fmt(o->dir, sizeof o->dir, "%s", sock);
	if (child && name_valid(child))
		fmt(o->instance, sizeof o->instance, "%s", child);
	if (!sock || !o->instance[0])
		msg_trace(ctx, "tether: environment of %d unreadable or incomplete: socket or child unknown", p->pid);
	return 1;
}

static int act(struct tether_ctx *ctx, const struct owner *o, enum sup_action a)
{
	struct ctl_request rq = { .v = CTL_VERSION, .op = a == SUP_STOP ? CTL_STOP : CTL_RESTART };
	struct ctl_reply rp = { 0 };

	if (!o->dir[0] || !name_valid(o->instance)) {
		msg_error(ctx, "tether supervise socket or child name unknown: cannot %s it", sup_verb(a));
		return EX_FAIL;
	}
	fmt(rq.name, sizeof rq.name, "%s", o->instance);
	if (ctl_request(o->dir, &rq, &rp, CTL_CALL_TIMEOUT_MS) < 0) {
		int e = errno;
		if (e == ETIMEDOUT) {
			msg_error(ctx, "tether supervise at %s: no answer in %d ms", o->dir, CTL_CALL_TIMEOUT_MS);
			return EX_TIMEOUT;
		}
		msg_error(ctx, "tether supervise not reachable at %s: %s", o->dir, strerror(e));
		return e == ENOENT || e == ECONNREFUSED || e == ENOTSOCK || e == EPIPE ? EX_NOTOOL : EX_FAIL;
	}
	if (!rp.ok) {
		msg_error(ctx, "tether supervise (pid %d) did not %s %s: %s", rp.pid, sup_verb(a), o->instance, rp.err);
		return EX_FAIL;
	}
	msg_trace(ctx, "tether supervise (pid %d) accepted: %s %s", rp.pid, sup_verb(a), o->instance);
	return EX_DONE;
}

const struct sup_backend sup_tether = {
	.type = OWNER_TETHER,
	.detect = detect,
	.act = act,
};
