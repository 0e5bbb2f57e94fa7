/* SPDX-License-Identifier: MIT */
/*
 * Each thread owns one provider state (vDSO or generator), found through
 * TLS with no lock.
 *
 * The TLS word holds the state's address with its low bit set while a call
 * is inside the provider.  A signal handler that calls in on the same thread
 * and finds the bit set must not touch that state (the interrupted call is
 * halfway through it), so it uses the system call.  Because slots are
 * cache-line aligned the low bit is always free.
 *
 * A handler that leaves by siglongjmp never clears the bit, and the vDSO's
 * own in-use byte inside the state stays set too, so that state is dead
 * for good.  After VGR_ABANDON_THRESHOLD nested hits with no call
 * completing in between, the thread takes a fresh state and keeps the old
 * one aside as an orphan.  If the old one was in fact still in use by an
 * interrupted outer call (a signal storm), that call notices when it
 * returns that it was superseded and frees its state itself; otherwise the
 * orphan is freed (zeroed first, which resets the vDSO's in-use byte) when
 * the thread exits.
 */
#include "thread_state.h"
#include "state_arena.h"
#include "syscall_path.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "generation.h"

__thread struct thread_slot vgr_thread_slot __attribute__((tls_model("initial-exec")));
struct vgr_provider vgr_provider;

#define tls vgr_thread_slot
#define BUSY VGR_STATE_BUSY

static pthread_key_t exit_key;

static void release_orphan(void *orphan)
{
	/* No frame can be inside an orphan any more when this runs (thread
	 * exit), so zeroing it is safe, and it clears the vDSO's in-use byte:
	 * a zero state is one the vDSO simply reseeds. */
	explicit_bzero(orphan, vgr_provider.state_size);
	arena_give(orphan);
}

static void on_thread_exit(void *arg)
{
	(void)arg;
	uintptr_t w = tls.word;

	tls.exited = true;
	tls.word = 0;
	if (w & BUSY)
		release_orphan((void *)(w & ~BUSY));
	else if (w)
		arena_give((void *)w);
	if (tls.orphan) {
		release_orphan(tls.orphan);
		tls.orphan = NULL;
	}
}

static void fork_prepare(void) { arena_fork_prepare(); }
static void fork_parent(void) { arena_fork_parent(); }

static void fork_child(void)
{
	/* Only the forking thread survives; its states stay its own. */
	void *keep[2] = { (void *)(tls.word & ~BUSY), tls.orphan };
	arena_fork_child(keep, 2);
	/* The userspace generator reseeds every state after this. */
	generation_bump(VGR_RESEED_FORK);
}

bool thread_state_init(const struct vgr_provider *p)
{
	if (pthread_key_create(&exit_key, on_thread_exit) != 0)
		return false;
	if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0) {
		pthread_key_delete(exit_key);
		return false;
	}
	arena_configure(p->state_size, p->mmap_prot, p->mmap_flags, p->wipe_on_fork);
	vgr_provider = (struct vgr_provider){
		.charge = p->charge,
		.state_size = p->state_size,
		.mmap_prot = p->mmap_prot,
		.mmap_flags = p->mmap_flags,
		.wipe_on_fork = p->wipe_on_fork,
		.path = p->path,
	};
	/* fill last: a thread that sees it sees the rest, and the arena
	 * configured. */
	__atomic_store_n(&vgr_provider.fill, p->fill, __ATOMIC_RELEASE);
	return true;
}

/* A request sent to the system call for a reason (enum vgr_fallback). */
static ssize_t via_syscall(void *buf, size_t len, unsigned int flags, int why, bool traced)
{
#ifdef VGR_TESTING
	tls.syscalls++;
#endif
	VGR_EVENT2(fallback, why, len);
	ssize_t r = syscall_getrandom(buf, len, flags);
	if (traced && r >= 0)
		VGR_EVENT3(request, len, flags, VGR_PATH_SYSCALL);
	return r;
}

/* Give this thread a fresh state (first call, or after an abandonment).
 * Returns its TLS word, or 0 to use the system call with *why set. */
static __attribute__((noinline)) uintptr_t acquire_state(int *why)
{
	void *state;

	*why = VGR_FALLBACK_NO_STATE;
	if (tls.exited) {
		*why = VGR_FALLBACK_EXITED;
		return 0;
	}
	if (!tls.registered) {
		/* Any non-NULL value arms the destructor; the state itself
		 * lives in TLS. */
		if (pthread_setspecific(exit_key, &tls) != 0)
			return 0;
		tls.registered = true;
	}
	state = arena_take();
	if (!state) {
		if (arena_refused())
			*why = VGR_FALLBACK_REFUSED;
		return 0;
	}
	/* Abandoned, or still in use below us: see the top comment.  Only one
	 * orphan is remembered; a second abandonment before thread exit leaks
	 * one slot rather than risk freeing a state that is still in use. */
	if ((tls.word & BUSY) && !tls.orphan)
		tls.orphan = (void *)(tls.word & ~BUSY);
	tls.busy_hits = 0;
	tls.word = (uintptr_t)state;
	return tls.word;
}

ssize_t thread_state_after_call(uintptr_t w, ssize_t r, const struct vgr_request *req)
{
	if (tls.word == (w | BUSY)) {
		tls.word = w;
	} else {
		/* A nested call replaced the state while this one ran (see
		 * the top comment): ours is free again, unless it is the
		 * orphan remembered for it. */
		if (tls.orphan == (void *)w)
			tls.orphan = NULL;
		arena_give((void *)w);
	}
	if (r >= 0)
		return r;
	/* The vDSO falls back to the getrandom system call internally; on a
	 * kernel or sandbox without it, /dev/urandom is the answer, as on the
	 * syscall backend. */
	if (r == -ENOSYS)
		return via_syscall(req->buf, req->len, req->flags, VGR_FALLBACK_VDSO_ERROR, true);
	errno = (int)-r;
	return -1;
}

ssize_t thread_state_slow(void *buf, size_t len, unsigned int flags, bool traced)
{
	uintptr_t w = tls.word;
	int why;

	if (__atomic_load_n(&vgr_provider.fill, __ATOMIC_ACQUIRE) == NULL) {
		/* The syscall backend: not a fallback. */
		ssize_t r = syscall_getrandom(buf, len, flags);
		if (traced && r >= 0)
			VGR_EVENT3(request, len, flags, VGR_PATH_SYSCALL);
		return r;
	}
	/* Nested hits are counted since the state was taken, not since a call
	 * last completed: resetting on every completion would cost a store on
	 * the hot path.  So a long signal storm may also reach the threshold;
	 * the replacement is safe then too (the outer call frees its state). */
	if ((w & BUSY) && ++tls.busy_hits < VGR_ABANDON_THRESHOLD)
		return via_syscall(buf, len, flags, VGR_FALLBACK_NESTED, traced);
	w = acquire_state(&why);
	if (w == 0)
		return via_syscall(buf, len, flags, why, traced);
	if (traced)
		return vgr_state_call(w, buf, len, flags, true);
	return vgr_state_call(w, buf, len, flags, false);
}

#ifdef VGR_TESTING
void *thread_state_current(void)
{
	return (void *)(tls.word & ~BUSY);
}

void thread_state_test_mark_busy(void)
{
	tls.word |= BUSY;
}

unsigned long thread_state_syscall_fallbacks(void)
{
	return tls.syscalls;
}
#endif
