/* SPDX-License-Identifier: MIT */
/* x86-64 AVX-512F: 16 blocks at a time in zmm registers, vprold rotates. */
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

/* After a 4x4 transpose inside each 128-bit lane, r[k][j] holds words
 * 4k..4k+3 of block j + 4*lane.  Two rounds of 128-bit shuffles gather the
 * four quads of one block into one zmm. */
static inline void store_group(uint8_t *out, const VEC x[16])
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

/* Small tails go to the ymm kernel (and from there to the xmm one), so this
 * kernel needs AVX-512VL as well as F: every AVX-512 CPU since Skylake-SP
 * has both. */
CHACHA_DEFINE_KERNEL(chacha_blocks_avx512, chacha_blocks_avx512vl, 8)
