/* SPDX-License-Identifier: MIT */
#ifndef VGR_LIMITS_INTERNAL_H
#define VGR_LIMITS_INTERNAL_H

#include "vgetrandom.h" /* the GRND_* flags */

/* The kernel caps every read-like call at MAX_RW_COUNT = INT_MAX & PAGE_MASK
 * (0x7ffff000 with 4 KiB pages); getrandom(2) and the vDSO both do. */
#define VGR_MAX_RW_COUNT 0x7ffff000ul

/* The flags getrandom(2) accepts. */
#define VGR_GRND_VALID (GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)

/* What the library exports; everything else is hidden (meson's
 * gnu_symbol_visibility) and the version script lists these. */
#define VGR_EXPORT __attribute__((visibility("default")))

#endif
