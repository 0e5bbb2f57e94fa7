/* SPDX-License-Identifier: MIT */
#include "state_arena.h"
#include "events.h"
#include "vdso_abi.h" /* MAP_DROPPABLE */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18 /* Linux 4.14 */
#endif

#define CACHE_LINE 64u
/* Groups double from one page up to this many pages; with 64 groups the
 * arena can hold far more states than a process can have threads. */
#define MAX_GROUP_PAGES 256u
#define MAX_GROUPS 64u
/* A 4 KiB page of the smallest slot, one cache line. */
#define FIRST_LINKS 64u

struct group {
	unsigned char *base;
	size_t pages;
	uint32_t first; /* index of its first slot */
};

/* The most slots the arena can ever map, per slot of a page: with groups
 * doubling from 1 to MAX_GROUP_PAGES pages and MAX_GROUPS groups. */
static size_t max_pages(void)
{
	size_t pages = 0, g = 1;
	for (unsigned i = 0; i < MAX_GROUPS; i++) {
		pages += g;
		if (g < MAX_GROUP_PAGES)
			g *= 2;
	}
	return pages;
}

/*
 * Taking and giving states is lock-free: a Treiber stack of slot indices
 * whose head word carries a tag that every change increments (ABA-safe:
 * a pop that read the head before another thread, or a signal handler on
 * its own thread, popped and pushed again fails its compare-and-swap and
 * retries).  No lock, no signal mask: a thread's first call and its exit
 * make no system call, and a handler that calls in mid-take or mid-give,
 * or leaves by siglongjmp, finds nothing held.  The links live in
 * ordinary memory (the first group's in the arena itself), reserved once
 * for every slot the arena can ever have,
 * so they never move under a reader.
 *
 * Growth (mapping a new page group) has one grower at a time, marked by a
 * compare-and-swap of a word, not a lock, and blocks no signal: a thread
 * under a seccomp policy that refuses or traps rt_sigprocmask grows like
 * any other, and a siglongjmp out of a handler never leaves a lock held.
 * A handler that interrupted its own thread's growth does not wait for
 * it: that one request takes the system call.  A thread that finds another
 * one growing waits, yielding, for at most a second.  A grower abandoned
 * by siglongjmp leaves the mark set, and the arena then never grows again:
 * calls that find no free state use the system call.
 *
 * fork() needs nothing of the arena's own: the child rebuilds the free list
 * from the published groups (arena_fork_child), and a group is published
 * only once its slots are counted in the total, so whatever another
 * thread was doing at the fork, the child's arena is whole.  The one growth
 * the child can resume is its own thread's (fork() from a handler that
 * interrupted it): that group, in flight, is left to the resumed growth.
 */
static struct {
	uintptr_t grower;  /* the growing thread's &grow_mark, or 0 */
	size_t in_flight;  /* the group the grower published and is pushing, or SIZE_MAX */
	size_t state_size, slot_size, per_page, page_size;
	int prot, flags;
	bool failed, fail_next, wipe_on_fork; /* fail_next: VGR_TESTING only */
	uint64_t retry_at; /* after a lack of memory: CLOCK_MONOTONIC_COARSE ns */
	bool refused; /* the mmap failure was a refusal, not a lack of memory */
	void *adopted; /* arena_adopt_first_page()'s page, until the first group */
	struct group groups[MAX_GROUPS];
	size_t ngroups;   /* published with release after groups[ngroups] */
	uint32_t total;   /* slots mapped */
	uint32_t *next;   /* free-list links by index: next index + 1, 0 ends */
	size_t cap;       /* entries reserved in next[] */
	/* The links of the first FIRST_LINKS indices: the first group's, in a
	 * page the library has already written at load, so that a process's
	 * setup maps and faults in no page for them (next[] is reserved at
	 * the first growth past them; its first FIRST_LINKS entries stay
	 * unused). */
	uint32_t first_links[FIRST_LINKS];
	uint64_t head;    /* tag << 32 | (top index + 1); low word 0: empty */
} arena = { .in_flight = SIZE_MAX };

/* Its address names this thread as the grower. */
static __thread char grow_mark __attribute__((tls_model("initial-exec")));

#define HEAD_TOP(h) ((uint32_t)(h))
#define HEAD_NEXT(h, top) ((((h) >> 32) + 1) << 32 | (uint64_t)(top))

/* Index i's link.  An index past FIRST_LINKS exists only once next[] is
 * reserved, and reaches a reader through the head (release, acquire). */
static uint32_t *link_of(uint32_t i)
{
	return i < FIRST_LINKS ? &arena.first_links[i] : &arena.next[i];
}

