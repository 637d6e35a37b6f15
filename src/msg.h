#ifndef TETHER_MSG_H
#define TETHER_MSG_H

#include "ctx.h"
#include "fmt.h"

/* One-line diagnostics on stderr, "tether: CMD: text". */
void msg_error(const struct tether_ctx *ctx, const char *f, ...) FMT_CHECK(2, 3);
void msg_warn(const struct tether_ctx *ctx, const char *f, ...) FMT_CHECK(2, 3);
/* "tether: CMD: WHAT PATH: strerror(errno)"; PATH may be NULL. */
void msg_syserr(const struct tether_ctx *ctx, const char *what, const char *path);
/* -v tracing; compiled out without CONFIG_VERBOSE. */
void msg_trace(const struct tether_ctx *ctx, const char *f, ...) FMT_CHECK(2, 3);

#endif
