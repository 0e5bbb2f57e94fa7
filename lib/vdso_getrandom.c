/* SPDX-License-Identifier: MIT */
/*
 * Locating the kernel's vgetrandom() in the vDSO (Linux 6.11 and later) and
 * querying the parameters of its per-thread opaque state.
 */
#include "vdso_getrandom.h"
#include "vdso_lookup.h"

#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

/* Symbol name and version per architecture, as the kernel exports them. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define VDSO_SYMBOL "__vdso_getrandom"
#define VDSO_VERSION "LINUX_2.6"
#elif defined(__aarch64__)
#define VDSO_SYMBOL "__kernel_getrandom"
#define VDSO_VERSION "LINUX_2.6.39"
#elif defined(__s390x__)
#define VDSO_SYMBOL "__kernel_getrandom"
#define VDSO_VERSION "LINUX_2.6.29"
#elif defined(__loongarch__) && __loongarch_grlen == 64
#define VDSO_SYMBOL "__vdso_getrandom"
#define VDSO_VERSION "LINUX_5.10"
#elif defined(__riscv) && __riscv_xlen == 64
#define VDSO_SYMBOL "__vdso_getrandom"
#define VDSO_VERSION "LINUX_4.15"
#endif
/* powerpc is left out on purpose: its vDSO reports errors through the
 * condition register, which a C function pointer call cannot see. */

/* The params block vgetrandom fills when called with opaque_len == ~0. */
struct opaque_params {
	uint32_t size_of_opaque_state;
	uint32_t mmap_prot;
	uint32_t mmap_flags;
	uint32_t reserved[13];
};

bool vdso_getrandom_probe(struct vdso_getrandom *out)
{
#ifdef VDSO_SYMBOL
	const void *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	long page = sysconf(_SC_PAGESIZE);
	size_t len, off;
	struct opaque_params params = { 0 };
	vdso_getrandom_fn fn;

	if (!base || page <= 0)
		return false;
	/* The ELF header and program headers sit in the image's first page. */
	len = vdso_image_size(base, (size_t)page);
	if (len == 0 || !vdso_lookup(base, len, VDSO_SYMBOL, VDSO_VERSION, &off))
		return false;
	fn = (vdso_getrandom_fn)(uintptr_t)((const unsigned char *)base + off);

	if (fn(NULL, 0, 0, &params, ~(size_t)0) != 0)
		return false;
	/* A state must fit in a page (the vDSO refuses straddling ones) and
	 * must be mappable at all. */
	if (params.size_of_opaque_state == 0 ||
	    params.size_of_opaque_state > (uint32_t)page ||
	    !(params.mmap_flags & MAP_ANONYMOUS))
		return false;

	out->fn = fn;
	out->symbol = VDSO_SYMBOL;
	out->version = VDSO_VERSION;
	out->state_size = params.size_of_opaque_state;
	out->mmap_prot = (int)params.mmap_prot;
	out->mmap_flags = (int)params.mmap_flags;
	return true;
#else
	(void)out;
	return false;
#endif
}
