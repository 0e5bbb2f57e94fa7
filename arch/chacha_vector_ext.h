/* SPDX-License-Identifier: MIT */
/* Steps 1-4 of chacha_template.h's layout for a kernel written in GNU C
 * vector extensions rather than intrinsics: VEC is W 32-bit lanes (W = 4
 * or 8), the operations are C operators, the rounds are chacha_rounds.h's,
 * and store_group() transposes with __builtin_shufflevector (GCC 12,
 * Clang).  The instructions are the ones the file's compiler flags allow;
 * the LoongArch kernels are built from it with -mlsx and -mlasx.  The
 * including file defines W and V_ROTL(x, n) (compilers do not all see a
 * rotate in shifts of vectors: the ISA's rotate intrinsic), includes this,
 * and names its kernel with CHACHA_DEFINE_KERNEL(name, chacha_group). */
#ifndef VGR_CHACHA_VECTOR_EXT_H
#define VGR_CHACHA_VECTOR_EXT_H

#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "store_group() stores little-endian lanes directly"
#endif

typedef uint32_t VEC __attribute__((vector_size(4 * W)));

#define V_ADD(a, b) ((a) + (b))
#define V_XOR(a, b) ((a) ^ (b))
#define V_SPLAT(v) ((VEC){ 0 } + (uint32_t)(v))

static inline __attribute__((always_inline)) VEC v_loadu(const uint32_t *p)
{
	VEC v;
	memcpy(&v, p, sizeof(v));
	return v;
}
#define V_LOADU(p) v_loadu(p)

#include "chacha_template.h"
#include "chacha_rounds.h"

static inline __attribute__((always_inline)) void v_storeu(uint8_t *p, VEC v)
{
	memcpy(p, &v, sizeof(v));
}

/* x[i] holds word i of the W blocks: block b is lane b of x[0..15].  Each
 * run of four words, x[4k..4k+3], is transposed in two steps, interleaving
 * single words and then pairs of words; after that each 128-bit part of a
 * result holds one block's words 4k..4k+3. */
#if W == 4
static inline __attribute__((always_inline)) void store_group(uint8_t *out, const VEC x[16])
{
	CHACHA_UNROLL
	for (int k = 0; k < 4; k++) {
		VEC a = x[4 * k], b = x[4 * k + 1], c = x[4 * k + 2], d = x[4 * k + 3];
		VEC t0 = __builtin_shufflevector(a, b, 0, 4, 2, 6); /* a0 b0 a2 b2 */
		VEC t1 = __builtin_shufflevector(a, b, 1, 5, 3, 7); /* a1 b1 a3 b3 */
		VEC t2 = __builtin_shufflevector(c, d, 0, 4, 2, 6);
		VEC t3 = __builtin_shufflevector(c, d, 1, 5, 3, 7);
		v_storeu(out + 0 * 64 + 16 * k, __builtin_shufflevector(t0, t2, 0, 1, 4, 5));
		v_storeu(out + 1 * 64 + 16 * k, __builtin_shufflevector(t1, t3, 0, 1, 4, 5));
		v_storeu(out + 2 * 64 + 16 * k, __builtin_shufflevector(t0, t2, 2, 3, 6, 7));
		v_storeu(out + 3 * 64 + 16 * k, __builtin_shufflevector(t1, t3, 2, 3, 6, 7));
	}
}
#elif W == 8
/* The same in each 128-bit half (half h holds blocks 4h..4h+3); then a
 * block's words 4k..4k+3 and 4k+4..4k+7 are joined for one 32-byte store. */
static inline __attribute__((always_inline)) void store_group(uint8_t *out, const VEC x[16])
{
	VEC u[4][4]; /* u[k][j]: words 4k..4k+3 of blocks j and j + 4 */

	CHACHA_UNROLL
	for (int k = 0; k < 4; k++) {
		VEC a = x[4 * k], b = x[4 * k + 1], c = x[4 * k + 2], d = x[4 * k + 3];
		VEC t0 = __builtin_shufflevector(a, b, 0, 8, 2, 10, 4, 12, 6, 14);
		VEC t1 = __builtin_shufflevector(a, b, 1, 9, 3, 11, 5, 13, 7, 15);
		VEC t2 = __builtin_shufflevector(c, d, 0, 8, 2, 10, 4, 12, 6, 14);
		VEC t3 = __builtin_shufflevector(c, d, 1, 9, 3, 11, 5, 13, 7, 15);
		u[k][0] = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
		u[k][1] = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
		u[k][2] = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
		u[k][3] = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
	}
	CHACHA_UNROLL
	for (int j = 0; j < 4; j++) {
		CHACHA_UNROLL
		for (int k = 0; k < 4; k += 2) {
			v_storeu(out + j * 64 + 16 * k,
			         __builtin_shufflevector(u[k][j], u[k + 1][j],
			                                 0, 1, 2, 3, 8, 9, 10, 11));
			v_storeu(out + (j + 4) * 64 + 16 * k,
			         __builtin_shufflevector(u[k][j], u[k + 1][j],
			                                 4, 5, 6, 7, 12, 13, 14, 15));
		}
	}
}
#else
#error "store_group() is written for W = 4 and W = 8"
#endif

#endif
