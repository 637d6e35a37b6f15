#ifndef TETHER_SPAWN_H
#define TETHER_SPAWN_H

#include "ctx.h"
#include "ident.h"

struct spawn_opts {
	const char *cwd;  /* NULL: stay where we are */
	const char *log;  /* stdout+stderr appended here; NULL: /dev/null */
	int detach;       /* 1: double fork + setsid; 0: a child of ours */
	char *const *env; /* the program's environment; NULL: ours */
	char *exe_out;    /* if set: the executable's path as resolved */
	size_t exe_cap;
};

/*
 * Start argv[0] (PATH searched) with stdin from /dev/null, every other
 * descriptor closed, default signal dispositions and an empty mask.
 * Returns 0 once the program has been exec'd, with its identity in *id
 * (read by the child itself before exec, so a program that exits at once
 * is still identified); -1 with errno set to why exec failed (the reason
 * is printed).
 */
int spawn(struct tether_ctx *ctx, char *const argv[], const struct spawn_opts *o, struct ident *id);

#endif
