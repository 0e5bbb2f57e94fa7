/* SPDX-License-Identifier: MIT */
#ifndef VGR_THREAD_STATE_H
#define VGR_THREAD_STATE_H

#include <stdbool.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "provider.h"

/* Install the provider and set up the per-thread machinery (thread-exit
 * key, fork handlers, arena geometry).  Once per process; until it is
 * done, and on the syscall backend where it never is, every call uses the
 * getrandom system call. */
bool thread_state_init(const struct vgr_provider *p);

/* The per-thread slot.  Its word holds the state's address, with the low
 * bit set while a call is inside the provider (slots are cache-line
 * aligned, so the bit is free). */
#define VGR_STATE_BUSY ((uintptr_t)1)
struct thread_slot {
	uintptr_t word;          /* state | VGR_STATE_BUSY */
	void *orphan;            /* a state given up as abandoned */
	unsigned busy_hits;      /* nested hits since the state was taken */
	bool registered;         /* the exit destructor is armed */
	bool exited;             /* past the destructor: never allocate again */
#ifdef VGR_TESTING
	unsigned long syscalls;  /* calls served by the syscall */
#endif
};
extern __thread struct thread_slot vgr_thread_slot
	__attribute__((tls_model("initial-exec")));

/* The installed provider; fill stays NULL until thread_state_init(). */
extern struct vgr_provider vgr_provider;

/* Everything but a thread with a free state: first call, no provider,
 * nested or abandoned state, exiting thread, failed arena.  traced: the
 * request is the caller's own, to be told as a request event (a bulk
 * key is not). */
ssize_t thread_state_slow(void *buf, size_t len, unsigned int flags, bool traced);
/* After a provider call on state w that returned r: the rare outcomes (an
 * error, or a nested call that replaced the state meanwhile), out of line
 * so the hot path needs no more than it has.  The request reaches it
 * through a struct in the caller's frame: only this path reads it again,
 * so the hot path stores three words instead of keeping them in
 * callee-saved registers across the provider call (GCC 12 on x86-64: three
 * pushes and pops fewer, the argument checks ahead of them; no difference
 * a loop of calls can measure, but a shorter hot path). */
struct vgr_request {
	void *buf;
	size_t len;
	unsigned int flags;
};
ssize_t thread_state_after_call(uintptr_t w, ssize_t r, const struct vgr_request *req);

/* One provider call on state word w (not busy), marking it busy meanwhile.
 * traced is a constant at every call site. */
static inline __attribute__((always_inline)) ssize_t
vgr_state_call(uintptr_t w, void *buf, size_t len, unsigned int flags, bool traced)
{
	struct vgr_request req = { buf, len, flags };
	ssize_t r;

	vgr_thread_slot.word = w | VGR_STATE_BUSY;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	r = vgr_provider.fill(buf, len, flags, (void *)w, vgr_provider.state_size);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__builtin_expect(vgr_thread_slot.word != (w | VGR_STATE_BUSY) || r < 0, 0))
		return thread_state_after_call(w, r, &req);
	vgr_thread_slot.word = w;
	/* The request's copy on the stack, not len and flags: the probe then
	 * reads them from there, and nothing more stays live across the
	 * provider call.  The path is loaded into a register here, after the
	 * call: tracers (bpftrace 0.17) cannot read a symbol-relative operand. */
	if (traced) {
		unsigned char path = vgr_provider.path;
		__asm__("" : "+r"(path));
		VGR_EVENT3(request, req.len, req.flags, path);
	}
	return r;
}

/* getrandom through the provider with the calling thread's own state; the
 * getrandom system call whenever no state can be used (no provider, a
 * nested call from a signal handler, an exiting thread, an arena that
 * could not be mapped).  Flags must already be valid.  Returns bytes or
 * -1/errno. */
static inline __attribute__((always_inline)) ssize_t
thread_state_getrandom(void *buf, size_t len, unsigned int flags)
{
	uintptr_t w = vgr_thread_slot.word;

	if (__builtin_expect(w == 0 || (w & VGR_STATE_BUSY), 0))
		return thread_state_slow(buf, len, flags, true);
	return vgr_state_call(w, buf, len, flags, true);
}

/* The same for the bulk path's 32-byte key, which is not a request of its
 * own to observers. */
static inline ssize_t thread_state_key(void *key, size_t len, unsigned int flags)
{
	uintptr_t w = vgr_thread_slot.word;

	if (__builtin_expect(w == 0 || (w & VGR_STATE_BUSY), 0))
		return thread_state_slow(key, len, flags, false);
	return vgr_state_call(w, key, len, flags, false);
}

/* Tell the provider that n bytes of bulk output followed from the key the
 * calling thread's state just gave (bulk.c).  A thread without a state of
 * its own, or inside a nested call, took that key from the system call. */
static inline void thread_state_charge(size_t n)
{
	uintptr_t w = vgr_thread_slot.word;

	if (vgr_provider.charge && w != 0 && !(w & VGR_STATE_BUSY))
		vgr_provider.charge((void *)w, n);
}

/* How many consecutive nested calls, with no outer call completing, make a
 * thread give up its state as abandoned (left in use by a siglongjmp out
 * of a signal handler) and take a fresh one. */
#define VGR_ABANDON_THRESHOLD 16u

#ifdef VGR_TESTING
void *thread_state_current(void);       /* this thread's state, or NULL */
void thread_state_test_mark_busy(void); /* pretend a call was abandoned */
unsigned long thread_state_syscall_fallbacks(void); /* this thread's count */
#endif

#endif
