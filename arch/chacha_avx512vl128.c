/* SPDX-License-Identifier: MIT */
/* x86-64 AVX-512VL on xmm registers: 4 blocks with the single-instruction
 * rotate.  Not a kernel of its own in the dispatcher: the small tail of the
 * AVX-512 kernels (a hybrid request of 128-256 bytes is 2-4 blocks), where
 * computing 8 or 16 blocks to keep 4 would waste most of the work. */
#include "chacha.h"

#include <immintrin.h>

typedef __m128i VEC;
#define W 4u
#define V_ADD(a, b) _mm_add_epi32(a, b)
#define V_XOR(a, b) _mm_xor_si128(a, b)
#define V_ROTL(x, n) _mm_rol_epi32(x, n)
#define V_SPLAT(v) _mm_set1_epi32((int)(v))
#define V_LOADU(p) _mm_loadu_si128((const __m128i *)(const void *)(p))

#include "chacha_template.h"
#include "chacha_xmm_store.h"

/* A lone block is cheaper in the portable kernel than 4 here. */
CHACHA_DEFINE_KERNEL(chacha_blocks_avx512vl128, chacha_blocks_portable, 1)
