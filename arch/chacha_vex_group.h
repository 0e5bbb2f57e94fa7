/* SPDX-License-Identifier: MIT */
/*
 * One vertical group of ChaCha20 blocks in VEX-encoded vector registers,
 * in assembly: 8 blocks in ymm (AVX2) or 4 in xmm (AVX).  The including
 * file defines VEX_REG ("ymm" or "xmm") and VEX_BYTES ("32" or "16"), and
 * includes it after its vector type and chacha_template.h.
 *
 * Why assembly: x86-64 has sixteen of these registers and the state is
 * sixteen vectors, so something must live in memory, and the rotations by
 * 12 and 7 (shift, shift, or) need a scratch register each.  Left to
 * itself the compiler kept the key broadcasts in registers and put round
 * state on the stack at dozens of places in every double round, well
 * behind OpenSSL's AVX2 ChaCha20 (bench-chacha).  Here
 * the choice is made once: rows a, b and d stay in registers, two of the
 * four c words at a time live in memory (the group's output slots st[8..11],
 * which the entry point zeroes afterwards), and the quarter rounds run in
 * pairs, so one pair's c words are swapped in while the other pair's work
 * is still in flight.  The out-of-order core overlaps the two pairs of a
 * half round; they share nothing.
 *
 * Registers: 0-3 = a0-a3, 4-7 = b0-b3, 8-9 = the two c words in use,
 * 10-11 = scratch, 12-15 = d0-d3.
 */
#ifndef VGR_CHACHA_VEX_GROUP_H
#define VGR_CHACHA_VEX_GROUP_H

#define VX_R(n) "%%" VEX_REG #n
#define VX_SLOT(k) #k "*" VEX_BYTES "(%[st])"
#define VX_ADD(a, b) "vpaddd " VX_R(b) ", " VX_R(a) ", " VX_R(a) "\n\t"
#define VX_XOR(d, a) "vpxor " VX_R(a) ", " VX_R(d) ", " VX_R(d) "\n\t"
/* rotate by 16 or 8: a byte shuffle, mask at 0 or 32 bytes into [m] */
#define VX_SHUF(d, off) "vpshufb " #off "(%[m]), " VX_R(d) ", " VX_R(d) "\n\t"
#define VX_SHL(t, b, n) "vpslld $" #n ", " VX_R(b) ", " VX_R(t) "\n\t"
#define VX_SHR(b, n) "vpsrld $" #n ", " VX_R(b) ", " VX_R(b) "\n\t"
#define VX_OR(b, t) "vpor " VX_R(t) ", " VX_R(b) ", " VX_R(b) "\n\t"
#define VX_ROT2(b0, b1, n, rn)                                               \
	VX_SHL(10, b0, n) VX_SHL(11, b1, n) VX_SHR(b0, rn) VX_SHR(b1, rn)    \
	VX_OR(b0, 10) VX_OR(b1, 11)
#define VX_LOAD(r, k) "vmovdqa " VX_SLOT(k) ", " VX_R(r) "\n\t"
#define VX_STORE(r, k) "vmovdqa " VX_R(r) ", " VX_SLOT(k) "\n\t"
#define VX_BCAST(r, off, base) "vbroadcastss " #off "(%[" #base "]), " VX_R(r) "\n\t"

/* Two quarter rounds, (a0,b0,c0,d0) and (a1,b1,c1,d1), step by step. */
#define VX_PAIR(a0, b0, c0, d0, a1, b1, c1, d1)                               \
	VX_ADD(a0, b0) VX_ADD(a1, b1) VX_XOR(d0, a0) VX_XOR(d1, a1)          \
	VX_SHUF(d0, 0) VX_SHUF(d1, 0)                                        \
	VX_ADD(c0, d0) VX_ADD(c1, d1) VX_XOR(b0, c0) VX_XOR(b1, c1)          \
	VX_ROT2(b0, b1, 12, 20)                                              \
	VX_ADD(a0, b0) VX_ADD(a1, b1) VX_XOR(d0, a0) VX_XOR(d1, a1)          \
	VX_SHUF(d0, 32) VX_SHUF(d1, 32)                                      \
	VX_ADD(c0, d0) VX_ADD(c1, d1) VX_XOR(b0, c0) VX_XOR(b1, c1)          \
	VX_ROT2(b0, b1, 7, 25)

