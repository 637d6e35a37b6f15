/* opt_num: a whole argument as a decimal number in [min, max]. */
#include <limits.h>
#include <stddef.h>

#include "opt.h"
#include "tap.h"

#define UNTOUCHED 12345

static void check(const char *s, long long min, long long max, int good, long long want, const char *what)
{
	long long v = UNTOUCHED;
	int r = opt_num(s, min, max, &v);

	if (!good) {
		ok(r == -1 && v == UNTOUCHED, "%s: refused, nothing stored", what);
		return;
	}
	ok(r == 0 && v == want, "%s", what);
	if (r != 0 || v != want)
		tap_diag("expected 0 and %lld, got %d and %lld", want, r, v);
}

int main(void)
{
	check("42", 0, 100, 1, 42, "42 in [0, 100]");
	check("0", 0, 100, 1, 0, "the minimum 0");
	check("100", 0, 100, 1, 100, "the maximum");
	check("101", 0, 100, 0, 0, "the maximum + 1");
	check("99", 0, 100, 1, 99, "the maximum - 1");
	check("1", 1, 86400, 1, 1, "the minimum 1");
	check("0", 1, 86400, 0, 0, "the minimum - 1");
	check("86400", 0, 86400, 1, 86400, "86400 with max 86400");
	check("86401", 0, 86400, 0, 0, "86401 with max 86400");
	check("9223372036854775807", 0, LLONG_MAX, 1, LLONG_MAX, "LLONG_MAX itself");
	check("9223372036854775806", 0, LLONG_MAX, 1, LLONG_MAX - 1, "LLONG_MAX - 1");
	check("9223372036854775808", 0, LLONG_MAX, 0, 0, "LLONG_MAX + 1");
	check("18446744073709551615", 0, LLONG_MAX, 0, 0, "ULLONG_MAX");
	check("18446744073709551616", 0, LLONG_MAX, 0, 0, "ULLONG_MAX + 1");
	check("99999999999999999999999", 0, LLONG_MAX, 0, 0, "far past LLONG_MAX");
	check("2147483647", 1, INT_MAX, 1, INT_MAX, "INT_MAX with max INT_MAX");
	check("2147483648", 1, INT_MAX, 0, 0, "INT_MAX + 1 with max INT_MAX");
	check("64", 0, 64, 1, 64, "64 with max 64");
	check("65", 0, 64, 0, 0, "65 with max 64");
	check("5", 0, 5, 1, 5, "a max below 9 itself");
	check("7", 0, 5, 0, 0, "one digit above a max below 9");
	check("0", 0, 0, 1, 0, "0 with max 0");
	check("0", LLONG_MIN, 10, 1, 0, "a negative min takes 0");
	check("1", 0, -1, 0, 0, "a negative max takes nothing");
	check("0", 0, -1, 0, 0, "not even 0");
	check("007", 0, 10, 1, 7, "leading zeros");
	check("", 0, 10, 0, 0, "empty");
	check(NULL, 0, 10, 0, 0, "NULL");
	check("-1", LLONG_MIN, 10, 0, 0, "no sign, even with a negative min");
	check("+1", 0, 10, 0, 0, "no plus sign");
	check("1x", 0, 10, 0, 0, "trailing junk");
	check("1 ", 0, 10, 0, 0, "a trailing blank");
	check(" 1", 0, 10, 0, 0, "a leading blank");
	return tap_done();
}
