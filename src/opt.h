#ifndef TETHER_OPT_H
#define TETHER_OPT_H

#include "ctx.h"

/* A command's usage text past its synopsis: compiled out without
 * CONFIG_LONG_USAGE, leaving "usage: ..." lines for --help and errors. */
#if CONFIG_LONG_USAGE
#define HELP(text) text
#else
#define HELP(text) ""
#endif

/*
 * Command-line options without getopt's globals: short options, grouped
 * (-vh) with an argument attached or next (-nNAME, -n NAME); long options
 * by their full name (no abbreviations) with --name VALUE or --name=VALUE;
 * "--" ends the options. Parsing stops at the first operand, unless shorts
 * starts with '-': then each operand comes back as OPT_OPERAND, in order,
 * options after it are still parsed, and after "--" everything is one.
 */
struct opt_long {
	const char *name;   /* without the leading "--" */
	int has_arg;        /* OPT_FLAG or OPT_VALUE */
	int val;            /* what opt_next returns for it */
};
enum { OPT_FLAG, OPT_VALUE };

struct opt_state {
	int ind;            /* next argv element; at OPT_END, the first operand */
	char *arg;          /* the option's argument, the operand, or NULL */
	const char *opt;    /* the option as written, for messages: "-n", "--x=1" */
	int val;            /* the option found, even on an error; 0 if unknown */
	char *group;        /* the rest of a short-option group */
	int ended;          /* "--" seen: everything after it is an operand */
	char shortopt[3];   /* "-x", what opt points to for a short option */
};
#define OPT_STATE_INIT { .ind = 1 }

/* opt_next's results besides an option's val (which must be above 1). */
enum {
	OPT_END = -1,        /* no more options; operands start at ind */
	OPT_UNKNOWN = -2,    /* opt is no option of ours */
	OPT_NEEDS_ARG = -3,  /* opt takes a value and nothing follows */
	OPT_TAKES_NONE = -4, /* opt is --flag=VALUE, for a flag */
	OPT_OPERAND = 1,     /* with a leading '-' in shorts: arg is an operand */
};

/* The next option of argv[st->ind...]: its val, OPT_OPERAND, OPT_END or an
 * error. shorts: "n:vh" (':' after a letter that takes a value); longs ends
 * with { 0 }. */
int opt_next(struct opt_state *st, int argc, char **argv, const char *shorts,
	     const struct opt_long *longs);

/* Long-only options every command accepts (codes above any char). */
enum { OPT_STATE_DIR = 256, OPT_PROC_ROOT, OPT_JSON, OPT_FIRST_FREE };

/* The long options every command table ends with, before { 0 }. */
#define OPT_COMMON_LONG \
	{ .name = "state-dir", .has_arg = OPT_VALUE, .val = OPT_STATE_DIR }, \
	{ .name = "proc-root", .has_arg = OPT_VALUE, .val = OPT_PROC_ROOT }, \
	{ .name = "verbose", .has_arg = OPT_FLAG, .val = 'v' }, \
	{ .name = "help", .has_arg = OPT_FLAG, .val = 'h' }

/* Handle a common option: opt_common(ctx, &st, c, usage). Returns 1 if c
 * was one, 0 if not; for -h it prints usage and exits 0. */
int opt_common(struct tether_ctx *ctx, const struct opt_state *st, int c, const char *usage);

/* The usage error for what opt_next returned that the command does not
 * take: "needs an argument", "takes no argument" or "unknown option",
 * naming st->opt. Returns EX_USAGE. */
int opt_error(struct tether_ctx *ctx, const char *usage, const struct opt_state *st, int c);
/* "bad value for --opt: ARG", the usage line, EX_USAGE. */
int opt_bad_value(struct tether_ctx *ctx, const char *usage, const struct opt_state *st);
/* Why opt_next returned the error c, e.g. "unknown option". */
const char *opt_why(int c);
/* "tether: CMD: <why>" and the usage synopsis on stderr; returns EX_USAGE. */
int opt_usage(struct tether_ctx *ctx, const char *usage, const char *why, const char *arg);
/* A decimal number in [min, max] (seconds, counts, pids). 0 or -1. */
int opt_num(const char *s, long long min, long long max, long long *out);
/* The decimal digits s starts with, as a number up to max: a pointer past
 * them, or NULL (no digit, or more than max). For "PID:START" and the like. */
const char *opt_unum(const char *s, unsigned long long max, unsigned long long *out);

#endif
