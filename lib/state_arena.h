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
 * Taking and giving are lock-free (state_arena.c): no lock, no signal
 * mask, no system call while a free state exists.  Growth takes the arena
 * lock with all signals blocked, so a signal handler that calls into the
 * library can never find its own thread holding it.  The one thread that
 * holds it across fork() (from the prepare to the parent or child handler)
 * grows the arena without taking it again: other libraries' atfork
 * handlers run there and may draw.
 */

/* Can state pages be mapped this way here?  The vDSO asks for
 * MAP_DROPPABLE, which a seccomp filter or an older kernel with a
 * backported vDSO may refuse: then its states cannot exist at all.  With
 * wipe_on_fork, also say on the same page whether MADV_WIPEONFORK really
 * works (not just answers 0, as qemu-user does for any advice): the
 * generator's fork safety rests on it. */
bool arena_can_map(int mmap_prot, int mmap_flags, bool *wipe_on_fork);

/* Configure the slot geometry; call once before anything else. */
void arena_configure(size_t state_size, int mmap_prot, int mmap_flags,
                     bool wipe_on_fork);

/* Take a state into *slot, a thread's TLS word, unless a signal handler
 * filled *slot first (then the state goes back).  false when no memory
 * could be mapped (remembered: after the first mmap failure the arena
 * never retries). */
bool arena_take_into(uintptr_t *slot);

/* Return a state that no thread will touch again. */
void arena_give(void *state);

/* Whether the last failure to map state memory was a refusal (seccomp,
 * an LSM) rather than a lack of memory: for the fallback event. */
bool arena_refused(void);

/* Around fork(): hold the lock across it so the child inherits a
 * consistent arena; in the child, every state except the ones in keep[]
 * (the forking thread's) goes back on the free list, since the threads that
 * owned them do not exist there. */
void arena_fork_prepare(void);
void arena_fork_parent(void);
#define ARENA_KEEP_MAX 4
void arena_fork_child(void *const *keep, size_t nkeep);

#ifdef VGR_TESTING
/* arena_take_into() for tests that hold states themselves: a state, or
 * NULL. */
void *arena_take(void);

/* Introspection for tests. */
struct arena_stats {
	size_t slot_size;      /* bytes per state slot */
	size_t per_page;       /* slots per page */
	size_t total;          /* slots mapped */
	size_t free;           /* slots on the free list */
	size_t groups;         /* page groups mapped */
	bool failed;           /* an mmap failed; no more growth */
};
void arena_get_stats(struct arena_stats *st);

/* Make the next growth fail as if mmap had. */
void arena_test_fail_next_mmap(void);
#endif

#endif
