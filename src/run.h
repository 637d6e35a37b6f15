#ifndef TETHER_RUN_H
#define TETHER_RUN_H

#include "ctx.h"

/*
 * Run an external program and wait for it, bounded: fork, execvp(argv[0])
 * with stdin from /dev/null, stdout/stderr inherited, and env as its
 * environment (NULL: ours). Returns 0 with
 * its wait status in *status (may be NULL), or -1 with errno: ENOENT (or
 * EACCES...) when it could not be executed, as reported by the child over
 * a close-on-exec pipe; ETIMEDOUT when it ran past timeout_ms (< 0: no
 * limit) and was killed (SIGKILL) and reaped.
 */
int run_wait(struct tether_ctx *ctx, char *const argv[], char *const env[], int timeout_ms, int *status);

#endif
