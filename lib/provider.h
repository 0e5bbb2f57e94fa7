/* SPDX-License-Identifier: MIT */
#ifndef VGR_PROVIDER_H
#define VGR_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "events.h"
#include "vdso_abi.h"

/*
 * A provider fills buffers from a per-thread state: the kernel's vDSO
 * function (vdso_getrandom.c) or the userspace generator (generator.c),
 * which adopts the vDSO's calling convention (bytes written, or a negative
 * errno) and its way of asking for state memory.  The per-thread state
 * code (thread_state.c) serves whichever backend.c installed, and the
 * system call when none is.
 */
/* What a fill returns, besides bytes or a negative errno, to have the
 * request served by the system call instead (below every errno). */
#define VGR_FILL_DECLINED ((ssize_t)-4096)

struct vgr_provider {
	vdso_getrandom_fn fill;
	/* Optional: n bytes of bulk output followed from a key this state
	 * gave (the generator counts them in its reseed budget). */
	void (*charge)(void *state, size_t n);
	size_t state_size;
	int mmap_prot, mmap_flags;
	bool wipe_on_fork; /* also madvise(MADV_WIPEONFORK) each page group */
	unsigned char path; /* how events.h names what it serves */
};

#endif
