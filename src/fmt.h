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

/* Format to a file descriptor. Returns 0, or -1 with errno on a short write. */
int say(int fd, const char *f, ...) FMT_CHECK(2, 3);
int say_v(int fd, const char *f, va_list ap);

/* Write s as a JSON string literal (quotes and escapes included). */
int say_json_str(int fd, const char *s);

#endif
