#ifndef TETHER_DIV10_H
#define TETHER_DIV10_H

#include <stdint.h>

/*
 * Division by ten without libgcc. On 32-bit targets gcc makes a 64-bit
 * '/' or '%' a call to __udivdi3 or __aeabi_uldivmod (4.5 KiB on MIPS),
 * and at -Os on ARMv7-A even a 32-bit one a call to __aeabi_uidiv.
 *
 * Header-only, so that cbor_diag.c (built alone by tests/fuzz/fuzz.sh)
 * can use it as fmt.c does.
 */

/* x / 10 for every 32-bit x: x * ceil(2^35 / 10) / 2^35, one 32x32->64
 * multiply (multu, umull). */
static inline uint32_t u32_div10(uint32_t x)
{
	return (uint32_t)((uint64_t)x * 0xcccccccdu >> 35);
}

/* v / 10, and v % 10 in *rem: long division by 32-bit steps, first the
 * high half, then 16 bits at a time, so that each step's dividend is a
 * remainder (below 10) in front of 16 new bits and fits 32 bits. */
static inline uint64_t u64_div10(uint64_t v, unsigned *rem)
{
	uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
	uint32_t q_hi = u32_div10(hi), mid = (hi - q_hi * 10) << 16 | lo >> 16;
	uint32_t q_mid = u32_div10(mid), low = (mid - q_mid * 10) << 16 | (lo & 0xffff);
	uint32_t q_low = u32_div10(low);

	*rem = low - q_low * 10;
	return (uint64_t)q_hi << 32 | q_mid << 16 | q_low;
}

#endif
