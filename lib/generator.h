/* SPDX-License-Identifier: MIT */
#ifndef VGR_GENERATOR_H
#define VGR_GENERATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "provider.h"

/*
 * The generator: the userspace ChaCha20 provider that serves when the
 * kernel has no usable vgetrandom vDSO.  Its per-thread states live in the same arena as vDSO
 * states would, and it is called exactly like the vDSO function, so the
 * per-thread machinery (TLS, signal nesting, thread exit, fork reclaim)
 * is shared.
 */

/* Probe the mapping and fill *p.  Returns false if no state can be mapped
 * or the mapping cannot be wiped in a forked child (a verified
 * MADV_WIPEONFORK): then there is no generator. */
bool generator_probe(struct vgr_provider *p);

/* The provider function: len bytes into buf from the state (vDSO calling
 * convention: bytes written or a negative errno). */
ssize_t generator_fill(void *buf, size_t len, unsigned int flags,
                       void *state, size_t state_len);

/* Count n bytes of bulk output, expanded from a key this state gave, in
 * its byte budget (bulk.h). */
void generator_charge(void *state, size_t n);

/* Reseed policy.  A state reseeds from the getrandom syscall when it is new
 * or was wiped, when the generation moves, after GENERATOR_RESEED_BYTES of
 * output, or at the first refill GENERATOR_RESEED_NS after its last seed.
 *
 * 1 MiB: OpenBSD's arc4random reseeds after about 1.6 MB; a smaller budget
 * costs one 32-byte syscall per MiB, nothing measurable, and bounds how much
 * output follows a state compromise.
 * 60 s: the kernel itself reseeds its CRNG at most once a minute, so fresh
 * kernel entropy reaches every thread within about one kernel interval. */
#define GENERATOR_RESEED_BYTES (1u << 20)
#define GENERATOR_RESEED_NS (60ull * 1000000000ull)

#ifdef VGR_TESTING
/* Test hooks: change the budgets (0 restores the defaults); count seeds;
 * where a state keeps its 32-byte key. */
void vgr_test_generator_budgets(uint64_t bytes, uint64_t ns);
unsigned long vgr_test_generator_seeds(void);
const uint32_t *vgr_test_generator_key(const void *state);
#endif

#endif
