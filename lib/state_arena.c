/* SPDX-License-Identifier: MIT */
#include "state_arena.h"
#include "events.h"
#include "vdso_abi.h" /* MAP_DROPPABLE */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18 /* Linux 4.14 */
#endif

#define CACHE_LINE 64u
/* Groups double from one page up to this many pages; with 64 groups the
 * arena can hold far more states than a process can have threads. */
#define MAX_GROUP_PAGES 256u
#define MAX_GROUPS 64u

struct group {
	unsigned char *base;
	size_t pages;
};

static struct {
	pthread_mutex_t lock;
	size_t state_size, slot_size, per_page, page_size;
	int prot, flags;
	bool failed, fail_next, wipe_on_fork; /* fail_next: VGR_TESTING only */
	bool refused; /* the mmap failure was a refusal, not a lack of memory */
	struct group groups[MAX_GROUPS];
	size_t ngroups, total;
	void **free_stack; /* ordinary anonymous memory, capacity >= total */
	size_t nfree, free_cap;
} arena = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The mask saved by the thread that holds the lock across fork(). */
static __thread sigset_t fork_saved_mask;

/* Set in the thread that holds the lock from fork()'s prepare handler to
 * its parent or child handler.  pthread_atfork handlers of other libraries
 * run inside that window, in that thread, and may draw (and so take a
 * state): the lock is already theirs and signals are blocked, so they use
 * the arena without taking the lock again, which would deadlock. */
static __thread bool holds_fork_lock __attribute__((tls_model("initial-exec")));

static void lock_arena(sigset_t *saved)
{
	sigset_t all;

	if (holds_fork_lock)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, saved);
	pthread_mutex_lock(&arena.lock);
}

static void unlock_arena(const sigset_t *saved)
{
	if (holds_fork_lock)
		return;
	pthread_mutex_unlock(&arena.lock);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

bool arena_can_map(int mmap_prot, int mmap_flags, bool *wipe_on_fork)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = page > 0 ? (size_t)page : 4096;
	void *m = mmap(NULL, len, mmap_prot, mmap_flags, -1, 0);

	if (m == MAP_FAILED)
		return false;
	/* An advice no kernel knows must fail before MADV_WIPEONFORK's
	 * success is believed. */
	if (wipe_on_fork)
		*wipe_on_fork = madvise(m, len, 0x7fff) != 0 &&
		                madvise(m, len, MADV_WIPEONFORK) == 0;
	munmap(m, len);
	return true;
}

void arena_configure(size_t state_size, int mmap_prot, int mmap_flags,
                     bool wipe_on_fork)
{
	arena.wipe_on_fork = wipe_on_fork;
	long page = sysconf(_SC_PAGESIZE);
	arena.page_size = page > 0 ? (size_t)page : 4096;
	arena.state_size = state_size;
	arena.slot_size = (state_size + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
	if (arena.slot_size > arena.page_size)
		arena.slot_size = arena.page_size; /* probe guarantees state_size <= page */
	arena.per_page = arena.page_size / arena.slot_size;
	arena.prot = mmap_prot;
	arena.flags = mmap_flags;
}

/* Make the free stack hold at least need entries.  Lock held. */
static bool reserve_free_stack(size_t need)
{
	size_t cap = arena.free_cap ? arena.free_cap : 64;
	void **fresh;

	if (need <= arena.free_cap)
		return true;
	while (cap < need)
		cap *= 2;
	fresh = mmap(NULL, cap * sizeof(void *), PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		return false;
	if (arena.free_stack) {
		memcpy(fresh, arena.free_stack, arena.nfree * sizeof(void *));
		munmap(arena.free_stack, arena.free_cap * sizeof(void *));
	}
	arena.free_stack = fresh;
	arena.free_cap = cap;
	return true;
}

static bool is_kept(const void *slot, void *const *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] == slot)
			return true;
	return false;
}

/* Push every slot of a group except the kept ones, in reverse so states are
 * handed out in address order.  Lock held; capacity reserved. */
static void push_group(const struct group *gr, void *const *keep, size_t nkeep)
{
	for (size_t page = gr->pages; page-- > 0;)
		for (size_t s = arena.per_page; s-- > 0;) {
			void *slot = gr->base + page * arena.page_size +
			             s * arena.slot_size;
			if (!is_kept(slot, keep, nkeep))
				arena.free_stack[arena.nfree++] = slot;
		}
}

