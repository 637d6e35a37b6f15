#ifndef TETHER_LIFECYCLE_H
#define TETHER_LIFECYCLE_H

#include "spawn.h"
#include "state.h"

/* The unsupervised path's two halves, shared by start, stop, restart. */

/* Spawn cmd detached and record it as name (restarts carried over).
 * The caller holds name's lock. Returns an exit code. */
int life_spawn_record(struct tether_ctx *ctx, int dirfd, const char *name, char *const cmd[], int cmdc,
		      const struct spawn_opts *so, const char *sock, unsigned long long restarts);
/* Stop r's process by identity: sig, grace, KILL. Returns an exit code:
 * EX_DONE (stopped or already gone), EX_REUSED (left alone), EX_TIMEOUT. */
int life_stop_ident(struct tether_ctx *ctx, const struct record *r, int sig, int grace_ms);
/* Does r name a supervisor (any owner but none or unrecorded)? Then only
 * that owner spawns it: a copy beside it would fight it. */
int life_managed(const struct record *r);
/* Refuse to spawn a managed r: say who manages it and how to start it
 * (tether restart, routed to the owner). Returns EX_MANAGED. */
int life_refuse_managed(struct tether_ctx *ctx, const struct record *r);
/* Why r, recorded in another pid namespace, is not acted on: both
 * namespaces and what was not done, into buf. */
void life_other_ns_why(const struct tether_ctx *ctx, const struct record *r, const char *not_done, char *buf,
		       size_t cap);
/* Refuse to act on r, recorded in another pid namespace: one line with
 * life_other_ns_why's reason. Returns EX_UNKNOWN. */
int life_refuse_other_ns(struct tether_ctx *ctx, const struct record *r, const char *not_done);
/* "TERM", "SIGTERM", "15" -> 15; -1 if unknown. */
int signal_parse(const char *s);
/* "NAME.lock" etc. into buf (NAME_MAX_LEN + 16). */
void lock_file_name(char *buf, const char *name, const char *suffix);

#endif
