/* SPDX-License-Identifier: MIT */
/* The transpose back to byte order for the 4-block xmm kernels (SSE2 and
 * AVX-512VL on xmm): x[4k..4k+3] hold words 4k..4k+3 of blocks 0-3. */
#ifndef VGR_CHACHA_XMM_STORE_H
#define VGR_CHACHA_XMM_STORE_H

#include <emmintrin.h>

static inline __attribute__((always_inline)) void store_group(uint8_t *out, const __m128i x[16])
{
	CHACHA_UNROLL
	for (int k = 0; k < 4; k++) {
		__m128i t0 = _mm_unpacklo_epi32(x[4 * k], x[4 * k + 1]);
		__m128i t1 = _mm_unpacklo_epi32(x[4 * k + 2], x[4 * k + 3]);
		__m128i t2 = _mm_unpackhi_epi32(x[4 * k], x[4 * k + 1]);
		__m128i t3 = _mm_unpackhi_epi32(x[4 * k + 2], x[4 * k + 3]);
		_mm_storeu_si128((__m128i *)(void *)(out + 0 * 64 + 16 * k), _mm_unpacklo_epi64(t0, t1));
		_mm_storeu_si128((__m128i *)(void *)(out + 1 * 64 + 16 * k), _mm_unpackhi_epi64(t0, t1));
		_mm_storeu_si128((__m128i *)(void *)(out + 2 * 64 + 16 * k), _mm_unpacklo_epi64(t2, t3));
		_mm_storeu_si128((__m128i *)(void *)(out + 3 * 64 + 16 * k), _mm_unpackhi_epi64(t2, t3));
	}
}

#endif
