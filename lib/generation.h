/* SPDX-License-Identifier: MIT */
#ifndef VGR_GENERATION_H
#define VGR_GENERATION_H

#include <stdint.h>

#include "events.h"

/*
 * The process-wide reseed generation of the userspace generator.  Every
 * per-thread state remembers the generation it was seeded in and reseeds
 * when it moves: in a forked child (the fork handler bumps it) and after
 * vgetrandom_reseed().
 */
extern uint64_t vgr_generation;
/* Why it last moved (enum vgr_reseed: FORK or EXPLICIT), for the reseed
 * event only; a race between two bumps may name either. */
extern int vgr_generation_reason;
/* Set in the thread that forked, in the child: its state, wiped by the
 * kernel, reseeds for the fork, not as a new one. */
extern __thread unsigned char vgr_generation_forked_here
	__attribute__((tls_model("initial-exec")));

static inline uint64_t generation_current(void)
{
	return __atomic_load_n(&vgr_generation, __ATOMIC_ACQUIRE);
}

static inline void generation_bump(enum vgr_reseed reason)
{
	__atomic_store_n(&vgr_generation_reason, (int)reason, __ATOMIC_RELAXED);
	if (reason == VGR_RESEED_FORK)
		vgr_generation_forked_here = 1;
	__atomic_add_fetch(&vgr_generation, 1, __ATOMIC_RELEASE);
}

#endif
