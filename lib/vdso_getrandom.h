/* SPDX-License-Identifier: MIT */
#ifndef VGR_VDSO_GETRANDOM_H
#define VGR_VDSO_GETRANDOM_H

#include <stdbool.h>

#include "provider.h"

/* The vDSO provider, and where it was found. */
struct vdso_getrandom {
	struct vgr_provider provider;
	const char *symbol;  /* the name it was found under */
	const char *version; /* and its symbol version */
};

/*
 * Find this architecture's vgetrandom symbol in the process's vDSO and ask
 * it for its opaque-state parameters.  False (and *out untouched) when
 * there is no vDSO, no such symbol, or the parameters are unusable.
 */
bool vdso_getrandom_probe(struct vdso_getrandom *out);

#endif
