#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

static int count, failed;

static int report(int pass, const char *name, va_list ap)
{
	printf("%sok %d - ", pass ? "" : "not ", ++count);
	vprintf(name, ap);
	putchar('\n');
	if (!pass)
		failed++;
	fflush(stdout);
	return pass;
}

int tap_ok(int pass, const char *name, ...)
{
	va_list ap;
	va_start(ap, name);
	report(pass, name, ap);
	va_end(ap);
	return pass;
}

int tap_is_int(long long got, long long want, const char *name)
{
	int pass = tap_ok(got == want, "%s", name);
	if (!pass)
		tap_diag("expected %lld, got %lld", want, got);
	return pass;
}

int tap_is_str(const char *got, const char *want, const char *name)
{
	int pass = tap_ok(got && want && !strcmp(got, want), "%s", name);
	if (!pass)
		tap_diag("expected \"%s\", got \"%s\"", want ? want : "(null)", got ? got : "(null)");
	return pass;
}

void tap_skip(const char *name, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++count, name, why);
}

void tap_diag(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	fputs("# ", stdout);
	vprintf(f, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
}

int tap_sample(int n)
{
	const char *wrap = getenv("TETHER_WRAP");

	return wrap && *wrap ? n : 1;
}

void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

int tap_done(void)
{
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}

void tap_catch(struct tap_catch *c, int fd)
{
	c->fd = fd;
	c->saved = dup(fd);
	if (c->saved < 0 || pipe(c->pipe) < 0) {
		c->pipe[0] = c->pipe[1] = -1;
		return;
	}
	dup2(c->pipe[1], fd);
}

const char *tap_caught(struct tap_catch *c, char *out, unsigned long cap)
{
	ssize_t n = -1;

	if (c->saved >= 0) {
		dup2(c->saved, c->fd);
		close(c->saved);
	}
	if (c->pipe[0] < 0)
		return "pipe";
	close(c->pipe[1]);
	n = read(c->pipe[0], out, cap - 1);
	close(c->pipe[0]);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

int tap_datagrams(int fd, char *first, unsigned long cap)
{
	char scratch[64];  /* later ones are only counted: recv drops the rest */
	ssize_t n;
	int count = 0;

	first[0] = '\0';
	while ((n = recv(fd, count ? scratch : first, count ? sizeof scratch : cap - 1, MSG_DONTWAIT)) >= 0) {
		if (!count)
			first[n] = '\0';
		count++;
	}
	return count;
}
