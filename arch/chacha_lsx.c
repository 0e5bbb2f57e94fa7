/* SPDX-License-Identifier: MIT */
/* LoongArch LSX (128-bit vectors; in the la64v1.0 baseline, but probed in
 * AT_HWCAP all the same): 4 blocks at a time, from chacha_vector_ext.h
 * built with -mlsx. */
#include "chacha.h"

#include <lsxintrin.h>

#define W 4u
#define V_ROTL(x, n) ((VEC)__lsx_vrotri_w((__m128i)(x), (32 - (n)) & 31))
#include "chacha_vector_ext.h"

CHACHA_DEFINE_KERNEL(chacha_blocks_lsx, chacha_group)
