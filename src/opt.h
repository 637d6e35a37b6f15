#ifndef TETHER_OPT_H
#define TETHER_OPT_H

#include <getopt.h>

#include "ctx.h"

/* Long-only options every command accepts (codes above any char). */
enum { OPT_STATE_DIR = 256, OPT_PROC_ROOT, OPT_JSON, OPT_FIRST_FREE };

#define OPT_COMMON_LONG \
	{ "state-dir", required_argument, 0, OPT_STATE_DIR }, \
	{ "proc-root", required_argument, 0, OPT_PROC_ROOT }, \
	{ "verbose", no_argument, 0, 'v' }, \
	{ "help", no_argument, 0, 'h' }

/* Handle a common option. Returns 1 if it was one, 0 if not; for -h it
 * prints usage and exits 0. */
int opt_common(struct tether_ctx *ctx, int c, const char *usage);
/* "tether: CMD: <why>" and the usage synopsis on stderr; returns EX_USAGE. */
int opt_usage(struct tether_ctx *ctx, const char *usage, const char *why, const char *arg);
/* A decimal number in [min, max] (seconds, counts, pids). 0 or -1. */
int opt_num(const char *s, long long min, long long max, long long *out);

#endif
