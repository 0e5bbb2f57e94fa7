/* SPDX-License-Identifier: MIT */
#ifndef VGR_STATE_ARENA_H
#define VGR_STATE_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The arena of provider states (the vDSO's opaque states, or the
 * generator's).  States are carved from mmap'd page
 * groups, mapped with the prot/flags the kernel asked for, in slots rounded
 * up to a cache line so no two threads' states share a line and none
 * straddles a page.  Free states sit on a stack kept in ordinary memory (a
 * MAP_DROPPABLE page may be zeroed by the kernel at any time, so it cannot
 * hold bookkeeping), whose capacity always covers every state ever mapped:
 * giving a state back never allocates.
 *
 * Taking, giving and growing take no lock and no signal mask
 * (state_arena.c): no system call while a free state exists, one mmap to
 * grow.  A call that finds its own thread's growth under way (from a
 * signal handler) gets false, and so the system call; one that finds
 * another thread's waits for it, for at most a second: never a deadlock.
 */

/* Can state pages be mapped this way here?  The vDSO asks for
 * MAP_DROPPABLE, which a seccomp filter or an older kernel with a
 * backported vDSO may refuse: then its states cannot exist at all.  With
 * wipe_on_fork, also say on the same page whether MADV_WIPEONFORK really
 * works (not just answers 0, as qemu-user does for any advice): the
 * generator's fork safety rests on it.  (keep: see below.) */
bool arena_can_map(int mmap_prot, int mmap_flags, bool *wipe_on_fork, void **keep);

/* With keep, arena_can_map() leaves its MAP_DROPPABLE probe page mapped
 * and hands it back in *keep (NULL if none); given here before the
 * provider is installed, it becomes the arena's first group, which saves
 * the setup an munmap and an mmap. */
void arena_adopt_first_page(void *page);

/* Configure the slot geometry; call once before anything else. */
void arena_configure(size_t state_size, int mmap_prot, int mmap_flags,
                     bool wipe_on_fork);

/* Take a state into *slot, a thread's TLS word, unless a signal handler
 * filled *slot first (then the state goes back).  false when no memory
 * could be mapped (a lack of memory is tried again 100 ms later, a
 * refusal never), or a growth was under way (see above). */
bool arena_take_into(uintptr_t *slot);

/* Return a state that no thread will touch again. */
void arena_give(void *state);

/* One page mapped the way states are (zeroed in a forked child, out of
 * core dumps), for the bulk path's fork canary; NULL if none can be had. */
void *arena_map_page(void);

/* Whether the last failure to map state memory was a refusal (seccomp,
 * an LSM) rather than a lack of memory: for the fallback event. */
bool arena_refused(void);

/* In a forked child: every state except the ones in keep[] (the forking
 * thread's) goes back on the free list, since the threads that owned them
 * do not exist there. */
#define ARENA_KEEP_MAX 4
void arena_fork_child(void *const *keep, size_t nkeep);

#ifdef VGR_TESTING
/* arena_take_into() for tests that hold states themselves: a state, or
 * NULL. */
void *vgr_test_arena_take(void);

/* Introspection for tests. */
struct arena_stats {
	size_t slot_size;      /* bytes per state slot */
	size_t per_page;       /* slots per page */
	size_t total;          /* slots mapped */
	size_t free;           /* slots on the free list */
	size_t groups;         /* page groups mapped */
	bool failed;           /* an mmap failed; no more growth */
};
void vgr_test_arena_stats(struct arena_stats *st);

/* Make the next growth fail as if mmap had. */
void vgr_test_arena_fail_next_mmap(void);
/* Call fn inside the next growths, after the mmap and before the group is
 * published (NULL: stop), as a signal handler on the growing thread would. */
void vgr_test_arena_during_grow(void (*fn)(void));
#endif

#endif
