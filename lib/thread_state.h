/* SPDX-License-Identifier: MIT */
#ifndef VGR_THREAD_STATE_H
#define VGR_THREAD_STATE_H

#include <stdbool.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "provider.h"

/* The thread-exit key, at load; false when it cannot be had. */
bool thread_state_prepare(void);
/* In a forked child (backend.c's fork handler calls it): the states of
 * the threads that did not survive go back. */
void thread_state_fork_child(void);
/* Install the provider and configure the arena for it, at the first
 * request: plain stores, async-signal-safe.  Until it is done, and on the
 * syscall backend where it never is, every call uses the system call. */
void thread_state_install(const struct vgr_provider *p);

/*
 * The per-thread slots.  Each word holds a state's address with the low
 * bit set while a call is inside the provider with it (slots are
 * cache-line aligned, so the bit is free).  The contract that keeps them
 * safe against signal handlers calling in on the same thread, with or
 * without siglongjmp out (thread_state.c states why):
 *   - a word changes only from 0 to a state (installed once, by a
 *     compare-and-swap), and between a state and state | BUSY by the one
 *     frame using it;
 *   - nobody touches a busy state or its word, not even to replace it;
 *   - the primary serves every call; the spare serves a call that finds
 *     the primary busy: a handler that interrupted it, or every call after
 *     a siglongjmp left it busy for good;
 *   - both busy: the system call.
 */
#define VGR_STATE_BUSY ((uintptr_t)1)
struct thread_slot {
	uintptr_t word;          /* the primary state | VGR_STATE_BUSY */
	uintptr_t spare;         /* the spare state | VGR_STATE_BUSY */
	bool registered;         /* the exit destructor is armed */
	bool exited;             /* past the destructor: never take a state again */
};
extern __thread struct thread_slot vgr_thread_slot
	__attribute__((tls_model("initial-exec")));

/* The installed provider; fill stays NULL until thread_state_install(). */
extern struct vgr_provider vgr_provider;

/* Everything but a thread whose primary state is free: first call, no
 * provider, a busy primary, exiting thread, failed arena.  charge: bulk
 * output that follows from this request (0 for the caller's own request,
 * which is told as a request event; a bulk key is not). */
ssize_t thread_state_slow(void *buf, size_t len, unsigned int flags, size_t charge);
/* After a provider call that returned an error: the system call when the
 * vDSO had none to fall back on or the generator declined, else
 * -1/errno.  The request reaches it
 * through a struct in the caller's frame: only this path reads it again,
 * so the hot path stores three words instead of keeping them in
 * callee-saved registers across the provider call. */
struct vgr_request {
	void *buf;
	size_t len;
	unsigned int flags;
};
ssize_t thread_state_after_error(ssize_t r, const struct vgr_request *req, size_t charge);

/* One provider call with the state in *slot, whose word w is not busy,
 * marking it busy meanwhile.  No compare-and-swap: a handler that
 * interrupts this finds the word either free (and uses it to the end
 * before we resume) or busy (and leaves it alone).  charge is a constant
 * at every call site: 0 for a caller's request, the bulk length for a
 * bulk key (charged to the same state, while it is still ours). */
static inline __attribute__((always_inline)) ssize_t
vgr_state_call(uintptr_t *slot, uintptr_t w, void *buf, size_t len, unsigned int flags,
               size_t charge)
{
	struct vgr_request req = { buf, len, flags };
	ssize_t r;

	*slot = w | VGR_STATE_BUSY;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	r = vgr_provider.fill(buf, len, flags, (void *)w, vgr_provider.state_size);
	if (charge && r >= 0 && vgr_provider.charge)
		vgr_provider.charge((void *)w, charge);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	/* Still w | BUSY: nobody else touches a busy word.  Clearing the bit
	 * in place keeps w out of a callee-saved register across the call. */
	*slot &= ~VGR_STATE_BUSY;
	if (__builtin_expect(r < 0, 0))
		return thread_state_after_error(r, &req, charge);
	/* The request's copy on the stack, not len and flags: the probe then
	 * reads them from there, and nothing more stays live across the
	 * provider call.  The path is loaded into a register here, after the
	 * call: some tracers cannot read a symbol-relative probe operand. */
	if (!charge) {
		unsigned char path = vgr_provider.path;
		__asm__("" : "+r"(path));
		VGR_EVENT3(request, req.len, req.flags, path);
	}
	return r;
}

/* A provider call with the calling thread's primary state, or
 * thread_state_slow() for everything else; charge as vgr_state_call(). */
static inline __attribute__((always_inline)) ssize_t
thread_state_fill(void *buf, size_t len, unsigned int flags, size_t charge)
{
	uintptr_t w = vgr_thread_slot.word;

	if (__builtin_expect(w == 0 || (w & VGR_STATE_BUSY), 0))
		return thread_state_slow(buf, len, flags, charge);
	return vgr_state_call(&vgr_thread_slot.word, w, buf, len, flags, charge);
}

/* getrandom through the thread's state.  Flags must already be valid.
 * Returns bytes or -1/errno. */
static inline __attribute__((always_inline)) ssize_t
thread_state_getrandom(void *buf, size_t len, unsigned int flags)
{
	return thread_state_fill(buf, len, flags, 0);
}

/* The bulk path's 32-byte key, which is not a request of its own to
 * observers; the n (> 0) bytes to be expanded from it are charged to the
 * state that gave it (a key from the system call charges nothing). */
static inline ssize_t thread_state_key(void *key, size_t len, unsigned int flags, size_t n)
{
	return thread_state_fill(key, len, flags, n);
}

#ifdef VGR_TESTING
void *vgr_test_thread_state(void);       /* this thread's primary state, or NULL */
void *vgr_test_thread_spare(void);         /* its spare state, or NULL */
void vgr_test_mark_busy(void); /* pretend the primary's call was abandoned */
void vgr_test_clear_busy(void);/* undo that, as a returning call would */
#endif

#endif
