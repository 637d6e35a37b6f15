#ifndef TETHER_REPORT_H
#define TETHER_REPORT_H

#include "fmt.h"
#include "ident.h"
#include "state.h"

/* How a daemon looks right now: its record (if any) and what /proc says. */
struct view {
	enum state_result res;
	enum ident_verdict verdict;  /* meaningful when res == STATE_OK */
	struct record rec;
};

enum report_mode { REPORT_HUMAN, REPORT_JSON, REPORT_SHELL };

/* Load NAME and check its identity. */
void view_load(struct tether_ctx *ctx, int dirfd, const char *name, struct view *v);
/* LSB status code: 0 running, 1 dead with record, 3 no record, 4 unknown;
 * EX_REUSED, EX_INSECURE, EX_CORRUPT for those. */
int view_status_code(const struct view *v);
/* "running", "dead", "reused", "not-running", "corrupt", ... */
const char *view_state(const struct view *v);
int view_running(const struct view *v);
/* Recorded in another pid namespace: its pid cannot be verified here, so
 * nothing may act on it (signal, prune, replace) from here. */
int view_other_ns(const struct view *v);
/* One line on stdout for NAME in the given mode, in one write. 0, or -1
 * with errno if the write failed. */
int report_view(const char *name, const struct view *v, enum report_mode mode);
/* The same line added to o, for many lines in few writes (out_line). */
void report_add(struct out *o, const char *name, const struct view *v, enum report_mode mode);

#endif
