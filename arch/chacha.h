/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20 implementations ("kernels": one per instruction set, in
 * chacha_<isa>.c; internal interface).
 *
 * The contract every kernel keeps, stated here once:
 *   - It writes nblocks 64-byte blocks of ChaCha20 keystream for a 256-bit
 *     key, starting at a 64-bit block counter, to out (any alignment), and
 *     writes nothing else the caller can see.
 *   - The layout is the original (DJB) one, the one Linux's vDSO uses:
 *     CHACHA_SIGMA in words 0-3, key in 4-11, the 64-bit counter in 12-13
 *     (low word first), a zero nonce in 14-15.  The counter advances by one
 *     per block and wraps modulo 2^64, carried in 64 bits in every kernel
 *     (implementations disagree at 2^32; the tests cross it).
 *   - It leaves nothing key-dependent behind (chacha_clear.h): on return
 *     the vector registers and caller-saved general registers it used are
 *     zero, and so is the stack below its entry point, where a kernel short
 *     of registers spills round state (which runs backwards to the key).
 *     The key itself is read from memory where used, not kept in a
 *     register across the rounds.
 *   - Any nblocks works: whole groups, then one more group through a wiped
 *     buffer.  Which narrower kernel takes a small remainder instead is
 *     decided in one place, the table in chacha_dispatch.c, applied by
 *     chacha_blocks() (the "rows" kernels exist only as such tails).
 */
#ifndef VGR_CHACHA_H
#define VGR_CHACHA_H

#include <stddef.h>
#include <stdint.h>

/* "expand 32-byte k" as four little-endian words: words 0-3 of every
 * block.  CHACHA_SIGMA_WORDS for intrinsics that take four ints. */
#define CHACHA_SIGMA_WORDS 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
#define CHACHA_SIGMA { CHACHA_SIGMA_WORDS }

typedef void chacha_blocks_fn(uint8_t *out, const uint32_t key[8],
                              uint64_t counter, size_t nblocks);

struct chacha_impl {
	const char *name;        /* "portable", "sse2", "avx2", ... */
	chacha_blocks_fn *blocks; /* the kernel itself: any nblocks */
	unsigned width;          /* blocks computed in parallel */
	const struct chacha_impl *tail; /* takes remainders of up to */
	unsigned tail_max;       /* this many blocks (chacha_dispatch.c) */
	/* vgetrandom_backend()'s names for the backends that run it:
	 * constants, so that naming a backend writes nothing. */
	const char *hybrid_name, *generator_name;
};

/* The kernel this process uses: VGETRANDOM_CHACHA if it names a kernel the
 * CPU can run, else the fastest one it can.  Chosen once and cached, with
 * no lock and no system call (the library chooses it at load); two
 * threads that choose at once choose the same. */
const struct chacha_impl *chacha_impl(void);

/* The named kernel, or NULL if it is unknown, not built, or this CPU
 * cannot run it. */
const struct chacha_impl *chacha_impl_named(const char *name);

/* Every kernel this CPU can run, fastest first; returns how many (at most
 * max are stored). */
size_t chacha_impl_list(const struct chacha_impl **out, size_t max);

/* The i-th of those, or NULL past the last. */
const struct chacha_impl *chacha_impl_nth(size_t i);

#ifdef VGR_TESTING
/* The same for the kernels that only ever take the small tails of
 * another (the row-layout ones), so tests can run them on their own. */
size_t vgr_test_chacha_tail_kernels(const struct chacha_impl **out, size_t max);
#endif

/* nblocks blocks with kernel k, its small remainder through k's tail
 * kernel: the one tail policy (chacha_dispatch.c has the table). */
void chacha_blocks(const struct chacha_impl *k, uint8_t *out, const uint32_t key[8],
                   uint64_t counter, size_t nblocks);

/* len bytes of keystream (any length) with kernel k.  A partial final block
 * (with the whole blocks of its group) is made in a stack buffer that is
 * wiped afterwards.  Kernels are at most 16 blocks wide. */
void chacha_stream(const struct chacha_impl *k, uint8_t *out, size_t len,
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
chacha_blocks_fn chacha_blocks_lsx;
chacha_blocks_fn chacha_blocks_lasx;

#endif
