/* SPDX-License-Identifier: MIT */
#ifndef VGR_SYSCALL_PATH_H
#define VGR_SYSCALL_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* getrandom(2) itself; on kernels without it (ENOSYS), /dev/urandom.
 * len is at most VGR_MAX_RW_COUNT (the entry clamps it).  Returns bytes
 * written or -1 with errno set as the system call would.  For the
 * library's own needs (a generator's seed); a request goes through
 * syscall_serve(). */
ssize_t syscall_getrandom(void *buf, size_t len, unsigned int flags);

/* The one way a request reaches the system call: why is the enum
 * vgr_fallback reason, told as a fallback event, or 0 where the system call
 * is the backend itself.  A caller's request (is_request) is told as a
 * request event on the syscall path; a bulk key is not a request. */
ssize_t syscall_serve(void *buf, size_t len, unsigned int flags, int why, bool is_request);

#ifdef VGR_TESTING
/* How many of the calling thread's requests were fallbacks (why != 0). */
unsigned long vgr_test_syscall_fallbacks(void);
#endif

/* Whether the running kernel refuses GRND_INSECURE (EINVAL: Linux before
 * 5.6, or a filter answering as one would), asked with a zero-length
 * call.  Any other answer is no refusal: without the system call the
 * /dev/urandom fallback takes every flag. */
bool syscall_refuses_insecure(void);

/* Has this process had to read /dev/urandom because getrandom is missing? */
bool syscall_path_saw_enosys(void);

#endif
