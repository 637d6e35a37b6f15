#ifndef TETHER_FMT_H
#define TETHER_FMT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A printf subset that keeps libc's stdio (and its float code) out of the
 * binary: %s %.*s %c %d %i %u %x %o %%, with l/ll/z/j length modifiers,
 * '-' and '0' flags and a field width. Nothing else.
 */

/* Like snprintf: always NUL-terminates when cap > 0, returns the length
 * the whole output would have had. */
#define FMT_CHECK(a, b) __attribute__((format(printf, a, b)))

size_t fmt(char *buf, size_t cap, const char *f, ...) FMT_CHECK(3, 4);
size_t fmt_v(char *buf, size_t cap, const char *f, va_list ap);

/* Format to a file descriptor in one write(2) (up to OUT_CHUNK bytes).
 * Returns 0, or -1 with errno on a short write. */
int say(int fd, const char *f, ...) FMT_CHECK(2, 3);
int say_v(int fd, const char *f, va_list ap);

/*
 * A line built in pieces, written at out_flush() in one write(2) if it
 * fits OUT_CHUNK (PIPE_BUF on Linux): lines that several processes
 * append to one file (O_APPEND) or pipe never interleave. For many
 * lines, out_line() after each: a full chunk then writes only the whole
 * lines in it, so each write(2) still holds whole lines only.
 */
#define OUT_CHUNK 4096
struct out_sink {
	char *buf;     /* fmt()'s string mode: the caller's buffer */
	size_t cap;    /* bytes available in buf, NUL included */
	size_t len;    /* logical length produced so far */
	int fd;        /* -1: string mode */
	size_t fill;   /* bytes in chunk */
	int err;
	char *chunk;   /* fd mode: struct out's */
	size_t whole;  /* chunk[0, whole) is whole lines (out_line) */
};
struct out {
	struct out_sink s;
	char chunk[OUT_CHUNK];
};

void out_init(struct out *o, int fd);
void out_fmt(struct out *o, const char *f, ...) FMT_CHECK(2, 3);
/* s as a JSON string literal (quotes and escapes included). */
void out_json_str(struct out *o, const char *s);
/* The line gathered so far is whole. */
void out_line(struct out *o);
/* Write what is gathered. 0, or -1 if any write failed. */
int out_flush(struct out *o);

#endif
