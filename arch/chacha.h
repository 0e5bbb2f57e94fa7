/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20 keystream kernels (internal interface).
 *
 * Every kernel implements one function: write nblocks 64-byte blocks of
 * ChaCha20 keystream for a 256-bit key, starting at a 64-bit block counter,
 * to out (any alignment).  The layout is the original (DJB) one, the one
 * the kernel's vDSO uses: constants in words 0-3, key in 4-11, the 64-bit
 * counter in 12-13 (low word first), a zero nonce in 14-15.  The counter
 * advances by one per block and wraps modulo 2^64 in every kernel.
 */
#ifndef VGR_CHACHA_H
#define VGR_CHACHA_H

#include <stddef.h>
#include <stdint.h>

typedef void chacha_blocks_fn(uint8_t *out, const uint32_t key[8],
                              uint64_t counter, size_t nblocks);

struct chacha_kernel {
	const char *name;        /* "portable", "sse2", "avx2", ... */
	chacha_blocks_fn *blocks;
	unsigned width;          /* blocks computed in parallel */
};

/* The kernel this process uses: VGETRANDOM_CHACHA if it names a kernel the
 * CPU can run, else the fastest one it can.  Chosen once and cached. */
const struct chacha_kernel *chacha_kernel(void);

/* The named kernel, or NULL if it is unknown, not built, or this CPU
 * cannot run it. */
const struct chacha_kernel *chacha_kernel_named(const char *name);

/* Every kernel this CPU can run, fastest first; returns how many (at most
 * max are stored). */
size_t chacha_kernel_list(const struct chacha_kernel **out, size_t max);

#ifdef VGR_TESTING
/* The same for the kernels that only ever take the small tails of
 * another (the row-layout ones), so tests can run them on their own. */
size_t chacha_tail_kernel_list(const struct chacha_kernel **out, size_t max);
#endif

/* len bytes of keystream (any length) with kernel k.  A partial final block
 * (with the whole blocks of its group) is made in a stack buffer that is
 * wiped afterwards.  Kernels are at most 16 blocks wide. */
void chacha_stream(const struct chacha_kernel *k, uint8_t *out, size_t len,
                   const uint32_t key[8], uint64_t counter);

/* The kernels themselves; only those built for this target exist. */
chacha_blocks_fn chacha_blocks_portable;
chacha_blocks_fn chacha_blocks_sse2;
chacha_blocks_fn chacha_blocks_avx2;
chacha_blocks_fn chacha_blocks_avx2rows; /* tails and 1-4 block requests only */
chacha_blocks_fn chacha_blocks_avx512;
chacha_blocks_fn chacha_blocks_avx512vl;
chacha_blocks_fn chacha_blocks_avx512rows; /* tails and 2-4 block requests only */
chacha_blocks_fn chacha_blocks_neon;

#endif