static void push_index(uint32_t i)
{
	uint64_t old = __atomic_load_n(&arena.head, __ATOMIC_RELAXED);
	do
		__atomic_store_n(link_of(i), HEAD_TOP(old), __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&arena.head, &old, HEAD_NEXT(old, i + 1), true,
	                                    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

static void *slot_address(uint32_t i)
{
	size_t n = __atomic_load_n(&arena.ngroups, __ATOMIC_ACQUIRE);
	for (size_t g = 0; g < n; g++) {
		const struct group *gr = &arena.groups[g];
		size_t k = i - gr->first;
		if (i >= gr->first && k < gr->pages * arena.per_page)
			return gr->base + k / arena.per_page * arena.page_size +
			       k % arena.per_page * arena.slot_size;
	}
	return NULL;
}

/* The index of a state address, or -1 if it is not one of ours. */
static long slot_index(const void *state)
{
	const unsigned char *p = state;
	size_t n = __atomic_load_n(&arena.ngroups, __ATOMIC_ACQUIRE);
	for (size_t g = 0; g < n; g++) {
		const struct group *gr = &arena.groups[g];
		if (p >= gr->base && p < gr->base + gr->pages * arena.page_size) {
			size_t off = (size_t)(p - gr->base);
			return (long)(gr->first + off / arena.page_size * arena.per_page +
			              off % arena.page_size / arena.slot_size);
		}
	}
	return -1;
}

bool arena_can_map(int mmap_prot, int mmap_flags, bool *wipe_on_fork, void **keep)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = page > 0 ? (size_t)page : 4096;
	/* The probe runs inside the process's first request, which must
	 * leave errno as a successful system call does; its failures, one of
	 * them on purpose, are answers, not errors. */
	int saved_errno = errno;
	if (keep)
		*keep = NULL;
	void *m = mmap(NULL, len, mmap_prot, mmap_flags, -1, 0);

	if (m == MAP_FAILED) {
		errno = saved_errno;
		return false;
	}
	/* An advice no kernel knows must fail before MADV_WIPEONFORK's
	 * success is believed. */
	if (wipe_on_fork)
		*wipe_on_fork = madvise(m, len, 0x7fff) != 0 &&
		                madvise(m, len, MADV_WIPEONFORK) == 0;
	if (keep && (mmap_flags & MAP_DROPPABLE) && !wipe_on_fork)
		*keep = m; /* nothing done to it: as map_like_states() maps it */
	else
		munmap(m, len);
	errno = saved_errno;
	return true;
}

void arena_adopt_first_page(void *page)
{
	arena.adopted = page;
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

/* The links for every slot the arena can ever map, reserved (not
 * touched) once, so that they never move.  The grower only. */
static bool reserve_links(void)
{
	if (arena.next)
		return true;
	size_t cap = max_pages() * arena.per_page;
	void *m = mmap(NULL, cap * sizeof(uint32_t), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return false;
	arena.cap = cap;
	__atomic_store_n(&arena.next, (uint32_t *)m, __ATOMIC_RELEASE);
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
 * handed out in address order.  Returns how many. */
static size_t push_group(const struct group *gr, void *const *keep, size_t nkeep)
{
	size_t pushed = 0;
	for (size_t k = gr->pages * arena.per_page; k-- > 0;) {
		uint32_t i = gr->first + (uint32_t)k;
		if (!is_kept(slot_address(i), keep, nkeep)) {
			push_index(i);
			pushed++;
		}
	}
	return pushed;
}

#ifdef VGR_TESTING
static void (*during_grow)(void);
void vgr_test_arena_during_grow(void (*fn)(void))
{
	during_grow = fn;
}
#define DURING_GROW() (during_grow ? during_grow() : (void)0)
#else
#define DURING_GROW() ((void)0)
#endif

/* A mapping that failed for lack of memory (RLIMIT_AS, overcommit) is
 * tried again this long after, not on every call, and not never: memory
 * may be there again.  A refusal (seccomp, an LSM) stays one. */
#define GROW_RETRY_NS (100ull * 1000000ull)

static uint64_t coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts); /* the vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool give_up(bool refused)
{
	__atomic_store_n(&arena.refused, refused, __ATOMIC_RELAXED);
	arena.retry_at = refused ? UINT64_MAX : coarse_ns() + GROW_RETRY_NS;
	arena.failed = true;
	return false;
}

/* Map len bytes the way states are: the provider's prot and flags, out of
 * core dumps, locked unless droppable, wiped in a forked child.  NULL when
 * they cannot be had, with *refused set for a refusal (seccomp filters and
 * LSMs answer EPERM, EACCES or, as the kernel does for flags it lacks,
 * EINVAL) rather than a lack of memory. */
static void *map_like_states(size_t len, bool *refused)
{
	void *m = mmap(NULL, len, arena.prot, arena.flags, -1, 0);

	if (m == MAP_FAILED) {
		*refused = errno == EPERM || errno == EACCES || errno == EINVAL;
		return NULL;
	}
	/* MAP_DROPPABLE memory the kernel already keeps out of core dumps and
	 * swap (it sets VM_DONTDUMP itself: VmFlags "dd", which
	 * test-generator's state-pages case checks); asking again would cost
	 * a system call in the setup of every process.  The generator's
	 * ordinary memory asks for both, the second with mlock.  That may
	 * fail (RLIMIT_MEMLOCK); the states still work, they may then reach
	 * swap (libvgetrandom(7), BACKENDS and CAVEATS). */
	int saved_errno = errno; /* a refused mlock is no failure of the request's */
	if (!(arena.flags & MAP_DROPPABLE)) {
		madvise(m, len, MADV_DONTDUMP);
		mlock(m, len);
	}
	if (arena.wipe_on_fork && madvise(m, len, MADV_WIPEONFORK) != 0) {
		/* Memory a child could inherit intact must never be used. */
		munmap(m, len);
		*refused = true;
		return NULL;
	}
	errno = saved_errno;
	return m;
}

void *arena_map_page(void)
{
	bool refused;

	if (!(arena.flags & MAP_DROPPABLE) && !arena.wipe_on_fork)
		return NULL; /* never: no provider maps states a child keeps */
	return map_like_states(arena.page_size, &refused);
}

/* Map one more page group and push its slots.  The grower only. */
static bool grow(void)
{
	size_t pages, nslots;
	unsigned char *base;

	if (arena.ngroups == MAX_GROUPS || arena.slot_size == 0)
		return false;
	if (arena.failed) {
		if (arena.retry_at == UINT64_MAX || coarse_ns() < arena.retry_at)
			return false;
		arena.failed = false;
	}
	pages = arena.ngroups == 0 ? 1 : arena.groups[arena.ngroups - 1].pages * 2;
	if (pages > MAX_GROUP_PAGES)
		pages = MAX_GROUP_PAGES;
	nslots = pages * arena.per_page;

	if (arena.fail_next) {
		arena.fail_next = false;
		return give_up(false);
	}
	if (arena.total + nslots > FIRST_LINKS && !reserve_links())
		return give_up(false);
	if (arena.total + nslots > (arena.next ? arena.cap : FIRST_LINKS))
		return false; /* never: the links cover every group there can be */
	bool refused = false;
	if (arena.ngroups == 0 && arena.adopted && (arena.flags & MAP_DROPPABLE)) {
		base = arena.adopted; /* one page, mapped as states are */
		arena.adopted = NULL;
	} else {
		base = map_like_states(pages * arena.page_size, &refused);
	}
	if (!base)
		return give_up(refused);

	DURING_GROW(); /* as a signal handler would, at the worst moment */
	size_t g = arena.ngroups;
	arena.groups[g] = (struct group){ base, pages, arena.total };
	/* Counted, then published (before any of its slots can be popped),
	 * then pushed; in flight from the publication to the last push. */
	arena.total += (uint32_t)nslots;
	__atomic_store_n(&arena.in_flight, g, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&arena.ngroups, g + 1, __ATOMIC_RELEASE);
	push_group(&arena.groups[g], NULL, 0);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&arena.in_flight, SIZE_MAX, __ATOMIC_RELAXED);
	return true;
}

/* The state being taken by this thread, from just before the compare-and-
 * swap that pops it until it is in the caller's slot: a child forked in
 * that window (fork() from a signal handler that interrupted it) keeps it
 * out of its free list, since the interrupted take resumes there. */
static __thread void *taking __attribute__((tls_model("initial-exec")));

/* Pop a free state into *slot if *slot is still 0 (else it goes back).
 * The address is worked out before the pop, so nothing but a branch lies
 * between the pop and the store: a siglongjmp out of a handler that
 * interrupted this can lose the state only in those few instructions, and
 * can never make it owned twice.  false: the list was empty. */
static bool pop_into(uintptr_t *slot)
{
	uint64_t old = __atomic_load_n(&arena.head, __ATOMIC_ACQUIRE);
	uintptr_t empty = 0;
	uint32_t top;
	void *state;

	do {
		top = HEAD_TOP(old);
		if (top == 0)
			return false;
		state = slot_address(top - 1);
		taking = state;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} while (!__atomic_compare_exchange_n(
	                 &arena.head, &old,
	                 HEAD_NEXT(old, __atomic_load_n(link_of(top - 1), __ATOMIC_RELAXED)),
	                 true, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE));
	bool mine = __atomic_compare_exchange_n(slot, &empty, (uintptr_t)state, false,
	                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	if (!mine)
		push_index(top - 1); /* a handler filled the slot meanwhile */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	taking = NULL;
	if (mine)
		VGR_EVENT1(state_take, state);
	return true;
}

/* A call that finds another thread growing waits for it: a short spin,
 * then sched_yield() (pushing a large group's slots takes a while, and the
 * grower may be preempted), for at most this long, which only a grower
 * abandoned by siglongjmp ever exhausts. */
#define GROW_SPINS 64
#define GROW_WAIT_NS (1000ull * 1000000ull)

bool arena_take_into(uintptr_t *slot)
{
	uintptr_t me = (uintptr_t)&grow_mark;
	uint64_t deadline = 0;

	for (unsigned spins = 0;; spins++) {
		if (pop_into(slot))
			return true;
		uintptr_t none = 0;
		if (__atomic_compare_exchange_n(&arena.grower, &none, me, false, __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED)) {
			/* Another grower may have finished meanwhile. */
			bool popped = pop_into(slot);
			bool grown = popped || grow();
			__atomic_store_n(&arena.grower, 0, __ATOMIC_RELEASE);
			if (popped)
				return true;
			if (!grown)
				return false;
			continue;
		}
		/* A handler that interrupted this thread's own growth must
		 * not wait for it. */
		if (none == me)
			return false;
		if (spins < GROW_SPINS)
			continue;
		if (!deadline)
			deadline = coarse_ns() + GROW_WAIT_NS;
		else if (coarse_ns() > deadline)
			return false;
		sched_yield();
	}
}

bool arena_refused(void)
{
	return __atomic_load_n(&arena.refused, __ATOMIC_RELAXED);
}

void arena_give(void *state)
{
	long i = state ? slot_index(state) : -1;

	if (i < 0)
		return;
	VGR_EVENT1(state_give, state);
	push_index((uint32_t)i);
}

void arena_fork_child(void *const *keep, size_t nkeep)
{
	/* Single-threaded now: whatever the other threads were doing to the
	 * list at the fork is rebuilt from the groups.  The tag goes on
	 * counting, so a pop this thread was in the middle of (fork() from a
	 * handler) fails its compare-and-swap and starts again. */
	void *kept[ARENA_KEEP_MAX + 1];
	size_t freed = 0;
	uint64_t head = __atomic_load_n(&arena.head, __ATOMIC_RELAXED);

	if (nkeep > ARENA_KEEP_MAX)
		nkeep = ARENA_KEEP_MAX; /* never: thread_state.c keeps two */
	memcpy(kept, keep, nkeep * sizeof(*keep));
	kept[nkeep] = taking;
	/* A growth of this thread's, interrupted by the handler that forked,
	 * resumes and pushes its own group; any other thread's growth ended
	 * with that thread. */
	size_t resumed = SIZE_MAX;
	if (arena.grower == (uintptr_t)&grow_mark)
		resumed = arena.in_flight;
	else
		arena.grower = 0;
	__atomic_store_n(&arena.head, HEAD_NEXT(head, 0), __ATOMIC_RELAXED);
	for (size_t g = arena.ngroups; g-- > 0;)
		if (g != resumed)
			freed += push_group(&arena.groups[g], kept, nkeep + 1);
	VGR_EVENT1(fork_reclaim, freed);
}

#ifdef VGR_TESTING
void *vgr_test_arena_take(void)
{
	uintptr_t state = 0;

	return arena_take_into(&state) ? (void *)state : NULL;
}

void vgr_test_arena_stats(struct arena_stats *st)
{
	/* Callers ask when the arena is quiet. */
	st->slot_size = arena.slot_size;
	st->per_page = arena.per_page;
	st->total = arena.total;
	st->free = 0; /* a walk of the list */
	for (uint32_t top = HEAD_TOP(__atomic_load_n(&arena.head, __ATOMIC_ACQUIRE));
	     top && st->free <= arena.total; top = *link_of(top - 1))
		st->free++;
	st->groups = arena.ngroups;
	st->failed = arena.failed;
}

void vgr_test_arena_fail_next_mmap(void)
{
	arena.fail_next = true;
}
#endif
