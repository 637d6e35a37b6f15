#ifndef TETHER_SORT_H
#define TETHER_SORT_H

#include <stddef.h>

/* Sort n elements of size bytes in place, as qsort does (not stable).
 * Shell sort: no allocation, and far from quadratic for the 10,000s of
 * record names a state dir may hold. */
void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
