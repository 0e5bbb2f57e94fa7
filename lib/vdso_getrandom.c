/* SPDX-License-Identifier: MIT */
/*
 * The vDSO provider: locating the kernel's vgetrandom() in the vDSO (Linux
 * 6.11 and later, vdso_abi.h) and querying the parameters of its
 * per-thread opaque state.
 */
#include "vdso_getrandom.h"
#include "vdso_lookup.h"

#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

static const struct vdso_getrandom_symbol symbols[] = { VDSO_GETRANDOM_SYMBOLS };

#ifdef VDSO_GETRANDOM_CR0_ERRORS
/* powerpc64 (ELFv2): call the vDSO function in r8 with the arguments in
 * r3-r7, in a frame of our own (the callee saves its return address in
 * its caller's frame, so the stub must have one), and return r3 negated
 * when the vDSO set CR0.SO, the system call convention for an error.  The
 * vDSO needs no TOC; r2 is kept anyway.  glibc calls powerpc vDSO
 * functions with the same rule (CR0.SO: error, r3 the errno). */
ssize_t vgr_ppc64_vdso_call(void *buf, size_t len, unsigned int flags, void *state,
                            size_t state_len, vdso_getrandom_fn fn);
__asm__(".text\n"
        ".p2align 4\n"
        ".globl vgr_ppc64_vdso_call\n"
        ".hidden vgr_ppc64_vdso_call\n"
        ".type vgr_ppc64_vdso_call, @function\n"
        "vgr_ppc64_vdso_call:\n"
        "\tmflr 0\n"
        "\tstd 0, 16(1)\n"
        "\tstdu 1, -32(1)\n"
        "\tstd 2, 24(1)\n"
        "\tmtctr 8\n"
        "\tbctrl\n"
        "\tld 2, 24(1)\n"
        "\taddi 1, 1, 32\n"
        "\tld 0, 16(1)\n"
        "\tmtlr 0\n"
        "\tbnslr+\n"
        "\tneg 3, 3\n"
        "\tblr\n"
        ".size vgr_ppc64_vdso_call, .-vgr_ppc64_vdso_call\n");

static vdso_getrandom_fn ppc64_vdso_fn;

/* The provider function: the vDSO's, in the library's convention. */
static ssize_t ppc64_fill(void *buf, size_t len, unsigned int flags, void *state,
                          size_t state_len)
{
	return vgr_ppc64_vdso_call(buf, len, flags, state, state_len, ppc64_vdso_fn);
}
#endif

#ifdef VGR_STATS
/*
 * The stat build counts the system calls the vDSO makes itself: it takes a
 * state's key from the getrandom system call whenever the state's
 * generation word differs from the kernel's (a new or zeroed state, a
 * forked child's wiped one, a dropped page, a kernel reseed) and then
 * stores the kernel's generation there.  The word follows the 128-byte
 * batch and key in the kernel's struct vgetrandom_state
 * (include/vdso/getrandom.h).  Not ABI, so only counting reads it.
 */
#include "stats.h"
#define VDSO_STATE_GENERATION_OFFSET 128
static vdso_getrandom_fn uncounted_fn;

static uint64_t state_generation(const void *state, size_t state_len)
{
	uint64_t g = 0;
	if (state && state_len >= VDSO_STATE_GENERATION_OFFSET + sizeof(g))
		memcpy(&g, (const unsigned char *)state + VDSO_STATE_GENERATION_OFFSET, sizeof(g));
	return g;
}

static ssize_t counted_fill(void *buf, size_t len, unsigned int flags, void *state,
                            size_t state_len)
{
	uint64_t before = state_generation(state, state_len);
	ssize_t r = uncounted_fn(buf, len, flags, state, state_len);
	if (state_generation(state, state_len) != before)
		vgr_stat_vdso_rekey();
	return r;
}
#endif

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
#ifdef VDSO_GETRANDOM_CR0_ERRORS
	ppc64_vdso_fn = fn;
	fn = ppc64_fill;
#endif

	if (fn(NULL, 0, 0, &params, VDSO_GETRANDOM_PARAMS_LEN) != 0)
		return false;
	/* A state must fit in a page (the vDSO refuses straddling ones) and
	 * must be mappable at all. */
	if (params.size_of_opaque_state == 0 ||
	    params.size_of_opaque_state > (uint32_t)page ||
	    !(params.mmap_flags & MAP_ANONYMOUS))
		return false;

#ifdef VGR_STATS
	uncounted_fn = fn;
	fn = counted_fill;
#endif
	*out = (struct vdso_getrandom){
		.provider = {
			.fill = fn,
			.state_size = params.size_of_opaque_state,
			.mmap_prot = (int)params.mmap_prot,
			.mmap_flags = (int)params.mmap_flags,
			.path = VGR_PATH_VDSO,
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
