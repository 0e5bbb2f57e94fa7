/* SPDX-License-Identifier: MIT */
#ifndef VGR_BACKEND_H
#define VGR_BACKEND_H

#include "vdso_getrandom.h"

enum vgr_backend {
	VGR_BACKEND_SYSCALL = 1,
	VGR_BACKEND_VDSO,
};

/* The backend serving this process, chosen once (VGETRANDOM_BACKEND, then
 * what the kernel offers). */
enum vgr_backend backend_current(void);

/* The vDSO found at start-up, or NULL when there is none. */
const struct vdso_getrandom *backend_vdso(void);

#endif