/* Enters and leaves with c0, c1 in registers 8, 9 and c2, c3 in slots
 * 10, 11.  Columns (0,1) then (2,3); diagonals (a0,b1,c2,d3), (a1,b2,c3,d0)
 * while c2, c3 are in, then (a2,b3,c0,d1), (a3,b0,c1,d2). */
#define VX_DOUBLE_ROUND                                                       \
	VX_PAIR(0, 4, 8, 12, 1, 5, 9, 13)                                    \
	VX_STORE(8, 8) VX_STORE(9, 9) VX_LOAD(8, 10) VX_LOAD(9, 11)          \
	VX_PAIR(2, 6, 8, 14, 3, 7, 9, 15)                                    \
	VX_PAIR(0, 5, 8, 15, 1, 6, 9, 12)                                    \
	VX_STORE(8, 10) VX_STORE(9, 11) VX_LOAD(8, 8) VX_LOAD(9, 9)          \
	VX_PAIR(2, 7, 8, 13, 3, 4, 9, 14)

/* Add input word (broadcast from off(base)) to register r, store to slot k. */
#define VX_FINISH(r, k, off, base)                                            \
	VX_BCAST(10, off, base) VX_ADD(r, 10) VX_STORE(r, k)

/* The group's keystream words, before the transpose, into st[0..15]:
 * st[i] = word i of the W blocks counter .. counter + W - 1. */
static inline __attribute__((always_inline)) void
vex_group(VEC st[16], const uint32_t *key, uint64_t counter)
{
	static const uint8_t rot_masks[64] __attribute__((aligned(32))) = {
		2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, /* rotl 16 */
		2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
		3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, /* rotl 8 */
		3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
	};
	static const uint32_t sigma[4] = CHACHA_SIGMA;
	VEC ctr[2];
	unsigned rounds = 10;

	chacha_counter_words(counter, &ctr[0], &ctr[1]);
	__asm__ volatile(
		VX_BCAST(0, 0, sg) VX_BCAST(1, 4, sg) VX_BCAST(2, 8, sg) VX_BCAST(3, 12, sg)
		VX_BCAST(4, 0, k) VX_BCAST(5, 4, k) VX_BCAST(6, 8, k) VX_BCAST(7, 12, k)
		VX_BCAST(8, 16, k) VX_BCAST(9, 20, k)
		VX_BCAST(10, 24, k) VX_BCAST(11, 28, k)
		VX_STORE(10, 10) VX_STORE(11, 11)
		"vmovdqu (%[c]), " VX_R(12) "\n\t"
		"vmovdqu " VEX_BYTES "(%[c]), " VX_R(13) "\n\t"
		"vpxor " VX_R(14) ", " VX_R(14) ", " VX_R(14) "\n\t"
		"vpxor " VX_R(15) ", " VX_R(15) ", " VX_R(15) "\n\t"
		".p2align 4\n"
		"1:\n\t"
		VX_DOUBLE_ROUND
		"dec %[n]\n\t"
		"jnz 1b\n\t"
		VX_FINISH(0, 0, 0, sg) VX_FINISH(1, 1, 4, sg)
		VX_FINISH(2, 2, 8, sg) VX_FINISH(3, 3, 12, sg)
		VX_FINISH(4, 4, 0, k) VX_FINISH(5, 5, 4, k)
		VX_FINISH(6, 6, 8, k) VX_FINISH(7, 7, 12, k)
		VX_FINISH(8, 8, 16, k) VX_FINISH(9, 9, 20, k)
		VX_LOAD(8, 10) VX_FINISH(8, 10, 24, k)
		VX_LOAD(9, 11) VX_FINISH(9, 11, 28, k)
		"vpaddd (%[c]), " VX_R(12) ", " VX_R(12) "\n\t"
		"vpaddd " VEX_BYTES "(%[c]), " VX_R(13) ", " VX_R(13) "\n\t"
		VX_STORE(12, 12) VX_STORE(13, 13) VX_STORE(14, 14) VX_STORE(15, 15)
		: [n] "+r"(rounds)
		: [st] "r"(st), [k] "r"(key), [c] "r"(ctr), [sg] "r"(sigma), [m] "r"(rot_masks)
		: "memory", "cc", CHACHA_XMM_0_15);
}

#endif
