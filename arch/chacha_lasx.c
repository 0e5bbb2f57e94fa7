/* SPDX-License-Identifier: MIT */
/* LoongArch LASX (256-bit vectors; not in every core, so only where the
 * kernel's AT_HWCAP reports them): 8 blocks at a time, from
 * chacha_vector_ext.h built with -mlasx. */
#include "chacha.h"

#include <lasxintrin.h>

#define W 8u
#define V_ROTL(x, n) ((VEC)__lasx_xvrotri_w((__m256i)(x), (32 - (n)) & 31))
#include "chacha_vector_ext.h"

CHACHA_DEFINE_KERNEL(chacha_blocks_lasx, chacha_group)
