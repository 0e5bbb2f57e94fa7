/* SPDX-License-Identifier: MIT */
/*
 * x86-64 AVX-512F: 16 blocks at a time in zmm registers, vprold rotates;
 * 32 at a time (two groups side by side) where the request allows.
 *
 * One 16-block group keeps only four independent dependency chains in each
 * half round; where vprold has a latency above one cycle, those chains,
 * not the vector pipes, set the pace.  Two groups give eight chains, but
 * need all 32 zmm registers for state and nothing else; the compiler
 * spills when asked for that, and runs slower than one group, so the
 * two-group rounds are written in assembly below,
 * with the constants and key read from memory where they are added; group
 * A leaves in registers for its transpose, group B through memory.
 */
#include "chacha.h"

#include <immintrin.h>

typedef __m512i VEC;
#define W 16u
#define V_ADD(a, b) _mm512_add_epi32(a, b)
#define V_XOR(a, b) _mm512_xor_si512(a, b)
#define V_ROTL(x, n) _mm512_rol_epi32(x, n)
#define V_SPLAT(v) _mm512_set1_epi32((int)(v))
#define V_LOADU(p) _mm512_loadu_si512((const void *)(p))

#include "chacha_template.h"
#include "chacha_rounds.h"

/* After a 4x4 transpose inside each 128-bit lane, r[k][j] holds words
 * 4k..4k+3 of block j + 4*lane.  Two rounds of 128-bit shuffles gather the
 * four quads of one block into one zmm. */
static inline __attribute__((always_inline)) void store_group(uint8_t *out, const VEC x[16])
{
	__m512i r[4][4];

	CHACHA_UNROLL
	for (int k = 0; k < 4; k++) {
		__m512i t0 = _mm512_unpacklo_epi32(x[4 * k], x[4 * k + 1]);
		__m512i t1 = _mm512_unpacklo_epi32(x[4 * k + 2], x[4 * k + 3]);
		__m512i t2 = _mm512_unpackhi_epi32(x[4 * k], x[4 * k + 1]);
		__m512i t3 = _mm512_unpackhi_epi32(x[4 * k + 2], x[4 * k + 3]);
		r[k][0] = _mm512_unpacklo_epi64(t0, t1);
		r[k][1] = _mm512_unpackhi_epi64(t0, t1);
		r[k][2] = _mm512_unpacklo_epi64(t2, t3);
		r[k][3] = _mm512_unpackhi_epi64(t2, t3);
	}
	CHACHA_UNROLL
	for (int j = 0; j < 4; j++) {
		/* [k0.L0 k0.L1 k1.L0 k1.L1] and [k0.L2 k0.L3 k1.L2 k1.L3], same for k2,k3 */
		__m512i s01lo = _mm512_shuffle_i32x4(r[0][j], r[1][j], _MM_SHUFFLE(1, 0, 1, 0));
		__m512i s01hi = _mm512_shuffle_i32x4(r[0][j], r[1][j], _MM_SHUFFLE(3, 2, 3, 2));
		__m512i s23lo = _mm512_shuffle_i32x4(r[2][j], r[3][j], _MM_SHUFFLE(1, 0, 1, 0));
		__m512i s23hi = _mm512_shuffle_i32x4(r[2][j], r[3][j], _MM_SHUFFLE(3, 2, 3, 2));
		_mm512_storeu_si512(out + 64 * (j + 0),
		                    _mm512_shuffle_i32x4(s01lo, s23lo, _MM_SHUFFLE(2, 0, 2, 0)));
		_mm512_storeu_si512(out + 64 * (j + 4),
		                    _mm512_shuffle_i32x4(s01lo, s23lo, _MM_SHUFFLE(3, 1, 3, 1)));
		_mm512_storeu_si512(out + 64 * (j + 8),
		                    _mm512_shuffle_i32x4(s01hi, s23hi, _MM_SHUFFLE(2, 0, 2, 0)));
		_mm512_storeu_si512(out + 64 * (j + 12),
		                    _mm512_shuffle_i32x4(s01hi, s23hi, _MM_SHUFFLE(3, 1, 3, 1)));
	}
}

/* The two-group rounds.  Registers 0-15 hold group A's state words 0-15,
 * 16-31 group B's; a quarter-round step is written for the four columns
 * (or diagonals) of A, then of B. */
