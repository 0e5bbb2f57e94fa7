/* SPDX-License-Identifier: MIT */
#ifndef VGR_BACKEND_H
#define VGR_BACKEND_H

#include <stddef.h>
#include <sys/types.h>


enum vgr_backend {
	VGR_BACKEND_SYSCALL = 1, /* the getrandom system call */
	VGR_BACKEND_VDSO,        /* the vDSO with a per-thread state */
	VGR_BACKEND_HYBRID,      /* the vDSO, and large requests expanded locally */
	VGR_BACKEND_CHACHA,      /* the userspace ChaCha20 generator */
};

/* The backend serving this process, chosen once (VGETRANDOM_BACKEND, then
 * what the kernel offers). */
enum vgr_backend backend_current(void);

/* Its name as vgetrandom_backend() reports it. */
const char *backend_name(void);

/* vgetrandom() itself, under the name the library's own callers use:
 * calls to it bind directly, where the exported name would go through the
 * PLT. */
ssize_t vgr_getrandom(void *buf, size_t len, unsigned int flags);

#endif
