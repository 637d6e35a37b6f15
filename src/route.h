#ifndef TETHER_ROUTE_H
#define TETHER_ROUTE_H

#include <signal.h>

#include "report.h"

/*
 * Restart routing: every restart goes through the daemon's owner.
 * Supervised daemons are never pre-stopped and never spawned by tether;
 * daemons sharing an owner (one unit, one service dir) restart once; a
 * caller inside its target hands the restart off and returns "scheduled".
 */

struct target {
	struct view view;        /* record and liveness before the restart */
	struct owner owner;      /* stored, or resolved live, or none */
	int leader;              /* index of the first target with this owner */
	int code;                /* outcome, an EX_* code */
	int raced;               /* another caller restarted it meanwhile */
	volatile sig_atomic_t marked;  /* owner none: this process's marker is
				  * out (cmd_restart's TERM handler drops it) */
	int new_pid;
	unsigned long long new_start;
};

struct route_opts {
	int timeout_ms;          /* wait for the new identity */
	int wait;                /* 0: return once the owner accepted */
	int dry_run;             /* print the plan, change nothing */
	int quiet;               /* no per-daemon report lines */
	int after_pid;           /* handoff: wait for this process to exit */
	unsigned long long after_start;
};

struct route_plan {
	int count;
	struct target *t;        /* a mapping (mem.h) */
};

/* Load and resolve names (or every record when count == 0), each name
 * once however often given. Returns 0, or an exit code (no such record,
 * refused, corrupt) after printing. */
int route_plan(struct tether_ctx *ctx, int dirfd, char *const names[], int count, struct route_plan *p);
void route_free(struct route_plan *p);
/* Print "NAME via OWNER (unit=... | dir=...)" for each target. */
void route_print(const struct route_plan *p);
/* Restart every target by its route; fills each target's code and new
 * identity. Returns EX_DONE, EX_SCHEDULED, or the first failure's code. */
int route_restart(struct tether_ctx *ctx, int dirfd, struct route_plan *p, const struct route_opts *o);
/* Wait until NAME's record shows a live identity other than old; fills
 * pid/start. 0, or -1: ETIMEDOUT, or ECHILD when a new process was
 * recorded but no live one followed within two seconds. */
int route_wait_new(struct tether_ctx *ctx, int dirfd, const char *name, const struct ident *old, int timeout_ms,
		   struct ident *now);

#endif
