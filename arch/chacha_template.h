/* SPDX-License-Identifier: MIT */
/*
 * The part every kernel shares (the portable one is the case W = 1),
 * included by each ISA file after
 * it defines its vector type and operations:
 *
 *   VEC              the vector type (one 32-bit word of W blocks)
 *   W                lanes, i.e. blocks per group
 *   V_ADD, V_XOR     lane-wise 32-bit add and xor
 *   V_ROTL(x, n)     lane-wise 32-bit rotate left by n (16, 12, 8, 7),
 *                    unless the file brings its own CHACHA_GROUP
 *   V_SPLAT(v)       every lane = v
 *   V_LOADU(p)       load W 32-bit words
 *
 * and optionally CHACHA_WIDE_GROUPS (see CHACHA_DEFINE_KERNEL).
 *
 * The state is "vertical": x[i] holds word i of W consecutive blocks, so a
 * quarter round is a handful of vector instructions with no shuffles.  Each
 * file then transposes back to byte order in its own store_group().
 */
#ifndef VGR_CHACHA_TEMPLATE_H
#define VGR_CHACHA_TEMPLATE_H

#include <string.h>

#include "chacha_clear.h"

#if W == 1
#define CHACHA_IOTA 0
#elif W == 4
#define CHACHA_IOTA 0, 1, 2, 3
#elif W == 8
#define CHACHA_IOTA 0, 1, 2, 3, 4, 5, 6, 7
#elif W == 16
#define CHACHA_IOTA 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
#else
#error "no lane numbers for this W"
#endif

/* Every fixed-count loop in a kernel must be unrolled: a loop that indexes
 * x[] with a variable sends the whole state through the stack (at -O2 that
 * cost the AVX-512 kernel 15% of its throughput).  GCC and Clang both read
 * this pragma. */
#define CHACHA_UNROLL _Pragma("GCC unroll 16")

/* One step of the four quarter rounds of a half round, written step by
 * step across the four columns (or diagonals) rather than one quarter round
 * after another: the four independent chains sit next to each other, which
 * is the order the core wants them in and the one the compiler keeps. */
#define CHACHA_STEP4(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, n)      \
	do {                                                                 \
		a0 = V_ADD(a0, b0); a1 = V_ADD(a1, b1);                      \
		a2 = V_ADD(a2, b2); a3 = V_ADD(a3, b3);                      \
		d0 = V_XOR(d0, a0); d1 = V_XOR(d1, a1);                      \
		d2 = V_XOR(d2, a2); d3 = V_XOR(d3, a3);                      \
		d0 = V_ROTL(d0, n); d1 = V_ROTL(d1, n);                      \
		d2 = V_ROTL(d2, n); d3 = V_ROTL(d3, n);                      \
	} while (0)

/* Quarter rounds on (a_i, b_i, c_i, d_i) for i = 0..3, interleaved. */
#define CHACHA_QR4(a0, b0, c0, d0, a1, b1, c1, d1,                           \
                   a2, b2, c2, d2, a3, b3, c3, d3)                           \
	do {                                                                 \
		CHACHA_STEP4(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, 16); \
		CHACHA_STEP4(c0, d0, b0, c1, d1, b1, c2, d2, b2, c3, d3, b3, 12); \
		CHACHA_STEP4(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, 8);  \
		CHACHA_STEP4(c0, d0, b0, c1, d1, b1, c2, d2, b2, c3, d3, b3, 7);  \
	} while (0)

/* An empty asm that claims to change p: the compiler must read *p afresh
 * after it, so it cannot keep values loaded from *p alive across it. */
#define CHACHA_RELOAD(p) __asm__("" : "+r"(p))

/* The 64-bit counters counter..counter+W-1 of a group's lanes, split into
 * state words 12 (lo) and 13 (hi).  The low words carry into the high ones
 * only when the first lane's low word is within W of 2^32, which takes a
 * scalar pass. */
static inline __attribute__((always_inline)) void
chacha_counter_words(uint64_t counter, VEC *lo, VEC *hi)
{
	static const uint32_t iota[W] = { CHACHA_IOTA };

	if ((uint32_t)counter <= UINT32_MAX - (W - 1)) {
		*lo = V_ADD(V_SPLAT((uint32_t)counter), V_LOADU(iota));
		*hi = V_SPLAT((uint32_t)(counter >> 32));
	} else {
		uint32_t l[W], h[W];
		for (unsigned i = 0; i < W; i++) {
			uint64_t c = counter + i;
			l[i] = (uint32_t)c;
			h[i] = (uint32_t)(c >> 32);
		}
		*lo = V_LOADU(l);
		*hi = V_LOADU(h);
	}
}

/* A kernel may compute its groups its own way (in assembly, say) by
 * defining CHACHA_GROUP(x, key, counter) with chacha_group()'s contract
 * before including this; otherwise the C rounds below do it, from the
 * file's V_ROTL. */
