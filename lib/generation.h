/* SPDX-License-Identifier: MIT */
#ifndef VGR_GENERATION_H
#define VGR_GENERATION_H

#include <stdint.h>

/*
 * The process-wide reseed generation of the userspace generator.  Every
 * per-thread state remembers the generation it was seeded in and reseeds
 * when it moves: in a forked child (the fork handler bumps it) and after
 * vgetrandom_reseed().
 */
extern uint64_t vgr_generation;

static inline uint64_t generation_current(void)
{
	return __atomic_load_n(&vgr_generation, __ATOMIC_ACQUIRE);
}

static inline void generation_bump(void)
{
	__atomic_add_fetch(&vgr_generation, 1, __ATOMIC_RELEASE);
}

#endif
