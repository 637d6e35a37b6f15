#include <string.h>

#include "sort.h"

#define SWAP_CHUNK 64
#define GAPS_MAX 64  /* more than a size_t can count */

static void swap(char *a, char *b, size_t size)
{
	char t[SWAP_CHUNK];

	while (size) {
		size_t n = size < sizeof t ? size : sizeof t;
		memcpy(t, a, n);
		memcpy(a, b, n);
		memcpy(b, t, n);
		a += n;
		b += n;
		size -= n;
	}
}

void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t gaps[GAPS_MAX], k = 0;

	/* Tokuda's gaps, near enough: 1, 3, 7, 16, 37, 84, ... (x 2.25 + 1). */
	for (size_t g = 1; g < n && k < GAPS_MAX; g = g * 9 / 4 + 1)
		gaps[k++] = g;
	while (k--)
		for (size_t gap = gaps[k], i = gap; i < n; i++)
			for (size_t j = i; j >= gap && cmp(b + (j - gap) * size, b + j * size) > 0; j -= gap)
				swap(b + (j - gap) * size, b + j * size, size);
}