#define ASM_ADD(a, b) "vpaddd %%zmm" #b ", %%zmm" #a ", %%zmm" #a "\n\t"
#define ASM_XOR(d, a) "vpxord %%zmm" #a ", %%zmm" #d ", %%zmm" #d "\n\t"
#define ASM_ROL(d, n) "vprold $" #n ", %%zmm" #d ", %%zmm" #d "\n\t"
#define ASM_STEP4(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, n)          \
	ASM_ADD(a0, b0) ASM_ADD(a1, b1) ASM_ADD(a2, b2) ASM_ADD(a3, b3)      \
	ASM_XOR(d0, a0) ASM_XOR(d1, a1) ASM_XOR(d2, a2) ASM_XOR(d3, a3)      \
	ASM_ROL(d0, n) ASM_ROL(d1, n) ASM_ROL(d2, n) ASM_ROL(d3, n)
#define ASM_HALF(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3, \
                 A0, B0, C0, D0, A1, B1, C1, D1, A2, B2, C2, D2, A3, B3, C3, D3) \
	ASM_STEP4(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, 16)        \
	ASM_STEP4(A0, B0, D0, A1, B1, D1, A2, B2, D2, A3, B3, D3, 16)        \
	ASM_STEP4(c0, d0, b0, c1, d1, b1, c2, d2, b2, c3, d3, b3, 12)        \
	ASM_STEP4(C0, D0, B0, C1, D1, B1, C2, D2, B2, C3, D3, B3, 12)        \
	ASM_STEP4(a0, b0, d0, a1, b1, d1, a2, b2, d2, a3, b3, d3, 8)         \
	ASM_STEP4(A0, B0, D0, A1, B1, D1, A2, B2, D2, A3, B3, D3, 8)         \
	ASM_STEP4(c0, d0, b0, c1, d1, b1, c2, d2, b2, c3, d3, b3, 7)         \
	ASM_STEP4(C0, D0, B0, C1, D1, B1, C2, D2, B2, C3, D3, B3, 7)
#define ASM_DOUBLE_ROUND                                                     \
	ASM_HALF(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,      \
	         16, 20, 24, 28, 17, 21, 25, 29, 18, 22, 26, 30, 19, 23, 27, 31) \
	ASM_HALF(0, 5, 10, 15, 1, 6, 11, 12, 2, 7, 8, 13, 3, 4, 9, 14,      \
	         16, 21, 26, 31, 17, 22, 27, 28, 18, 23, 24, 29, 19, 20, 25, 30)
#define ASM_BCAST(r, off, base) "vpbroadcastd " #off "(%[" #base "]), %%zmm" #r "\n\t"
#define ASM_ADDB(r, off, base) "vpaddd " #off "(%[" #base "])%{1to16%}, %%zmm" #r ", %%zmm" #r "\n\t"
#define ASM_LOADV(r, off) "vmovdqa64 " #off "(%[c]), %%zmm" #r "\n\t"
#define ASM_ADDV(r, off) "vpaddd " #off "(%[c]), %%zmm" #r ", %%zmm" #r "\n\t"
#define ASM_MOV(from, to) "vmovdqa64 %%zmm" #from ", %%zmm" #to "\n\t"
#define ASM_STORE_B(r) "vmovdqa64 %%zmm" #r ", (" #r "-16)*64(%[st])\n\t"

/* 32 blocks: a[0-15] = group A's words after the rounds and the add-back,
 * left in registers zmm0-15 for the caller's transpose; st[0-15] = group
 * B's, stored (no registers are left to transpose them in place).
 * ctr[0-1] = A's counter words 12 and 13, ctr[2-3] B's. */
