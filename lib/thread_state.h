/* SPDX-License-Identifier: MIT */
#ifndef VGR_THREAD_STATE_H
#define VGR_THREAD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vdso_getrandom.h"

/* Set up the per-thread machinery (thread-exit key, fork handlers, arena
 * geometry) for this vDSO.  Once per process, before the first call. */
bool thread_state_init(const struct vdso_getrandom *vdso);

/* getrandom through the vDSO with the calling thread's own state; the
 * getrandom system call whenever no state can be used (a nested call from
 * a signal handler, an exiting thread, an arena that could not be mapped).
 * Flags must already be valid.  Returns bytes or -1/errno. */
ssize_t thread_state_getrandom(void *buf, size_t len, unsigned int flags);

/* How many consecutive nested calls, with no outer call completing, make a
 * thread give up its state as abandoned (left in use by a siglongjmp out
 * of a signal handler) and take a fresh one. */
#define VGR_ABANDON_THRESHOLD 16u

/* Test hooks. */
void *thread_state_current(void);       /* this thread's state, or NULL */
void thread_state_test_mark_busy(void); /* pretend a call was abandoned */
unsigned long thread_state_syscall_fallbacks(void); /* this thread's count */

#endif
