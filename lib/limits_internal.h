/* SPDX-License-Identifier: MIT */
#ifndef VGR_LIMITS_INTERNAL_H
#define VGR_LIMITS_INTERNAL_H

/* The kernel caps every read-like call at MAX_RW_COUNT = INT_MAX & PAGE_MASK
 * (0x7ffff000 with 4 KiB pages); getrandom(2) and the vDSO both do. */
#define VGR_MAX_RW_COUNT 0x7ffff000ul

/* The flags getrandom(2) accepts. */
#define VGR_GRND_NONBLOCK 0x1u
#define VGR_GRND_RANDOM 0x2u
#define VGR_GRND_INSECURE 0x4u
#define VGR_GRND_VALID (VGR_GRND_NONBLOCK | VGR_GRND_RANDOM | VGR_GRND_INSECURE)

#endif
