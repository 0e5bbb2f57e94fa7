/* SPDX-License-Identifier: MIT */
/* The public entry points. */
#include "vgetrandom.h"

#include "backend.h"
#include "generation.h"
#include "bulk.h"
#include "limits_internal.h"
#include "thread_state.h"

#include <errno.h>

/* Everything the common call below does not handle: check the arguments
 * (invalid ones fail here) and route the valid rest (the bulk path, or
 * back to the thread's state).  Out of line, so the common call stays
 * short. */
static __attribute__((noinline)) ssize_t
validate_and_route(void *buf, size_t len, unsigned int flags)
{
	/* The vDSO accepts some flag sets the system call refuses, and
	 * crashes where the system call says EFAULT; check first so every
	 * backend answers exactly like getrandom(2). */
	if ((flags & ~VGR_GRND_VALID) != 0 ||
	    (flags & (GRND_RANDOM | GRND_INSECURE)) ==
	            (GRND_RANDOM | GRND_INSECURE)) {
		errno = EINVAL;
		return -1;
	}
	if (buf == NULL && len != 0) {
		errno = EFAULT;
		return -1;
	}
	if (bulk_wanted(len))
		return bulk_getrandom(buf, len, flags);
	return thread_state_getrandom(buf, len, flags);
}

ssize_t vgr_getrandom(void *buf, size_t len, unsigned int flags)
{
	/* One test for all of it: an invalid flag set, NULL, or a bulk
	 * request.  With NONBLOCK 1, RANDOM 2 and INSECURE 4 the valid sets
	 * are exactly 0 to 5 (6 and 7 pair RANDOM with INSECURE): one compare.
	 * validate_and_route() says which rule failed. */
	_Static_assert(GRND_NONBLOCK == 1 && GRND_RANDOM == 2 && GRND_INSECURE == 4,
	               "the flag test below assumes getrandom(2)'s flag values");
	if (__builtin_expect(flags > 5 || buf == NULL || len >= vgr_bulk_min, 0))
		return validate_and_route(buf, len, flags);
	/* A thread holding a state implies a provider is installed; a thread
	 * without one, and a process without a provider (the syscall backend,
	 * or a call made before the library's constructor ran), take the slow
	 * path in thread_state.c. */
	return thread_state_getrandom(buf, len, flags);
}

/* The exported name is an alias, so the library's own callers (getrandom,
 * getentropy, arc4random_buf) reach the code above directly rather than
 * through the PLT. */
VGR_EXPORT ssize_t vgetrandom(void *buf, size_t len, unsigned int flags)
	__attribute__((alias("vgr_getrandom")));

VGR_EXPORT const char *vgetrandom_backend(void)
{
	return backend_name();
}

VGR_EXPORT int vgetrandom_reseed(void)
{
	generation_bump(VGR_RESEED_EXPLICIT);
	return 0;
}
