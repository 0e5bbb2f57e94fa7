/* SPDX-License-Identifier: MIT */
#include "generation.h"

/* Starts at 1: a zeroed generator state (generation 0) never matches. */
uint64_t vgr_generation = 1;
int vgr_generation_reason = VGR_RESEED_EXPLICIT;
__thread unsigned char vgr_generation_forked_here __attribute__((tls_model("initial-exec")));
