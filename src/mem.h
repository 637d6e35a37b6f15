#ifndef TETHER_MEM_H
#define TETHER_MEM_H

#include <stddef.h>

/*
 * Memory without malloc, for the few blocks tether needs that are big or
 * grow: each block is one anonymous private mapping (Linux mmap, mremap),
 * zero-filled, whole pages. Not for many small objects.
 */

/* n zeroed bytes, or NULL with errno (ENOMEM). */
void *mem_alloc(size_t n);
/* Like realloc: p NULL allocates; new bytes are zero; a block never
 * shrinks. NULL with errno on failure, and p is still valid. */
void *mem_realloc(void *p, size_t n);
/* p may be NULL; errno is kept. */
void mem_free(void *p);

#endif