/* Map one more page group and push its slots.  Lock held. */
static bool grow(void)
{
	size_t pages, nslots;
	unsigned char *base;

	if (arena.failed || arena.ngroups == MAX_GROUPS || arena.slot_size == 0)
		return false;
	pages = arena.ngroups == 0 ? 1 : arena.groups[arena.ngroups - 1].pages * 2;
	if (pages > MAX_GROUP_PAGES)
		pages = MAX_GROUP_PAGES;
	nslots = pages * arena.per_page;

	if (arena.fail_next || !reserve_free_stack(arena.total + nslots)) {
		arena.fail_next = false;
		arena.failed = true;
		return false;
	}
	base = mmap(NULL, pages * arena.page_size, arena.prot, arena.flags, -1, 0);
	if (base == MAP_FAILED) {
		/* seccomp filters and LSMs answer EPERM, EACCES or (as the
		 * kernel does for flags it lacks) EINVAL. */
		arena.refused = errno == EPERM || errno == EACCES || errno == EINVAL;
		arena.failed = true;
		return false;
	}
	/* MAP_DROPPABLE already keeps these out of core dumps and swap; say
	 * the first anyway, and for the generator's ordinary memory ask for
	 * the second with mlock.  That may fail (RLIMIT_MEMLOCK); the states
	 * still work, they may then reach swap (README, "Guarantees"). */
	madvise(base, pages * arena.page_size, MADV_DONTDUMP);
	if (!(arena.flags & MAP_DROPPABLE))
		mlock(base, pages * arena.page_size);
	if (arena.wipe_on_fork &&
	    madvise(base, pages * arena.page_size, MADV_WIPEONFORK) != 0) {
		/* A state a child could inherit intact must never be used. */
		munmap(base, pages * arena.page_size);
		arena.failed = true;
		return false;
	}

	arena.groups[arena.ngroups] = (struct group){ base, pages };
	push_group(&arena.groups[arena.ngroups++], NULL, 0);
	arena.total += nslots;
	return true;
}

void *arena_take(void)
{
	sigset_t saved;
	void *state = NULL;

	lock_arena(&saved);
	if (arena.nfree > 0 || grow())
		state = arena.free_stack[--arena.nfree];
	unlock_arena(&saved);
	if (state)
		VGR_EVENT1(state_take, state);
	return state;
}

bool arena_refused(void)
{
	return __atomic_load_n(&arena.refused, __ATOMIC_RELAXED);
}

void arena_give(void *state)
{
	sigset_t saved;

	if (!state)
		return;
	VGR_EVENT1(state_give, state);
	lock_arena(&saved);
	/* Capacity covers every mapped state, so this cannot overflow. */
	if (arena.nfree < arena.free_cap)
		arena.free_stack[arena.nfree++] = state;
	unlock_arena(&saved);
}

void arena_fork_prepare(void)
{
	lock_arena(&fork_saved_mask);
	holds_fork_lock = true;
}

void arena_fork_parent(void)
{
	holds_fork_lock = false;
	unlock_arena(&fork_saved_mask);
}

void arena_fork_child(void *const *keep, size_t nkeep)
{
	arena.nfree = 0;
	for (size_t g = arena.ngroups; g-- > 0;)
		push_group(&arena.groups[g], keep, nkeep);
	VGR_EVENT1(fork_reclaim, arena.nfree);
	/* The child is single-threaded and is the lock's owner: releasing it
	 * is well defined. */
	holds_fork_lock = false;
	unlock_arena(&fork_saved_mask);
}

#ifdef VGR_TESTING
void arena_get_stats(struct arena_stats *st)
{
	sigset_t saved;

	lock_arena(&saved);
	st->slot_size = arena.slot_size;
	st->per_page = arena.per_page;
	st->total = arena.total;
	st->free = arena.nfree;
	st->groups = arena.ngroups;
	st->failed = arena.failed;
	unlock_arena(&saved);
}

void arena_test_fail_next_mmap(void)
{
	sigset_t saved;

	lock_arena(&saved);
	arena.fail_next = true;
	unlock_arena(&saved);
}
#endif
