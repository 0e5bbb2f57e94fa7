/* SPDX-License-Identifier: MIT */
#ifndef VGR_BACKEND_H
#define VGR_BACKEND_H

#include <stddef.h>
#include <sys/types.h>


/* The backends, X(ID, code, name): name is what VGETRANDOM_BACKEND asks
 * for. */
#define VGR_BACKENDS(X)                                                  \
	X(SYSCALL, 1, "syscall") /* the getrandom system call */          \
	X(VDSO, 2, "vdso")       /* the vDSO with a per-thread state */   \
	X(HYBRID, 3, "hybrid")   /* the vDSO, large requests expanded locally */ \
	X(CHACHA, 4, "chacha")   /* the userspace ChaCha20 generator */

#define VGR_BACKEND_ENUM(id, code, name) VGR_BACKEND_##id = code,
enum vgr_backend { VGR_BACKENDS(VGR_BACKEND_ENUM) };
#undef VGR_BACKEND_ENUM

/* The backend serving this process, chosen once (VGETRANDOM_BACKEND, then
 * what the kernel offers). */
enum vgr_backend backend_current(void);

/* Its name as vgetrandom_backend() reports it, and its parts: the
 * provider (VGETRANDOM_PROVIDER_*) and the ChaCha20 kernel it runs (NULL
 * when none). */
const char *backend_name(void);
int backend_provider(void);
const char *backend_chacha_kernel(void);

#endif
