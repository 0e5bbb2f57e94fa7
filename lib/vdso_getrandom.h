/* SPDX-License-Identifier: MIT */
#ifndef VGR_VDSO_GETRANDOM_H
#define VGR_VDSO_GETRANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The kernel's vDSO entry: returns bytes written or a negative errno. */
typedef ssize_t (*vdso_getrandom_fn)(void *buf, size_t len, unsigned int flags,
                                     void *opaque_state, size_t opaque_len);

struct vdso_getrandom {
	vdso_getrandom_fn fn;
	const char *symbol;  /* the name it was found under */
	const char *version; /* and its symbol version */
	size_t state_size;   /* size_of_opaque_state */
	int mmap_prot;       /* how the states must be mapped */
	int mmap_flags;
};

/*
 * Find this architecture's vgetrandom symbol in the process's vDSO and ask
 * it for its opaque-state parameters.  False (and *out untouched) when
 * there is no vDSO, no such symbol, or the parameters are unusable.
 */
bool vdso_getrandom_probe(struct vdso_getrandom *out);

#endif