static inline __attribute__((always_inline)) void
two_groups(VEC a[16], VEC st[16], const uint32_t *key, const VEC ctr[4])
{
	static const uint32_t sigma[4] = CHACHA_SIGMA;
	unsigned rounds = 10;
	register VEC a0 __asm__("zmm0"), a1 __asm__("zmm1"), a2 __asm__("zmm2"), a3 __asm__("zmm3");
	register VEC a4 __asm__("zmm4"), a5 __asm__("zmm5"), a6 __asm__("zmm6"), a7 __asm__("zmm7");
	register VEC a8 __asm__("zmm8"), a9 __asm__("zmm9"), a10 __asm__("zmm10"), a11 __asm__("zmm11");
	register VEC a12 __asm__("zmm12"), a13 __asm__("zmm13"), a14 __asm__("zmm14"), a15 __asm__("zmm15");

	__asm__ volatile(
		ASM_BCAST(0, 0, sg) ASM_BCAST(1, 4, sg) ASM_BCAST(2, 8, sg) ASM_BCAST(3, 12, sg)
		ASM_BCAST(4, 0, k) ASM_BCAST(5, 4, k) ASM_BCAST(6, 8, k) ASM_BCAST(7, 12, k)
		ASM_BCAST(8, 16, k) ASM_BCAST(9, 20, k) ASM_BCAST(10, 24, k) ASM_BCAST(11, 28, k)
		ASM_LOADV(12, 0) ASM_LOADV(13, 64)
		"vpxord %%zmm14, %%zmm14, %%zmm14\n\t"
		"vpxord %%zmm15, %%zmm15, %%zmm15\n\t"
		ASM_MOV(0, 16) ASM_MOV(1, 17) ASM_MOV(2, 18) ASM_MOV(3, 19)
		ASM_MOV(4, 20) ASM_MOV(5, 21) ASM_MOV(6, 22) ASM_MOV(7, 23)
		ASM_MOV(8, 24) ASM_MOV(9, 25) ASM_MOV(10, 26) ASM_MOV(11, 27)
		ASM_LOADV(28, 128) ASM_LOADV(29, 192)
		"vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
		"vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
		".p2align 4\n"
		"1:\n\t"
		ASM_DOUBLE_ROUND
		"dec %[n]\n\t"
		"jnz 1b\n\t"
		ASM_ADDB(16, 0, sg) ASM_ADDB(17, 4, sg) ASM_ADDB(18, 8, sg) ASM_ADDB(19, 12, sg)
		ASM_ADDB(20, 0, k) ASM_ADDB(21, 4, k) ASM_ADDB(22, 8, k) ASM_ADDB(23, 12, k)
		ASM_ADDB(24, 16, k) ASM_ADDB(25, 20, k) ASM_ADDB(26, 24, k) ASM_ADDB(27, 28, k)
		ASM_ADDV(28, 128) ASM_ADDV(29, 192)
		ASM_STORE_B(16) ASM_STORE_B(17) ASM_STORE_B(18) ASM_STORE_B(19)
		ASM_STORE_B(20) ASM_STORE_B(21) ASM_STORE_B(22) ASM_STORE_B(23)
		ASM_STORE_B(24) ASM_STORE_B(25) ASM_STORE_B(26) ASM_STORE_B(27)
		ASM_STORE_B(28) ASM_STORE_B(29) ASM_STORE_B(30) ASM_STORE_B(31)
		ASM_ADDB(0, 0, sg) ASM_ADDB(1, 4, sg) ASM_ADDB(2, 8, sg) ASM_ADDB(3, 12, sg)
		ASM_ADDB(4, 0, k) ASM_ADDB(5, 4, k) ASM_ADDB(6, 8, k) ASM_ADDB(7, 12, k)
		ASM_ADDB(8, 16, k) ASM_ADDB(9, 20, k) ASM_ADDB(10, 24, k) ASM_ADDB(11, 28, k)
		ASM_ADDV(12, 0) ASM_ADDV(13, 64)
		: [n] "+r"(rounds),
		  "=v"(a0), "=v"(a1), "=v"(a2), "=v"(a3), "=v"(a4), "=v"(a5), "=v"(a6), "=v"(a7),
		  "=v"(a8), "=v"(a9), "=v"(a10), "=v"(a11), "=v"(a12), "=v"(a13), "=v"(a14), "=v"(a15)
		: [st] "r"(st), [k] "r"(key), [c] "r"(ctr), [sg] "r"(sigma)
		: "memory", "cc", CHACHA_XMM_16_31);
	a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3; a[4] = a4; a[5] = a5; a[6] = a6; a[7] = a7;
	a[8] = a8; a[9] = a9; a[10] = a10; a[11] = a11; a[12] = a12; a[13] = a13; a[14] = a14; a[15] = a15;
}

/* Whole 32-block steps of the request, advancing out, counter and nblocks.
 * Group B's state goes through st, in the body's frame, which the entry
 * point zeroes afterwards with the rest of it. */
static inline __attribute__((always_inline)) void
wide_groups(uint8_t **out, const uint32_t *key, uint64_t *counter, size_t *nblocks)
{
	VEC st[16];
	VEC ctr[4];

	for (; *nblocks >= 32; *nblocks -= 32, *counter += 32, *out += 2048) {
		chacha_counter_words(*counter, &ctr[0], &ctr[1]);
		chacha_counter_words(*counter + 16, &ctr[2], &ctr[3]);
		VEC a[16];
		two_groups(a, st, key, ctr);
		store_group(*out, a);
		store_group(*out + 1024, st);
	}
}

/* Needs AVX-512VL as well as F (the tail kernels and the table entry say
 * so): every AVX-512 CPU since Skylake-SP has both. */
CHACHA_DEFINE_KERNEL_WIDE(chacha_blocks_avx512, chacha_group, wide_groups)
