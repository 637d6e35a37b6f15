/* sort: the shell sort that replaces qsort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sort.h"
#include "tap.h"

#define BIG 20000
#define NAME_W 65

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static unsigned long long compares;

static int cmp_counted(const void *a, const void *b)
{
	compares++;
	return cmp_ll(a, b);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int sorted(const long long *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] > v[i])
			return 0;
	return 1;
}

static long long sum(const long long *v, size_t n)
{
	long long s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i] * (v[i] + 7);
	return s;
}

static void test_small(void)
{
	long long one[] = { 5 }, two[] = { 9, -3 }, dup[] = { 2, 1, 2, 1, 2, 0 };
	long long want[] = { 0, 1, 1, 2, 2, 2 };

	sort(NULL, 0, sizeof(long long), cmp_ll);
	ok(1, "no elements, NULL base: nothing happens");
	sort(one, 1, sizeof *one, cmp_ll);
	is_int(one[0], 5, "one element stays");
	sort(two, 2, sizeof *two, cmp_ll);
	ok(two[0] == -3 && two[1] == 9, "two elements swap");
	sort(dup, 6, sizeof *dup, cmp_ll);
	ok(!memcmp(dup, want, sizeof want), "duplicates sort together");
}

static void test_big(const char *what, long long (*gen)(size_t i))
{
	static long long v[BIG];
	long long before;

	for (size_t i = 0; i < BIG; i++)
		v[i] = gen(i);
	before = sum(v, BIG);
	compares = 0;
	sort(v, BIG, sizeof *v, cmp_counted);
	ok(sorted(v, BIG) && sum(v, BIG) == before, "%d %s numbers sort, none lost", BIG, what);
	/* qsort's n log2 n is ~286,000 here; quadratic would be 200,000,000. */
	ok(compares < 3000000, "%s: %llu comparisons, far from quadratic", what, compares);
}

static long long gen_random(size_t i) { (void)i; return (long long)(rand() % 100000) - 50000; }
static long long gen_up(size_t i) { return (long long)i; }
static long long gen_down(size_t i) { return BIG - (long long)i; }
static long long gen_few(size_t i) { return (long long)(i * 7919 % 5); }

static void test_names(void)
{
	static char v[BIG][NAME_W];
	int bad = 0;

	for (int i = 0; i < BIG; i++)
		snprintf(v[i], NAME_W, "daemon-%05d", (i * 7919) % BIG);
	sort(v, BIG, sizeof *v, cmp_name);
	for (int i = 0; i < BIG; i++) {
		char want[NAME_W];
		snprintf(want, sizeof want, "daemon-%05d", i);
		bad += strcmp(v[i], want) != 0;
	}
	ok(!bad, "%d fixed-width record names sort like strcmp", BIG);
}

int main(void)
{
	srand((unsigned)time(NULL));
	test_small();
	test_big("random", gen_random);
	test_big("ascending", gen_up);
	test_big("descending", gen_down);
	test_big("five-valued", gen_few);
	test_names();
	return tap_done();
}
