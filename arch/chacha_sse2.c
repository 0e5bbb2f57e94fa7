/* SPDX-License-Identifier: MIT */
/* x86-64 SSE2: 4 blocks at a time in xmm registers.  Plain SSE2 only (every
 * x86-64 CPU has it), so 16- and 8-bit rotations are shifts, not pshufb. */
#include "chacha.h"

#include <emmintrin.h>

typedef __m128i VEC;
#define W 4u
#define V_ADD(a, b) _mm_add_epi32(a, b)
#define V_XOR(a, b) _mm_xor_si128(a, b)
#define V_ROTL(x, n) _mm_or_si128(_mm_slli_epi32(x, n), _mm_srli_epi32(x, 32 - (n)))
#define V_SPLAT(v) _mm_set1_epi32((int)(v))
#define V_LOADU(p) _mm_loadu_si128((const __m128i *)(const void *)(p))

#include "chacha_template.h"
#include "chacha_rounds.h"
#include "chacha_xmm_store.h"

CHACHA_DEFINE_KERNEL(chacha_blocks_sse2, chacha_group)
