/* SPDX-License-Identifier: MIT */
/* x86-64 AVX-512VL on ymm registers: the AVX2 kernel's shape with the
 * single-instruction rotate (vprold).  Staying on 256-bit vectors avoids
 * the frequency drop some CPUs take on zmm; bench/ says which wins here. */
#include "chacha.h"

#include <immintrin.h>

#define V_ROTL(x, n) _mm256_rol_epi32(x, n)

#include "chacha_ymm.h"

CHACHA_DEFINE_KERNEL(chacha_blocks_avx512vl)
