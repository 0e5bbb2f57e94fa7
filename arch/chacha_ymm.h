/* SPDX-License-Identifier: MIT */
/* The vector type and lane-wise operations of the two 8-block ymm kernels
 * (AVX2, and AVX-512VL on ymm); their transpose back to byte order is
 * chacha_ymm_store.h. */
#ifndef VGR_CHACHA_YMM_H
#define VGR_CHACHA_YMM_H

#include <immintrin.h>

typedef __m256i VEC;
#define W 8u
#define V_ADD(a, b) _mm256_add_epi32(a, b)
#define V_XOR(a, b) _mm256_xor_si256(a, b)
#define V_SPLAT(v) _mm256_set1_epi32((int)(v))
#define V_LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

#endif
