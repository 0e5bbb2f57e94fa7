/* SPDX-License-Identifier: MIT */
/*
 * Counting for `vgetrandom stat`, in the stat build of the library only
 * (-DVGR_STATS: lib/stat/, installed apart and preloaded by the command).
 * The library every other process loads has none of this: its events are
 * nops (events.h), so a process nobody asked about counts nothing.
 *
 * Each process counts into a file of its own, <VGETRANDOM_STAT_DIR>/<pid>,
 * mapped shared: the counts are in the file as they happen, so a process
 * killed by a signal still leaves them.  A forked child starts a file of
 * its own.  The layout is struct vgr_stat_file, read by tools/stat.c.
 */
#ifndef VGR_STATS_H
#define VGR_STATS_H

#include <stdint.h>

#define VGR_STAT_MAGIC 0x33545347524756ull /* "VGRGST3" */
#define VGR_STAT_SLOTS 16 /* per enum in events.h, indexed by its code */

struct vgr_stat_file {
	uint64_t magic;
	uint64_t pid, ppid;
	char program[64];            /* argv[0]'s last component */
	char backend[48];            /* vgetrandom_backend() when first counted */
	uint32_t provider;           /* vgetrandom_provider() then */
	uint32_t reserved;
	uint64_t calls[VGR_STAT_SLOTS];     /* by enum vgr_path */
	uint64_t bytes[VGR_STAT_SLOTS];
	uint64_t fallbacks[VGR_STAT_SLOTS]; /* by enum vgr_fallback */
	uint64_t reseeds[VGR_STAT_SLOTS];   /* by enum vgr_reseed */
	uint64_t states_taken, states_given, fork_reclaims;
	uint64_t vdso_rekeys;               /* the vDSO's own system calls */
	uint64_t syscalls;                  /* getrandom system calls the library made */
};

#ifdef VGR_STATS
extern struct vgr_stat_file *vgr_stat;

static inline void vgr_stat_add(uint64_t *field, uint64_t n)
{
	__atomic_fetch_add(field, n, __ATOMIC_RELAXED);
}
static inline unsigned vgr_stat_slot(long code)
{
	return code > 0 && code < VGR_STAT_SLOTS ? (unsigned)code : 0;
}

#define vgr_stat_request(len, flags, path)                                      \
	(vgr_stat_add(&vgr_stat->calls[vgr_stat_slot(path)], 1),                \
	 vgr_stat_add(&vgr_stat->bytes[vgr_stat_slot(path)], (uint64_t)(len)), (void)(flags))
#define vgr_stat_fallback(why, len) \
	(vgr_stat_add(&vgr_stat->fallbacks[vgr_stat_slot(why)], 1), (void)(len))
#define vgr_stat_reseed(why) vgr_stat_add(&vgr_stat->reseeds[vgr_stat_slot(why)], 1)
#define vgr_stat_state_take(state) (vgr_stat_add(&vgr_stat->states_taken, 1), (void)(state))
#define vgr_stat_state_give(state) (vgr_stat_add(&vgr_stat->states_given, 1), (void)(state))
#define vgr_stat_fork_reclaim(n) (vgr_stat_add(&vgr_stat->fork_reclaims, 1), (void)(n))
#define vgr_stat_vdso_rekey() vgr_stat_add(&vgr_stat->vdso_rekeys, 1)
#define vgr_stat_syscall() vgr_stat_add(&vgr_stat->syscalls, 1)
#endif

#endif
