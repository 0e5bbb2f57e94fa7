/* SPDX-License-Identifier: MIT */
/*
 * The part every kernel shares (the portable one is the case W = 1),
 * included by each ISA file after
 * it defines its vector type and operations:
 *
 *   VEC              the vector type (one 32-bit word of W blocks)
 *   W                lanes, i.e. blocks per group
 *   V_ADD, V_XOR     lane-wise 32-bit add and xor
 *   V_ROTL(x, n)     lane-wise 32-bit rotate left by n (16, 12, 8, 7)
 *   V_SPLAT(v)       every lane = v
 *   V_LOADU(p)       load W 32-bit words
 *
 * The state is "vertical": x[i] holds word i of W consecutive blocks, so a
 * quarter round is a handful of vector instructions with no shuffles.  Each
 * file then transposes back to byte order in its own store_group().
 */
#ifndef VGR_CHACHA_TEMPLATE_H
#define VGR_CHACHA_TEMPLATE_H

#include <string.h>

#define CHACHA_QR(a, b, c, d)                                                \
	do {                                                                 \
		a = V_ADD(a, b); d = V_XOR(d, a); d = V_ROTL(d, 16);         \
		c = V_ADD(c, d); b = V_XOR(b, c); b = V_ROTL(b, 12);         \
		a = V_ADD(a, b); d = V_XOR(d, a); d = V_ROTL(d, 8);          \
		c = V_ADD(c, d); b = V_XOR(b, c); b = V_ROTL(b, 7);          \
	} while (0)

/* Build the W-block input state, run 20 rounds, add the input back.  Only
 * the counter words need registers of their own for the add-back; the
 * constants and key are broadcast again (a memory operand on AVX-512),
 * which leaves the register file to the rounds. */
static inline __attribute__((always_inline)) void
chacha_group(VEC x[16], const uint32_t key[8], uint64_t counter)
{
	static const uint32_t sigma[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t lo[W], hi[W];
	VEC ctr_lo, ctr_hi;

	/* The 64-bit counter of each lane, split into words 12 and 13. */
	for (unsigned i = 0; i < W; i++) {
		uint64_t c = counter + i;
		lo[i] = (uint32_t)c;
		hi[i] = (uint32_t)(c >> 32);
	}
	ctr_lo = V_LOADU(lo);
	ctr_hi = V_LOADU(hi);

	for (int i = 0; i < 4; i++)
		x[i] = V_SPLAT(sigma[i]);
	for (int i = 0; i < 8; i++)
		x[4 + i] = V_SPLAT(key[i]);
	x[12] = ctr_lo;
	x[13] = ctr_hi;
	x[14] = V_SPLAT(0);
	x[15] = V_SPLAT(0);

	for (int r = 0; r < 10; r++) {
		CHACHA_QR(x[0], x[4], x[8], x[12]);
		CHACHA_QR(x[1], x[5], x[9], x[13]);
		CHACHA_QR(x[2], x[6], x[10], x[14]);
		CHACHA_QR(x[3], x[7], x[11], x[15]);
		CHACHA_QR(x[0], x[5], x[10], x[15]);
		CHACHA_QR(x[1], x[6], x[11], x[12]);
		CHACHA_QR(x[2], x[7], x[8], x[13]);
		CHACHA_QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 4; i++)
		x[i] = V_ADD(x[i], V_SPLAT(sigma[i]));
	for (int i = 0; i < 8; i++)
		x[4 + i] = V_ADD(x[4 + i], V_SPLAT(key[i]));
	x[12] = V_ADD(x[12], ctr_lo);
	x[13] = V_ADD(x[13], ctr_hi);
	/* words 14 and 15: the nonce is zero, nothing to add */
}

/* Defines the kernel entry point NAME from the file's store_group(): whole
 * groups straight into out; a remainder of at most NARROW_MAX blocks by the
 * next narrower kernel NARROWER (NULL for none), so a 2-block request does
 * not pay for 16; any other remainder as one more group through a wiped
 * stack buffer. */
#define CHACHA_DEFINE_KERNEL(NAME, NARROWER, NARROW_MAX)                     \
	void NAME(uint8_t *out, const uint32_t key[8], uint64_t counter,    \
	          size_t nblocks)                                            \
	{                                                                    \
		chacha_blocks_fn *narrower = NARROWER;                       \
		if (nblocks && nblocks < W && narrower &&                    \
		    nblocks <= (NARROW_MAX)) {                               \
			narrower(out, key, counter, nblocks);                \
			return;                                              \
		}                                                            \
		VEC x[16];                                                   \
		for (; nblocks >= W; nblocks -= W, counter += W, out += 64 * W) { \
			chacha_group(x, key, counter);                       \
			store_group(out, x);                                 \
		}                                                            \
		if (nblocks && narrower && nblocks <= (NARROW_MAX)) {        \
			narrower(out, key, counter, nblocks);                \
		} else if (nblocks) {                                        \
			uint8_t tail[64 * W];                                \
			chacha_group(x, key, counter);                       \
			store_group(tail, x);                                \
			memcpy(out, tail, 64 * nblocks);                     \
			explicit_bzero(tail, sizeof(tail));                  \
		}                                                            \
		/* the round state held keystream (the next key, in the     \
		 * userspace generator): leave none of it on the stack */   \
		explicit_bzero(x, sizeof(x));                                \
	}

#endif
