/* SPDX-License-Identifier: MIT */
/* The transpose back to byte order for the 8-block ymm kernels: x[4k..4k+3]
 * hold words 4k..4k+3 of blocks 0-7, blocks 0-3 in the low 128-bit lanes. */
#ifndef VGR_CHACHA_YMM_STORE_H
#define VGR_CHACHA_YMM_STORE_H

#include <immintrin.h>

/* 4x4 transpose inside each 128-bit lane: r[j] then holds words 4k..4k+3
 * of block j (low lane) and of block j+4 (high lane). */
static inline __attribute__((always_inline)) void transpose_lanes(const VEC *x, VEC r[4])
{
	__m256i t0 = _mm256_unpacklo_epi32(x[0], x[1]);
	__m256i t1 = _mm256_unpacklo_epi32(x[2], x[3]);
	__m256i t2 = _mm256_unpackhi_epi32(x[0], x[1]);
	__m256i t3 = _mm256_unpackhi_epi32(x[2], x[3]);
	r[0] = _mm256_unpacklo_epi64(t0, t1);
	r[1] = _mm256_unpackhi_epi64(t0, t1);
	r[2] = _mm256_unpacklo_epi64(t2, t3);
	r[3] = _mm256_unpackhi_epi64(t2, t3);
}

static inline __attribute__((always_inline)) void store_group(uint8_t *out, const VEC x[16])
{
	/* Two word-quads at a time, so each store is a full 32 bytes. */
	CHACHA_UNROLL
	for (int k = 0; k < 4; k += 2) {
		VEC a[4], b[4];
		transpose_lanes(&x[4 * k], a);
		transpose_lanes(&x[4 * k + 4], b);
		CHACHA_UNROLL
		for (int j = 0; j < 4; j++) {
			_mm256_storeu_si256((__m256i *)(void *)(out + 64 * j + 16 * k),
			                    _mm256_permute2x128_si256(a[j], b[j], 0x20));
			_mm256_storeu_si256((__m256i *)(void *)(out + 64 * (j + 4) + 16 * k),
			                    _mm256_permute2x128_si256(a[j], b[j], 0x31));
		}
	}
}

#endif
