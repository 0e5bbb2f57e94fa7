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

/* x[4k..4k+3] hold words 4k..4k+3 of blocks 0-3; a 4x4 transpose turns
 * them into 16-byte pieces of each block. */
static inline void store_group(uint8_t *out, const VEC x[16])
{
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

CHACHA_DEFINE_KERNEL(chacha_blocks_sse2, chacha_blocks_portable)
