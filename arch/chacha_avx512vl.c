/* SPDX-License-Identifier: MIT */
/* x86-64 AVX-512VL on ymm registers: the AVX2 kernel's shape with the
 * single-instruction rotate (vprold) and the C rounds.  Staying on 256-bit
 * vectors avoids the frequency drop some CPUs take on zmm; bench/ says
 * which wins here. */
#include "chacha.h"

#include <immintrin.h>

#include "chacha_ymm.h"
#define V_ROTL(x, n) _mm256_rol_epi32(x, n)
#include "chacha_template.h"
#include "chacha_rounds.h"
#include "chacha_ymm_store.h"

CHACHA_DEFINE_KERNEL(chacha_blocks_avx512vl, chacha_group)
