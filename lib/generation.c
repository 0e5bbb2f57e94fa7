/* SPDX-License-Identifier: MIT */
#include "generation.h"

/* Starts at 1: a zeroed generator state (generation 0) never matches. */
uint64_t vgr_generation = 1;
