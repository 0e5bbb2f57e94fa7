/* SPDX-License-Identifier: MIT */
/*
 * The part every vertical kernel shares (the portable one is the case
 * W = 1).  Each ISA file is laid out the same way, top to bottom:
 *
 *   1. its vector type and operations (VEC, W, V_ADD, V_XOR, V_SPLAT,
 *      V_LOADU; V_ROTL too when it uses the C rounds);
 *   2. this file: the counter words and CHACHA_DEFINE_KERNEL;
 *   3. its rounds: chacha_rounds.h (C, from V_ROTL) or its own, a function
 *      group(VEC x[16], const uint32_t *key, uint64_t counter) that leaves
 *      the W finished blocks in x;
 *   4. store_group(out, x): back to byte order;
 *   5. CHACHA_DEFINE_KERNEL(name, group), which names the rounds it uses.
 *
 * The state is "vertical": x[i] holds word i of W consecutive blocks, so a
 * quarter round is a handful of vector instructions with no shuffles.
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
 * x[] with a variable sends the whole state through the stack, which costs
 * a wide kernel much of its throughput.  GCC and Clang both read this
 * pragma. */
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

/* Defines the kernel entry point NAME from the file's GROUP function and
 * store_group(): whole groups straight into out, and any remainder as one
 * more group through a wiped stack buffer.  Which narrower kernel takes a
 * small remainder instead is not decided here but in one place,
 * chacha_blocks() (chacha_dispatch.c).
 *
 * The round state is a local array whose address never escapes, so the
 * compiler can keep it in registers; taking its address (to wipe it) would
 * force all sixteen vectors through the stack on every group.  What does
 * reach the stack is zeroed by the entry point once the body has returned
 * (chacha_clear.h); tests/unit/test_chacha_stack.c checks that no key-dependent
 * byte is left below the caller's frame, in memory or in registers.  That
 * zeroing reaches as deep as the body's own stack pointer, not a callee's
 * frame: every helper the body calls (store_group(), the rounds) is
 * always_inline, since a compiler may otherwise call it (the ASan build
 * did, and left keystream 1 KiB below the zeroed part). */
#define CHACHA_DEFINE_KERNEL(NAME, GROUP)                                    \
	CHACHA_DEFINE_KERNEL_WIDE(NAME, GROUP, CHACHA_NO_WIDE_GROUPS)

/* The same, for a kernel that first takes what it can in steps wider than
 * one group: WIDE(&out, key, &counter, &nblocks) makes those blocks and
 * advances its arguments past them (chacha_avx512.c). */
#define CHACHA_NO_WIDE_GROUPS(out, key, counter, nblocks) ((void)0)
#define CHACHA_DEFINE_KERNEL_WIDE(NAME, GROUP, WIDE)                         \
	/* A partial group, in a frame of its own: the common calls then   \
	 * leave a small frame to zero, not one with a tail buffer. */     \
	static __attribute__((noinline)) uintptr_t                           \
	NAME##_tail(uint8_t *out, const uint32_t key[8], uint64_t counter,  \
	            size_t nblocks)                                          \
	{                                                                    \
		VEC x[16];                                                   \
		uint8_t tail[64 * W];                                        \
		GROUP(x, key, counter);                                      \
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
		WIDE(&out, key, &counter, &nblocks);                         \
		for (; nblocks >= W; nblocks -= W, counter += W, out += 64 * W) { \
			VEC x[16];                                           \
			GROUP(x, key, counter);                              \
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
