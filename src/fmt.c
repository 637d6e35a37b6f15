#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "div10.h"
#include "fmt.h"

enum { LEN_INT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX };

static void sink_setup(struct out_sink *s, int fd, char *buf, size_t cap, char *chunk)
{
	*s = (struct out_sink){ .buf = buf, .cap = cap, .fd = fd, .chunk = chunk };
}

void out_init(struct out *o, int fd)
{
	sink_setup(&o->s, fd, NULL, 0, o->chunk);
}

static void sink_flush(struct out_sink *s)
{
	size_t off = 0;

	while (off < s->fill && !s->err) {
		ssize_t n = write(s->fd, s->chunk + off, s->fill - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			s->err = 1;
		else
			off += (size_t)n;
	}
	s->fill = s->whole = 0;
}

/* A full chunk: write its whole lines, keep the line being built. */
static void sink_full(struct out_sink *s)
{
	size_t part = s->fill - s->whole;

	if (!s->whole || !part) {
		sink_flush(s);
		return;
	}
	s->fill = s->whole;
	sink_flush(s);
	for (size_t i = 0; i < part; i++)  /* forward, as in procfs_env_scan */
		s->chunk[i] = s->chunk[OUT_CHUNK - part + i];
	s->fill = part;
}

void out_line(struct out *o)
{
	o->s.whole = o->s.fill;
}

static void put(struct out_sink *s, const char *p, size_t n)
{
	if (s->fd < 0) {
		if (s->len < s->cap) {
			size_t room = s->cap - 1 - s->len;
			memcpy(s->buf + s->len, p, n < room ? n : room);
		}
		s->len += n;
		return;
	}
	while (n) {
		size_t room = OUT_CHUNK - s->fill, k = n < room ? n : room;
		memcpy(s->chunk + s->fill, p, k);
		s->fill += k;
		p += k;
		n -= k;
		if (s->fill == OUT_CHUNK)
			sink_full(s);
	}
}

static void pad(struct out_sink *s, char c, size_t n)
{
	while (n--)
		put(s, &c, 1);
}

static void put_field(struct out_sink *s, const char *p, size_t n, size_t width, int left, char padc)
{
	if (!left && width > n)
		pad(s, padc, width - n);
	put(s, p, n);
	if (left && width > n)
		pad(s, ' ', width - n);
}

/* Base 8 and 16 by shifts, 10 by u64_div10: no 64-bit division. */
static size_t utoa(char *end, uintmax_t v, unsigned base)
{
	char *p = end;
	unsigned d;

	do {
		if (base == 10) {
			v = u64_div10(v, &d);
		} else {
			d = (unsigned)v & (base - 1);
			v = base == 16 ? v >> 4 : v >> 3;
		}
		*--p = "0123456789abcdef"[d];
	} while (v);
	return (size_t)(end - p);
}

static void run(struct out_sink *s, const char *f, va_list ap)
{
	char num[24];

	for (; *f; f++) {
		const char *lit = f;
		while (*f && *f != '%')
			f++;
		put(s, lit, (size_t)(f - lit));
		if (!*f)
			break;
		f++;
		int left = 0, lmod = LEN_INT, prec = -1;
		char padc = ' ';
		size_t width = 0;
		for (;; f++) {
			if (*f == '-')
				left = 1;
			else if (*f == '0')
				padc = '0';
			else
				break;
		}
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (size_t)(*f++ - '0');
		if (*f == '.' && f[1] == '*') {
			prec = va_arg(ap, int);
			f += 2;
		}
		for (; *f == 'l' || *f == 'z' || *f == 'j'; f++)
			lmod = *f == 'z' ? LEN_SIZE : *f == 'j' ? LEN_MAX : lmod == LEN_LONG ? LEN_LLONG : LEN_LONG;
		switch (*f) {
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			size_t n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
			put_field(s, str, n, width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_field(s, &c, 1, width, left, ' ');
			break;
		}
		case 'd': case 'i': {
			intmax_t v = lmod == LEN_LLONG ? va_arg(ap, long long) : lmod == LEN_LONG ? va_arg(ap, long)
				   : lmod == LEN_SIZE ? va_arg(ap, ssize_t) : lmod == LEN_MAX ? va_arg(ap, intmax_t)
				   : va_arg(ap, int);
			uintmax_t m = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
			size_t n = utoa(num + sizeof num, m, 10);
			if (v < 0 && padc == '0' && !left) {  /* -0042: the sign before the zeros */
				put(s, "-", 1);
				width = width ? width - 1 : 0;
			} else if (v < 0) {
				num[sizeof num - ++n] = '-';
			}
			put_field(s, num + sizeof num - n, n, width, left, padc);
			break;
		}
		case 'u': case 'x': case 'o': {
			uintmax_t v = lmod == LEN_LLONG ? va_arg(ap, unsigned long long)
				    : lmod == LEN_LONG ? va_arg(ap, unsigned long)
				    : lmod == LEN_SIZE ? va_arg(ap, size_t) : lmod == LEN_MAX ? va_arg(ap, uintmax_t)
				    : va_arg(ap, unsigned);
			size_t n = utoa(num + sizeof num, v, *f == 'u' ? 10 : *f == 'x' ? 16 : 8);
			put_field(s, num + sizeof num - n, n, width, left, padc);
			break;
		}
		case '%':
			put(s, "%", 1);
			break;
		default: /* unsupported conversion: show it, never read an argument */
			put(s, f - 1, *f ? 2 : 1);
			if (!*f)
				f--;
		}
	}
}

size_t fmt_v(char *buf, size_t cap, const char *f, va_list ap)
{
	struct out_sink s;

	sink_setup(&s, -1, buf, cap, NULL);
	run(&s, f, ap);
	if (cap)
		buf[s.len < cap ? s.len : cap - 1] = 0;
	return s.len;
}

size_t fmt(char *buf, size_t cap, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	size_t n = fmt_v(buf, cap, f, ap);
	va_end(ap);
	return n;
}

void out_fmt(struct out *o, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	run(&o->s, f, ap);
	va_end(ap);
}

void out_json_str(struct out *o, const char *str)
{
	struct out_sink *s = &o->s;
	const unsigned char *p = (const unsigned char *)str;

	put(s, "\"", 1);
	for (; *p; p++) {
		char esc[7] = "\\u00";
		if (*p == '"' || *p == '\\') {
			esc[1] = (char)*p;
			put(s, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			esc[4] = "0123456789abcdef"[*p >> 4];
			esc[5] = "0123456789abcdef"[*p & 15];
			put(s, esc, 6);
		} else {
			put(s, (const char *)p, 1);
		}
	}
	put(s, "\"", 1);
}

int out_flush(struct out *o)
{
	sink_flush(&o->s);
	return o->s.err ? -1 : 0;
}

int say_v(int fd, const char *f, va_list ap)
{
	struct out o;

	out_init(&o, fd);
	run(&o.s, f, ap);
	return out_flush(&o);
}

int say(int fd, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int r = say_v(fd, f, ap);
	va_end(ap);
	return r;
}
