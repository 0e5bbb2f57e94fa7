/* SPDX-License-Identifier: MIT */
/*
 * Each thread owns up to two provider states (vDSO or generator), found
 * through TLS with no lock: the primary, which serves every call, and a
 * spare, taken the first time a call finds the primary busy.
 *
 * A signal handler that calls in while the thread is inside the provider
 * finds the primary's busy bit set.  It must not touch that state (the
 * interrupted call is halfway through it), so it uses the spare; when the
 * spare is busy too (a handler interrupting a handler), the system call.
 *
 * A handler that leaves by siglongjmp never clears the bit, and the vDSO's
 * own in-use byte inside the state stays set too, so that state is dead
 * until the thread exits; every later call of the thread finds the
 * primary busy and runs on the spare, at the vDSO's speed still.  After a
 * second such abandonment, of the spare, the thread uses the system call
 * until it exits.  Nothing ever replaces a busy state: a handler cannot
 * tell an abandoned call from one it interrupted, and an earlier design
 * that replaced a state after 16 nested hits lost a state, or handed one
 * out twice, when the handler ran between the interrupted call's last
 * check and its store (tests/unit/test_signals.c, the exit storms).
 * At exit a busy state is zeroed before it goes back, which resets the
 * vDSO's in-use byte: a zero state is one the vDSO simply reseeds.
 */
#include "thread_state.h"
#include "backend.h"
#include "entry.h"
#include "hot_path.h"
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

/* The thread-exit hook: a pthread key's destructor, armed by the first
 * call.  glibc's other hook, __cxa_thread_atexit_impl, allocates in the new
 * thread, and costs a thread that armed it several times what a key does
 * to create and join (bench/RESULTS.md, the churn table and its controls). */
static pthread_key_t exit_key;

/* Give back the state in a slot at thread exit.  No frame can be inside
 * it any more, so a busy one (abandoned) is zeroed first. */
static void give_back(uintptr_t *slot)
{
	uintptr_t w = *slot;

	*slot = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* a handler now takes the system call */
	if (w & BUSY)
		explicit_bzero((void *)(w & ~BUSY), vgr_provider.state_size);
	if (w)
		arena_give((void *)(w & ~BUSY));
}

static void on_thread_exit(void *arg)
{
	(void)arg;
	tls.exited = true;
	give_back(&tls.word);
	give_back(&tls.spare);
}

void thread_state_fork_child(void)
{
	/* No provider yet: no state was ever handed out. */
	if (!__atomic_load_n(&vgr_provider.fill, __ATOMIC_ACQUIRE))
		return;
	/* Only the forking thread survives; its states stay its own. */
	void *keep[2] = { (void *)(tls.word & ~BUSY), (void *)(tls.spare & ~BUSY) };
	arena_fork_child(keep, 2);
	/* The userspace generator reseeds every state after this. */
	generation_bump(VGR_RESEED_FORK);
}

VGR_LOAD_PATH bool thread_state_prepare(void)
{
	return pthread_key_create(&exit_key, on_thread_exit) == 0;
}

void thread_state_install(const struct vgr_provider *p)
{
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
}

/* Put a fresh state in an empty slot.  Returns the slot's word then, or 0
 * to use the system call with *why set.  A handler may have filled the
 * slot meanwhile (it interrupted this very call): the arena sees it, and
 * ours goes back. */
static __attribute__((noinline)) uintptr_t install(uintptr_t *slot, int *why)
{
	*why = VGR_FALLBACK_NO_STATE;
	if (tls.exited) {
		*why = VGR_FALLBACK_EXITED;
		return 0;
	}
	if (!tls.registered) {
		/* Any non-NULL value arms the destructor; the states live in
		 * TLS. */
		if (pthread_setspecific(exit_key, &tls) != 0)
			return 0;
		tls.registered = true;
	}
	if (!arena_take_into(slot)) {
		if (arena_refused())
			*why = VGR_FALLBACK_REFUSED;
		return 0;
	}
	return __atomic_load_n(slot, __ATOMIC_RELAXED);
}

ssize_t thread_state_after_error(ssize_t r, const struct vgr_request *req, size_t charge)
{
	int why;

	/* The vDSO falls back to the getrandom system call internally; on a
	 * kernel or sandbox without it, /dev/urandom is the answer, as on the
	 * syscall backend.  The generator declines a GRND_INSECURE request it
	 * cannot seed for without blocking; the kernel serves it as asked. */
	if (r == -ENOSYS)
		why = VGR_FALLBACK_VDSO_ERROR;
	else if (r == VGR_FILL_DECLINED)
		why = VGR_FALLBACK_NOT_SEEDED;
	else {
		errno = (int)-r;
		return -1;
	}
	return syscall_serve(req->buf, req->len, req->flags, why, !charge);
}

VGR_HOT_PATH ssize_t thread_state_slow(void *buf, size_t len, unsigned int flags, size_t charge)
{
	uintptr_t *slot = &tls.word;
	uintptr_t w = __atomic_load_n(slot, __ATOMIC_RELAXED);
	int why;

	if (__atomic_load_n(&vgr_provider.fill, __ATOMIC_ACQUIRE) == NULL) {
		/* The process's first small request is served as it is; the
		 * next one sets the backend up. */
		if (backend_defer_first(len))
			return syscall_serve(buf, len, flags, VGR_FALLBACK_FIRST, !charge);
		if (backend_start() == 0)
			return syscall_serve(buf, len, flags, VGR_FALLBACK_STARTING, !charge);
		if (__atomic_load_n(&vgr_provider.fill, __ATOMIC_ACQUIRE) == NULL)
			return syscall_serve(buf, len, flags, 0, !charge); /* the syscall backend */
		/* Routed again: the bulk path may be on now.  (A bulk key is
		 * never first: the bulk path starts with the provider.) */
		return vgr_getrandom(buf, len, flags);
	}
	if (w & BUSY) {
		/* Interrupted mid-call, or that call was abandoned: the spare. */
		slot = &tls.spare;
		w = __atomic_load_n(slot, __ATOMIC_RELAXED);
		if (w & BUSY)
			return syscall_serve(buf, len, flags, VGR_FALLBACK_NESTED, !charge);
	}
	if (w == 0) {
		w = install(slot, &why);
		if (w == 0)
			return syscall_serve(buf, len, flags, why, !charge);
		if (w & BUSY) /* never: a handler that filled it has returned */
			return syscall_serve(buf, len, flags, VGR_FALLBACK_NESTED, !charge);
	}
	return vgr_state_call(slot, w, buf, len, flags, charge);
}

#ifdef VGR_TESTING
void *vgr_test_thread_state(void)
{
	return (void *)(tls.word & ~BUSY);
}

void *vgr_test_thread_spare(void)
{
	return (void *)(tls.spare & ~BUSY);
}

void vgr_test_mark_busy(void)
{
	tls.word |= BUSY;
}

void vgr_test_clear_busy(void)
{
	tls.word &= ~BUSY;
}
#endif
