#ifndef TETHER_BINDGUARD_H
#define TETHER_BINDGUARD_H

#include "ctx.h"
#include "ident.h"

/*
 * The singleton bind guard: one live owner per control socket, so a
 * second start never unlinks a live daemon's socket and orphans it.
 *
 * guard_take() takes the bind lock, flock on SOCKET.lock next to the
 * socket (separate from NAME.lock, the state lock, so a client holding
 * that while it waits for readiness never blocks a binder), then probes
 * the socket (ctl_probe) and decides:
 *   live owner, our record names it (pid, start, socket), config fresh
 *       -> GUARD_RUNNING: do not bind
 *   live owner, record missing or naming another process, config fresh
 *       -> GUARD_RECONCILED: the record is rewritten from the owner's
 *          own status; the healthy owner is left alone
 *   live owner, stale config (its hash differs from ours)
 *       -> stop it by identity (TERM, grace, KILL), wait for its socket
 *          to go, GUARD_BIND
 *   hung, dead or foreign owner (no answer, nobody listening, or an
 *   answer that is not from this socket's live owner)
 *       -> stop the recorded owner and the listener by identity, unlink,
 *          GUARD_BIND
 *   a path that is not a socket (regular file, symlink, directory) or a
 *   lock file that is not ours -> GUARD_REFUSED, nothing touched
 * GUARD_BIND returns with the lock held: bind, write the record, become
 * ready, then guard_release(). An owner shutting down removes its record
 * before its socket, so a vanished socket proves cleanup finished.
 */

struct guard_want {
	const char *name;  /* the binder's record name */
	const char *sock;  /* absolute socket path */
	const char *cfg;   /* the binder's config hash; "" matches any */
	int probe_ms;      /* an owner's deadline to answer */
	int grace_ms;      /* TERM to KILL when stopping a previous owner */
};

enum guard_result {
	GUARD_BIND,
	GUARD_RUNNING,
	GUARD_RECONCILED,
	GUARD_REFUSED,
	GUARD_FAILED,
};

struct guard {
	int lockfd;          /* held after GUARD_BIND */
	int owner_pid;       /* RUNNING, RECONCILED: the live owner */
	struct ident prev;   /* BIND: the owner stopped first (pid 0: none) */
};

#define GUARD_LOCK_SUFFIX ".lock"

/* Prints what it decided and why. dirfd: the state dir. */
enum guard_result guard_take(struct tether_ctx *ctx, int dirfd, const struct guard_want *w, struct guard *g);
void guard_release(struct guard *g);
/* 0 for BIND, EX_RUNNING, EX_INSECURE or EX_FAIL. */
int guard_exit_code(enum guard_result r);
/* Take SOCK.lock (bounded wait, LOCK_NB polling). fd, or -1 with errno
 * EPERM/ELOOP (lock file refused), ETIMEDOUT, or another error. */
int guard_lock(struct tether_ctx *ctx, const char *sock, int wait_ms);

#endif
