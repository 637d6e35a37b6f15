#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "fmt.h"
#include "msg.h"

#define MSG_MAX 1024

static void emit(const struct tether_ctx *ctx, const char *tag, const char *f, va_list ap)
{
	char line[MSG_MAX];
	size_t n = fmt(line, sizeof line, "tether: %s%s%s", ctx && ctx->cmd ? ctx->cmd : "",
		       ctx && ctx->cmd ? ": " : "", tag);
	if (n < sizeof line)
		n += fmt_v(line + n, sizeof line - n, f, ap);
	if (n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	if (ctx && ctx->pending)
		out_flush(ctx->pending);  /* in order under 2>&1 */
	say(2, "%.*s", (int)n, line);
}

void msg_error(const struct tether_ctx *ctx, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	emit(ctx, "", f, ap);
	va_end(ap);
}

void msg_warn(const struct tether_ctx *ctx, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	emit(ctx, "warning: ", f, ap);
	va_end(ap);
}

void msg_syserr(const struct tether_ctx *ctx, const char *what, const char *path)
{
	const char *why = strerror(errno);

	if (path)
		msg_error(ctx, "%s %s: %s", what, path, why);
	else
		msg_error(ctx, "%s: %s", what, why);
}

void msg_trace(const struct tether_ctx *ctx, const char *f, ...)
{
#if CONFIG_VERBOSE
	if (!ctx || !ctx->verbose)
		return;
	va_list ap;
	va_start(ap, f);
	emit(ctx, "trace: ", f, ap);
	va_end(ap);
#else
	(void)ctx;
	(void)f;
#endif
}
