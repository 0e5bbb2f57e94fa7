/* SPDX-License-Identifier: MIT */
/*
 * The public entry points, and the life of a request from end to end.
 *
 * Every request, whatever name it came in by (vgetrandom, getrandom,
 * getentropy and arc4random* in libc_compat.c), enters vgr_getrandom():
 *
 *  1. One compare decides whether the request is common: valid flags
 *     (grnd_flags_valid(), getrandom_abi.h), a buffer, and a length the
 *     thread's state serves whole (not bulk_wanted(), bulk.h).  Anything
 *     else goes to route_unusual(): invalid flags fail with EINVAL, a NULL
 *     buffer with EFAULT, the length is clamped to VGR_MAX_RW_COUNT (the
 *     only place it is), and a bulk-sized request goes to the bulk path.
 *  2. thread_state.c serves it with the calling thread's state through the
 *     provider backend.c installs: the vDSO (vdso_getrandom.c) or the
 *     userspace generator (generator.c).  A thread's first request, a
 *     signal handler finding the state busy, an exiting thread, or a
 *     process without a provider take thread_state_slow(); there the
 *     process's first small request goes to the system call, and its
 *     next one installs the provider (backend.c).
 *  3. The bulk path (bulk.c) takes a 32-byte key through the same thread
 *     state and expands it with ChaCha20 into the caller's buffer.
 *  4. Whatever cannot be served that way goes to the system call through
 *     syscall_serve() (syscall_path.c), the one door to it: it tells the
 *     fallback event with its reason (events.h) and, for a caller's
 *     request, the request event.  Every path tells exactly one request
 *     event per request answered, naming the path that served it.
 *
 * Errors are the system call's: a path that cannot produce bytes hands
 * the request to another path, never returns bytes it did not make from a
 * kernel-seeded key, and fails only as getrandom(2) would.
 */
#include "vgetrandom.h"

#include "backend.h"
#include "bulk.h"
#include "chacha.h"
#include "entry.h"
#include "export.h"
#include "generation.h"
#include "getrandom_abi.h"
#include "hot_path.h"
#include "thread_state.h"

#include <errno.h>

/* Everything the common test below sends here.  Out of line, so the common
 * call stays short. */
static __attribute__((noinline)) ssize_t
route_unusual(void *buf, size_t len, unsigned int flags)
{
	/* The vDSO accepts some flag sets the system call refuses, and
	 * crashes where the system call says EFAULT; check first so every
	 * backend answers exactly like getrandom(2). */
	if (!grnd_flags_valid(flags)) {
		errno = EINVAL;
		return -1;
	}
	if (buf == NULL && len != 0) {
		errno = EFAULT;
		return -1;
	}
	if (len > VGR_MAX_RW_COUNT)
		len = VGR_MAX_RW_COUNT;
	if (bulk_wanted(len))
		return bulk_getrandom(buf, len, flags);
	return thread_state_getrandom(buf, len, flags);
}

VGR_HOT_PATH ssize_t vgr_getrandom(void *buf, size_t len, unsigned int flags)
{
	if (__builtin_expect(!grnd_flags_valid(flags) || buf == NULL || bulk_wanted(len), 0))
		return route_unusual(buf, len, flags);
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

VGR_EXPORT int vgetrandom_provider(void)
{
	return backend_provider();
}

VGR_EXPORT const char *vgetrandom_chacha_kernel(void)
{
	return backend_chacha_kernel();
}

VGR_EXPORT const char *vgetrandom_chacha_kernels(unsigned int i)
{
	const struct chacha_impl *k = chacha_impl_nth(i);
	return k ? k->name : NULL;
}

VGR_EXPORT int vgetrandom_reseed(void)
{
	generation_bump(VGR_RESEED_EXPLICIT);
	return 0;
}
