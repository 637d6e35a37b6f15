/* mem: blocks over anonymous mappings, in place of malloc. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "mem.h"
#include "tap.h"

#define ENTRIES 20000

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_alloc(void)
{
	unsigned char *p = mem_alloc(100000);

	ok(p && all_zero(p, 100000), "mem_alloc gives zeroed bytes");
	ok(p && (uintptr_t)p % _Alignof(max_align_t) == 0, "the block is aligned for any type");
	if (p)
		memset(p, 0xa5, 100000);
	mem_free(p);
	ok(mem_alloc(0) != NULL, "mem_alloc(0) is a block too");
	errno = 0;
	ok(mem_alloc(SIZE_MAX) == NULL && errno == ENOMEM, "an impossible size fails with ENOMEM");
	errno = EINTR;
	mem_free(NULL);
	is_int(errno, EINTR, "mem_free(NULL) does nothing, errno kept");
}

/* The growth pattern of state.c and route.c: double when full, keep
 * every entry written so far. */
static void test_grow(void)
{
	unsigned *v = NULL, *first;
	size_t cap = 0, moved = 0, bad = 0;

	for (unsigned i = 0; i < ENTRIES; i++) {
		if (i == cap) {
			size_t more = cap ? 2 * cap : 16;
			unsigned *g = mem_realloc(v, more * sizeof *v);
			if (!g)
				break;
			moved += g != v && v;
			v = g;
			cap = more;
			if (!all_zero((unsigned char *)(v + i), (cap - i) * sizeof *v))
				bad++;
		}
		v[i] = i * 2654435761u;
	}
	for (unsigned i = 0; v && i < ENTRIES; i++)
		bad += v[i] != i * 2654435761u;
	ok(v && cap >= ENTRIES && !bad, "%d entries survive doubling from 16 (%zu moves)", ENTRIES, moved);
	first = v;
	ok(mem_realloc(v, 10 * sizeof *v) == first, "a smaller size keeps the block where it is");
	ok(mem_realloc(v, cap * sizeof *v) == first, "the same size keeps it too");
	unsigned *p = mem_realloc(NULL, 8);
	ok(p && !*p, "mem_realloc(NULL, n) allocates");
	mem_free(p);
	errno = EINTR;
	ok(mem_realloc(v, SIZE_MAX) == NULL && errno == ENOMEM && v[9] == 9 * 2654435761u,
	   "a failed mem_realloc leaves the block as it was");
	errno = EINTR;
	mem_free(v);
	is_int(errno, EINTR, "mem_free keeps errno");
}

/* A block shrunk and grown back: the bytes beyond the shrink are new,
 * so zero, even though the mapping kept them. */
static void test_shrink(void)
{
	unsigned char *p = mem_alloc(4096), *q;

	if (p)
		memset(p, 0xa5, 4096);
	q = mem_realloc(p, 100);
	q = q ? mem_realloc(q, 4096) : NULL;
	ok(q && q[99] == 0xa5 && all_zero(q + 100, 4096 - 100), "shrink then grow: the kept bytes stay, the rest are zero");
	mem_free(q);
}

int main(void)
{
	test_alloc();
	test_grow();
	test_shrink();
	return tap_done();
}
