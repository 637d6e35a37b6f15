/* opt_unum: the decimal parser that replaces strtol/strtoull. */
#include <limits.h>
#include <stddef.h>

#include "opt.h"
#include "tap.h"

static void check(const char *s, unsigned long long max, int end, unsigned long long want, const char *what)
{
	unsigned long long v = 12345;
	const char *p = opt_unum(s, max, &v);

	if (end < 0) {
		ok(p == NULL && v == 12345, "%s: refused, nothing stored", what);
		return;
	}
	ok(p == s + end && v == want, "%s", what);
}

int main(void)
{
	check("42", ULLONG_MAX, 2, 42, "\"42\" is 42, end at the NUL");
	check("0", ULLONG_MAX, 1, 0, "\"0\" is 0");
	check("123:456", ULLONG_MAX, 3, 123, "\"123:456\" stops at ':'");
	check("007", 10, 3, 7, "leading zeros are fine");
	check("18446744073709551615", ULLONG_MAX, 20, ULLONG_MAX, "ULLONG_MAX itself");
	check("18446744073709551616", ULLONG_MAX, -1, 0, "ULLONG_MAX + 1");
	check("99999999999999999999999", ULLONG_MAX, -1, 0, "far past ULLONG_MAX");
	check("2147483647", INT_MAX, 10, INT_MAX, "INT_MAX with max INT_MAX");
	check("2147483648", INT_MAX, -1, 0, "INT_MAX + 1 with max INT_MAX");
	check("18446744073709551614", ULLONG_MAX, 20, ULLONG_MAX - 1, "ULLONG_MAX - 1");
	check("18446744073709551620", ULLONG_MAX, -1, 0, "last digit past ULLONG_MAX's");
	check("184467440737095516150", ULLONG_MAX, -1, 0, "ULLONG_MAX times 10");
	check("1844674407370955161", ULLONG_MAX / 10, 19, ULLONG_MAX / 10, "max ULLONG_MAX / 10 itself");
	check("1844674407370955162", ULLONG_MAX / 10, -1, 0, "ULLONG_MAX / 10 + 1");
	check("2147483646", INT_MAX, 10, INT_MAX - 1, "INT_MAX - 1 with max INT_MAX");
	check("9", 9, 1, 9, "one digit at max 9");
	check("10", 9, -1, 0, "two digits past max 9");
	check("5", 5, 1, 5, "max 5 itself");
	check("7", 5, -1, 0, "a digit above a max below 9");
	check("0", 0, 1, 0, "0 with max 0");
	check("1", 0, -1, 0, "1 with max 0");
	check("000", 0, 3, 0, "zeros with max 0");
	check("", ULLONG_MAX, -1, 0, "empty");
	check(":5", ULLONG_MAX, -1, 0, "no digit first");
	check("-1", ULLONG_MAX, -1, 0, "a sign is no digit");
	check("+1", ULLONG_MAX, -1, 0, "a plus sign neither");
	check(" 1", ULLONG_MAX, -1, 0, "nor a blank");
	return tap_done();
}
