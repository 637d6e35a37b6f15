#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"

/* The mapping's length sits in front of the block, so mem_free and
 * mem_realloc need only the pointer. */
union head {
	size_t len;
	max_align_t align;
};

static union head *head_of(void *p)
{
	return (union head *)p - 1;
}

static int too_big(size_t n)
{
	if (n <= SIZE_MAX - sizeof(union head))
		return 0;
	errno = ENOMEM;
	return 1;
}

void *mem_alloc(size_t n)
{
	union head *h;

	if (too_big(n))
		return NULL;
	h = mmap(NULL, sizeof *h + n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return NULL;
	h->len = sizeof *h + n;
	return h + 1;
}

void *mem_realloc(void *p, size_t n)
{
	union head *h;

	if (!p)
		return mem_alloc(n);
	h = head_of(p);
	if (too_big(n))
		return NULL;
	if (sizeof *h + n <= h->len) {
		/* Kept mapped; zeroed, so growing back gives zeros as promised. */
		memset((char *)p + n, 0, h->len - sizeof *h - n);
		return p;
	}
	h = mremap(h, h->len, sizeof *h + n, MREMAP_MAYMOVE);
	if (h == MAP_FAILED)
		return NULL;
	h->len = sizeof *h + n;
	return h + 1;
}

void mem_free(void *p)
{
	int e = errno;

	if (p)
		munmap(head_of(p), head_of(p)->len);
	errno = e;
}
