/* SPDX-License-Identifier: MIT */
#ifndef VGR_HYBRID_BULK_H
#define VGR_HYBRID_BULK_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The hybrid bulk path: for a large request, a fresh 32-byte key from the
 * vDSO in this very call, expanded with the fastest ChaCha kernel straight
 * into the caller's buffer, then wiped.  Nothing is kept between calls, so
 * the output is exactly as fresh as the vDSO's own.
 *
 * The threshold is the crossover of "vDSO for the whole request" and "vDSO
 * for 32 bytes + local expansion": the vgetrandom-vdso and
 * vgetrandom-hybrid-all rows of bench/vgetrandom-bench.  All three machines
 * measured so far put it between 64 and 128 bytes: at 64 B the vDSO alone
 * was faster (AVX-512 Zen 4: 135 vs 197 ns; AVX2 Zen 3: 195 vs 269 ns;
 * AVX-512 Zen 5: 257 vs 288 ns), at 128 B the hybrid (194 vs 239; 271 vs
 * 344; 295 vs 476).
 */
#define VGR_HYBRID_MIN 128u

ssize_t hybrid_getrandom(void *buf, size_t len, unsigned int flags);

/* Test hook: how many requests of the calling thread took this path. */
unsigned long hybrid_call_count(void);

#endif
