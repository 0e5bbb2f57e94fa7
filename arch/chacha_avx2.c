/* SPDX-License-Identifier: MIT */
/* x86-64 AVX2: 8 blocks at a time in ymm registers, the rounds in
 * assembly (chacha_vex_group.h says why); the 16- and 8-bit rotations are
 * byte shuffles. */
#include "chacha.h"

#include <immintrin.h>

#include "chacha_ymm.h"
#include "chacha_template.h"
#define VEX_REG "ymm"
#define VEX_BYTES "32"
#include "chacha_vex_group.h"
#include "chacha_ymm_store.h"

CHACHA_DEFINE_KERNEL(chacha_blocks_avx2, vex_group)
