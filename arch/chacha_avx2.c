/* SPDX-License-Identifier: MIT */
/* x86-64 AVX2: 8 blocks at a time in ymm registers; the 16- and 8-bit
 * rotations are byte shuffles. */
#include "chacha.h"

#include <immintrin.h>

static inline __attribute__((always_inline)) __m256i rotl_avx2(__m256i x, int n)
{
	const __m256i rot16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
	                                       2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
	const __m256i rot8 = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14,
	                                      3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
	if (n == 16)
		return _mm256_shuffle_epi8(x, rot16);
	if (n == 8)
		return _mm256_shuffle_epi8(x, rot8);
	return _mm256_or_si256(_mm256_slli_epi32(x, n), _mm256_srli_epi32(x, 32 - n));
}
#define V_ROTL(x, n) rotl_avx2(x, n)

#include "chacha_ymm.h"

CHACHA_DEFINE_KERNEL(chacha_blocks_avx2, chacha_blocks_sse2, 4)
