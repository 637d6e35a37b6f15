#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
