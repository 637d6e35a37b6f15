/* u64_div10 and u32_div10 against C's '/' and '%', which they replace. */
#include <stdint.h>

#include "div10.h"
#include "tap.h"

#define RANDOM_CASES 300000

static uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int agrees(uint64_t v)
{
	unsigned rem = 99;
	uint64_t q = u64_div10(v, &rem);

	return q == v / 10 && rem == v % 10 && u32_div10((uint32_t)v) == (uint32_t)v / 10;
}

static void check(uint64_t v, const char *what)
{
	unsigned rem = 99;
	uint64_t q = u64_div10(v, &rem);

	ok(q == v / 10 && rem == v % 10, "%s: quotient and remainder", what);
	if (q != v / 10 || rem != v % 10)
		tap_diag("v=%llu: expected %llu r %u, got %llu r %u", (unsigned long long)v,
			 (unsigned long long)(v / 10), (unsigned)(v % 10), (unsigned long long)q, rem);
}

/* Every case that fails, up to a few of them, named in a diagnostic. */
static void check_many(const char *what, uint64_t first, uint64_t n, uint64_t (*next)(uint64_t *, uint64_t))
{
	uint64_t v = first, state = first;
	unsigned long long bad = 0;

	for (uint64_t i = 0; i < n; i++, v = next(&state, v))
		if (!agrees(v) && ++bad <= 3)
			tap_diag("%s: wrong for %llu", what, (unsigned long long)v);
	ok(bad == 0, "%s: %llu cases agree with / and %%", what, (unsigned long long)n);
}

static uint64_t next_random(uint64_t *s, uint64_t v)
{
	(void)v;
	return xorshift64(s);
}

/* Small random values too, where the high half is 0 or the value ends
 * near a 16-bit step of the long division. */
static uint64_t next_random_small(uint64_t *s, uint64_t v)
{
	(void)v;
	return xorshift64(s) >> (xorshift64(s) & 63);
}

static uint64_t next_up(uint64_t *s, uint64_t v)
{
	(void)s;
	return v + 1;
}

int main(void)
{
	check(0, "0");
	check(9, "9");
	check(10, "10");
	check(11, "11");
	check(99, "99");
	check(65535, "2^16 - 1");
	check(655359, "10 * 2^16 - 1, the largest step dividend");
	check(UINT32_MAX - 1, "2^32 - 2");
	check(UINT32_MAX, "2^32 - 1");
	check((uint64_t)UINT32_MAX + 1, "2^32");
	check((uint64_t)UINT32_MAX + 10, "2^32 + 9");
	check(10000000000ull, "10^10");
	check(10000000000000000000ull, "10^19");
	check(9999999999999999999ull, "10^19 - 1");
	check(INT64_MAX, "INT64_MAX");
	check((uint64_t)INT64_MAX + 1, "2^63");
	check(UINT64_MAX - 1, "UINT64_MAX - 1");
	check(UINT64_MAX, "UINT64_MAX");
	check_many("0 up", 0, RANDOM_CASES, next_up);
	check_many("2^32 - 1000 up", (uint64_t)UINT32_MAX - 1000, 2000, next_up);
	check_many("UINT64_MAX - 1000 up, to the wrap", UINT64_MAX - 1000, 1001, next_up);
	check_many("xorshift64", 0x9e3779b97f4a7c15ull, RANDOM_CASES, next_random);
	check_many("xorshift64, shifted down", 0x2545f4914f6cdd1dull, RANDOM_CASES, next_random_small);
	return tap_done();
}