#ifndef CHACHA_GROUP
/* Build the W-block input state, run 20 rounds, add the input back.
 *
 * Nothing secret may reach the stack: a register allocator short of
 * registers spills whatever lives longest, and the longest-lived values
 * here are the key broadcasts, which the compiler would otherwise compute
 * once per call and keep across the rounds of every group.  A spilled key
 * is worse than spilled output: in the userspace generator it is the key
 * of the refill, and with it all the output of that refill and every key
 * after it could be recomputed.  So the key is read from memory where it
 * is used (CHACHA_RELOAD stops the compiler from keeping the first read
 * alive), and only the counter words, which are not secret, are kept for
 * the add-back. */
static inline __attribute__((always_inline)) void
chacha_group(VEC x[16], const uint32_t *key, uint64_t counter)
{
	static const uint32_t sigma[4] = CHACHA_SIGMA;
	VEC ctr_lo, ctr_hi;

	chacha_counter_words(counter, &ctr_lo, &ctr_hi);

	CHACHA_RELOAD(key);
	CHACHA_UNROLL
	for (int i = 0; i < 4; i++)
		x[i] = V_SPLAT(sigma[i]);
	CHACHA_UNROLL
	for (int i = 0; i < 8; i++)
		x[4 + i] = V_SPLAT(key[i]);
	x[12] = ctr_lo;
	x[13] = ctr_hi;
	x[14] = V_SPLAT(0);
	x[15] = V_SPLAT(0);

	for (int r = 0; r < 10; r++) {
		CHACHA_QR4(x[0], x[4], x[8], x[12], x[1], x[5], x[9], x[13],
		           x[2], x[6], x[10], x[14], x[3], x[7], x[11], x[15]);
		CHACHA_QR4(x[0], x[5], x[10], x[15], x[1], x[6], x[11], x[12],
		           x[2], x[7], x[8], x[13], x[3], x[4], x[9], x[14]);
	}
	CHACHA_RELOAD(key);
	CHACHA_UNROLL
	for (int i = 0; i < 4; i++)
		x[i] = V_ADD(x[i], V_SPLAT(sigma[i]));
	CHACHA_UNROLL
	for (int i = 0; i < 8; i++)
		x[4 + i] = V_ADD(x[4 + i], V_SPLAT(key[i]));
	x[12] = V_ADD(x[12], ctr_lo);
	x[13] = V_ADD(x[13], ctr_hi);
	/* words 14 and 15: the nonce is zero, nothing to add */
}
#define CHACHA_GROUP(x, key, counter) chacha_group(x, key, counter)
#endif

/* A kernel may first take what it can in wider steps than one group; it
 * defines CHACHA_WIDE_GROUPS(out, key, counter, nblocks) to do so and to
 * advance its arguments past what it made. */
#ifndef CHACHA_WIDE_GROUPS
#define CHACHA_WIDE_GROUPS(out, key, counter, nblocks) ((void)0)
#endif

/* Defines the kernel entry point NAME from the file's store_group(): whole
 * groups straight into out, and any remainder as one more group through a
 * wiped stack buffer.  Which narrower kernel takes a small remainder
 * instead is not decided here but in one place, chacha_blocks()
 * (chacha_dispatch.c).
 *
 * The round state is a local array whose address never escapes, so the
 * compiler can keep it in registers; taking its address (to wipe it) would
 * force all sixteen vectors through the stack on every group.  What does
 * reach the stack is zeroed by the entry point once the body has returned
 * (chacha_clear.h); tests/unit/test_chacha_stack.c checks that no key-dependent
 * byte is left below the caller's frame, in memory or in registers. */
#define CHACHA_DEFINE_KERNEL(NAME)                                           \
	/* A partial group, in a frame of its own: the common calls then   \
	 * leave a small frame to zero, not one with a tail buffer. */     \
	static __attribute__((noinline)) uintptr_t                           \
	NAME##_tail(uint8_t *out, const uint32_t key[8], uint64_t counter,  \
	            size_t nblocks)                                          \
	{                                                                    \
		VEC x[16];                                                   \
		uint8_t tail[64 * W];                                        \
		CHACHA_GROUP(x, key, counter);                               \
		store_group(tail, x);                                        \
		memcpy(out, tail, 64 * nblocks);                             \
		explicit_bzero(tail, sizeof(tail));                          \
		uintptr_t sp = 0;                                            \
		CHACHA_READ_SP_OR_ZERO(sp);                                  \
		return sp;                                                   \
	}                                                                    \
	/* Returns the lowest stack address it or its tail reached. */      \
	static __attribute__((noinline)) uintptr_t                           \
	NAME##_body(uint8_t *out, const uint32_t key[8], uint64_t counter,  \
	            size_t nblocks)                                          \
	{                                                                    \
		uintptr_t sp = 0;                                            \
		CHACHA_WIDE_GROUPS(out, key, counter, nblocks);              \
		for (; nblocks >= W; nblocks -= W, counter += W, out += 64 * W) { \
			VEC x[16];                                           \
			CHACHA_GROUP(x, key, counter);                       \
			store_group(out, x);                                 \
		}                                                            \
		if (nblocks)                                                 \
			sp = NAME##_tail(out, key, counter, nblocks);        \
		else                                                         \
			CHACHA_READ_SP_OR_ZERO(sp);                          \
		CHACHA_CLEAR_REGISTERS();                                    \
		return sp;                                                   \
	}                                                                    \
	CHACHA_DEFINE_ENTRY(NAME, NAME##_body)

#endif
