/* SPDX-License-Identifier: MIT */
#ifndef VGR_BULK_H
#define VGR_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The bulk path, for either provider: a large request takes a fresh
 * 32-byte key from the calling thread's state in this very call, expands
 * it with the fastest ChaCha20 implementation straight into the caller's
 * buffer, and wipes it.  Nothing is kept between calls, so the output is
 * exactly as fresh as the provider's own.
 *
 * With the vDSO (the "hybrid" backend) the threshold is the crossover of
 * "vDSO for the whole request" and "vDSO for 32 bytes + local expansion":
 * the vgetrandom-vdso and vgetrandom-hybrid-all rows of the bench, which
 * on every machine measured cross between 64 and 128 bytes
 * (bench/RESULTS.md).
 *
 * With the generator the buffered path copies from a 1 KiB buffer already
 * made, so the bulk path pays off only where one wide ChaCha call beats
 * several refills: 512 bytes.
 *
 * The generator's byte budget (reseed after 1 MiB of output) counts bulk
 * output in full: the key comes from its stream, and everything expanded
 * from it is output that follows from the same seed.
 */
#define VGR_BULK_MIN_VDSO 128u
#define VGR_BULK_MIN_GENERATOR 512u

/* The largest request the thread's state serves whole.  Off, until a
 * backend with a bulk path turns it on and on the others, it is
 * VGR_MAX_RW_COUNT: the entry clamps every length to that, so no request
 * is ever above it, and a longer one still fails the entry's one compare
 * (to be clamped). */
extern size_t vgr_bulk_above;

/* Turn the bulk path on from min (1 to VGR_MAX_RW_COUNT) bytes up. */
void bulk_enable(size_t min);

/* Does a request of len bytes take the bulk path?  The one rule: the entry
 * asks it before and after clamping len. */
static inline bool bulk_wanted(size_t len)
{
	return len > vgr_bulk_above;
}

/* Serve len bytes (bulk_wanted(len), len clamped, flags valid): bytes, or
 * -1/errno. */
ssize_t bulk_getrandom(void *buf, size_t len, unsigned int flags);

#ifdef VGR_TESTING
/* How many requests of the calling thread took this path. */
unsigned long vgr_test_bulk_calls(void);
#endif

#endif
