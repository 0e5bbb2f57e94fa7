/* SPDX-License-Identifier: MIT */
/* The public entry points. */
#include "vgetrandom.h"

#include "backend.h"
#include "generation.h"
#include "hybrid_bulk.h"
#include "limits_internal.h"
#include "thread_state.h"

#include <errno.h>

#define VGR_EXPORT __attribute__((visibility("default")))

VGR_EXPORT ssize_t vgetrandom(void *buf, size_t len, unsigned int flags)
{
	/* The vDSO accepts some flag sets the system call refuses, and
	 * crashes where the system call says EFAULT; check first so every
	 * backend answers exactly like getrandom(2). */
	if (__builtin_expect((flags & ~VGR_GRND_VALID) != 0, 0) ||
	    __builtin_expect((flags & (VGR_GRND_RANDOM | VGR_GRND_INSECURE)) ==
	                     (VGR_GRND_RANDOM | VGR_GRND_INSECURE), 0)) {
		errno = EINVAL;
		return -1;
	}
	if (__builtin_expect(buf == NULL && len != 0, 0)) {
		errno = EFAULT;
		return -1;
	}

	if (__builtin_expect(len >= vgr_bulk_min, 0))
		return hybrid_getrandom(buf, len, flags);
	/* A thread holding a state implies a state-based backend; everything
	 * else (including the backend choice) is on the slow path. */
	return thread_state_getrandom(buf, len, flags);
}

VGR_EXPORT const char *vgetrandom_backend(void)
{
	return backend_name();
}

VGR_EXPORT int vgetrandom_reseed(void)
{
	generation_bump();
	return 0;
}
