/* SPDX-License-Identifier: MIT */
/*
 * The vDSO provider: locating the kernel's vgetrandom() in the vDSO (Linux
 * 6.11 and later, vdso_abi.h) and querying the parameters of its
 * per-thread opaque state.
 */
#include "vdso_getrandom.h"
#include "vdso_lookup.h"

#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

static const struct vdso_getrandom_symbol symbols[] = { VDSO_GETRANDOM_SYMBOLS };

bool vdso_getrandom_probe(struct vdso_getrandom *out)
{
#ifdef VDSO_GETRANDOM_NATIVE
	const struct vdso_getrandom_symbol *sym = &symbols[VDSO_GETRANDOM_NATIVE];
	const void *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	long page = sysconf(_SC_PAGESIZE);
	size_t len, off;
	struct vdso_getrandom_params params = { 0 };
	vdso_getrandom_fn fn;

	if (!base || page <= 0)
		return false;
	/* The ELF header and program headers sit in the image's first page. */
	len = vdso_image_size(base, (size_t)page);
	if (len == 0 || !vdso_lookup(base, len, sym->name, sym->version, &off))
		return false;
	fn = (vdso_getrandom_fn)(uintptr_t)((const unsigned char *)base + off);

	if (fn(NULL, 0, 0, &params, VDSO_GETRANDOM_PARAMS_LEN) != 0)
		return false;
	/* A state must fit in a page (the vDSO refuses straddling ones) and
	 * must be mappable at all. */
	if (params.size_of_opaque_state == 0 ||
	    params.size_of_opaque_state > (uint32_t)page ||
	    !(params.mmap_flags & MAP_ANONYMOUS))
		return false;

	*out = (struct vdso_getrandom){
		.provider = {
			.fill = fn,
			.state_size = params.size_of_opaque_state,
			.mmap_prot = (int)params.mmap_prot,
			.mmap_flags = (int)params.mmap_flags,
		},
		.symbol = sym->name,
		.version = sym->version,
	};
	return true;
#else
	(void)out;
	(void)symbols;
	return false;
#endif
}
