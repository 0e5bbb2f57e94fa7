/* SPDX-License-Identifier: MIT */
#ifndef VGR_ENTRY_H
#define VGR_ENTRY_H

#include <stddef.h>
#include <sys/types.h>

/* vgetrandom() itself (vgetrandom.c), under the name the library's own
 * callers use: calls to it bind directly, where the exported name would go
 * through the PLT.  Every request, whatever name it came in by, starts
 * here. */
ssize_t vgr_getrandom(void *buf, size_t len, unsigned int flags);

#endif
