/* SPDX-License-Identifier: MIT */
/* The reference kernel: plain C, one block at a time, any CPU.  It is the
 * shared template with a "vector" of one 32-bit word. */
#include "chacha.h"

typedef uint32_t VEC;
#define W 1u
#define V_ADD(a, b) ((a) + (b))
#define V_XOR(a, b) ((a) ^ (b))
#define V_ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define V_SPLAT(v) ((uint32_t)(v))
#define V_LOADU(p) (*(p))

#include "chacha_template.h"
#include "chacha_rounds.h"

static inline __attribute__((always_inline)) void store_group(uint8_t *out, const VEC x[16])
{
	for (int i = 0; i < 16; i++) {
		out[4 * i + 0] = (uint8_t)x[i];
		out[4 * i + 1] = (uint8_t)(x[i] >> 8);
		out[4 * i + 2] = (uint8_t)(x[i] >> 16);
		out[4 * i + 3] = (uint8_t)(x[i] >> 24);
	}
}

CHACHA_DEFINE_KERNEL(chacha_blocks_portable, chacha_group)
