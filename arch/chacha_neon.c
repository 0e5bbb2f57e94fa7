/* SPDX-License-Identifier: MIT */
/* AArch64 NEON (Advanced SIMD, present on every AArch64 CPU): 4 blocks at a
 * time in q registers. */
#include "chacha.h"

#include <arm_neon.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the NEON kernel stores little-endian lanes directly"
#endif

typedef uint32x4_t VEC;
#define W 4u
#define V_ADD(a, b) vaddq_u32(a, b)
#define V_XOR(a, b) veorq_u32(a, b)
#define V_ROTL(x, n) ((n) == 16 ? vreinterpretq_u32_u16(vrev32q_u16(vreinterpretq_u16_u32(x))) \
                                : vsriq_n_u32(vshlq_n_u32(x, (n) & 31), x, (32 - (n)) & 31))
#define V_SPLAT(v) vdupq_n_u32(v)
#define V_LOADU(p) vld1q_u32(p)

#include "chacha_template.h"
#include "chacha_rounds.h"

static inline __attribute__((always_inline)) void store_group(uint8_t *out, const VEC x[16])
{
	CHACHA_UNROLL
	for (int k = 0; k < 4; k++) {
		uint32x4_t t0 = vtrn1q_u32(x[4 * k], x[4 * k + 1]); /* a0 b0 a2 b2 */
		uint32x4_t t1 = vtrn2q_u32(x[4 * k], x[4 * k + 1]); /* a1 b1 a3 b3 */
		uint32x4_t t2 = vtrn1q_u32(x[4 * k + 2], x[4 * k + 3]);
		uint32x4_t t3 = vtrn2q_u32(x[4 * k + 2], x[4 * k + 3]);
		uint64x2_t u0 = vreinterpretq_u64_u32(t0), u1 = vreinterpretq_u64_u32(t1);
		uint64x2_t u2 = vreinterpretq_u64_u32(t2), u3 = vreinterpretq_u64_u32(t3);
		vst1q_u8(out + 0 * 64 + 16 * k, vreinterpretq_u8_u64(vtrn1q_u64(u0, u2)));
		vst1q_u8(out + 1 * 64 + 16 * k, vreinterpretq_u8_u64(vtrn1q_u64(u1, u3)));
		vst1q_u8(out + 2 * 64 + 16 * k, vreinterpretq_u8_u64(vtrn2q_u64(u0, u2)));
		vst1q_u8(out + 3 * 64 + 16 * k, vreinterpretq_u8_u64(vtrn2q_u64(u1, u3)));
	}
}

CHACHA_DEFINE_KERNEL(chacha_blocks_neon, chacha_group)
