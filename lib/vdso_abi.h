/* SPDX-License-Identifier: MIT */
#ifndef VGR_VDSO_ABI_H
#define VGR_VDSO_ABI_H

/*
 * The kernel's vgetrandom vDSO ABI (Linux 6.11 and later), stated once for
 * the library and the vgetrandom(1) command.  From the kernel's
 * lib/vdso/getrandom.c and include/vdso/getrandom.h:
 *
 *   ssize_t vgetrandom(void *buf, size_t len, unsigned int flags,
 *                      void *opaque_state, size_t opaque_len);
 *
 * returns bytes written or a negative errno.  Called with buf = NULL,
 * len = 0, flags = 0 and opaque_len = VDSO_GETRANDOM_PARAMS_LEN it fills
 * struct vdso_getrandom_params instead and returns 0.  Each thread needs
 * its own state of size_of_opaque_state bytes, mapped with mmap_prot and
 * mmap_flags (MAP_DROPPABLE | MAP_ANONYMOUS on every architecture seen),
 * and never straddling a page.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08 /* Linux 6.11; older headers lack it */
#endif

typedef ssize_t (*vdso_getrandom_fn)(void *buf, size_t len, unsigned int flags,
                                     void *opaque_state, size_t opaque_len);

#define VDSO_GETRANDOM_PARAMS_LEN (~(size_t)0)

struct vdso_getrandom_params {
	uint32_t size_of_opaque_state;
	uint32_t mmap_prot;
	uint32_t mmap_flags;
	uint32_t reserved[13];
};

/* The symbol and its version, per architecture, as the kernel exports
 * them.  None on i386, x32 or arm32.  powerpc's vDSO reports errors the
 * way its system calls do, not by a negative return: CR0.SO set and a
 * positive errno in r3.  A C call through a function pointer cannot see
 * CR0, so on powerpc64 the library calls it through an assembly stub
 * (vdso_getrandom.c) that turns that into the convention above. */
struct vdso_getrandom_symbol {
	const char *arch, *name, *version;
};
#define VDSO_GETRANDOM_SYMBOLS                                        \
	{ "x86_64", "__vdso_getrandom", "LINUX_2.6" },                \
	{ "aarch64", "__kernel_getrandom", "LINUX_2.6.39" },          \
	{ "s390x", "__kernel_getrandom", "LINUX_2.6.29" },            \
	{ "loongarch64", "__vdso_getrandom", "LINUX_5.10" },          \
	{ "riscv64", "__vdso_getrandom", "LINUX_4.15" },              \
	{ "ppc64le", "__kernel_getrandom", "LINUX_2.6.15" }

/* This architecture's entry of that table, if it has one. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define VDSO_GETRANDOM_NATIVE 0
#elif defined(__aarch64__)
#define VDSO_GETRANDOM_NATIVE 1
#elif defined(__s390x__)
#define VDSO_GETRANDOM_NATIVE 2
#elif defined(__loongarch__) && __loongarch_grlen == 64
#define VDSO_GETRANDOM_NATIVE 3
#elif defined(__riscv) && __riscv_xlen == 64
#define VDSO_GETRANDOM_NATIVE 4
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && _CALL_ELF == 2
#define VDSO_GETRANDOM_NATIVE 5
#define VDSO_GETRANDOM_CR0_ERRORS 1 /* see above */
#endif

#endif
