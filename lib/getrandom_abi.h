/* SPDX-License-Identifier: MIT */
/*
 * What getrandom(2) accepts and how much it returns, stated once: every
 * backend answers exactly as the system call would.
 */
#ifndef VGR_GETRANDOM_ABI_H
#define VGR_GETRANDOM_ABI_H

#include <stdbool.h>

#include "vgetrandom.h" /* the GRND_* flags */

/* The kernel caps every read-like call at MAX_RW_COUNT = INT_MAX & PAGE_MASK
 * (0x7ffff000 with 4 KiB pages); getrandom(2) and the vDSO both do.  The
 * entry (vgetrandom.c) applies it once, before any path sees the length. */
#define VGR_MAX_RW_COUNT 0x7ffff000ul

/* getrandom(2) takes NONBLOCK, RANDOM and INSECURE, but not RANDOM with
 * INSECURE.  With their values 1, 2 and 4 the valid sets are exactly the
 * numbers 0 to 5, so the whole rule is one compare. */
_Static_assert(GRND_NONBLOCK == 1 && GRND_RANDOM == 2 && GRND_INSECURE == 4,
               "grnd_flags_valid() assumes getrandom(2)'s flag values");
static inline bool grnd_flags_valid(unsigned int flags)
{
	return flags <= (GRND_NONBLOCK | GRND_INSECURE);
}

#endif
