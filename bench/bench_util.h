/* SPDX-License-Identifier: MIT */
/* What the benchmark programs share: a clock, sorting for medians, and
 * the raw vDSO (called directly, with a state mapped here) as the floor
 * every vDSO library is measured against. */
#ifndef VGR_BENCH_UTIL_H
#define VGR_BENCH_UTIL_H

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "vdso_abi.h"

static inline double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The library build a benchmark measures: VGR_BENCH_LIBRARY, to compare
 * another build, else the one built beside it. */
#ifndef VGR_LIBRARY_PATH
#define VGR_LIBRARY_PATH "libvgetrandom.so.0"
#endif
static inline const char *bench_library(void)
{
	const char *path = getenv("VGR_BENCH_LIBRARY");
	return path && *path ? path : VGR_LIBRARY_PATH;
}

/* Sorts v. */
static inline double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef vdso_getrandom_fn raw_vdso_fn;
/* Each file that includes this has its own raw vDSO state. */
static raw_vdso_fn raw_fn;
static void *raw_state;
static size_t raw_state_size;

/* 1 if the vDSO exports vgetrandom and a state for it could be mapped. */
static inline int setup_raw_vdso(void)
{
#ifdef VDSO_GETRANDOM_NATIVE
	static const struct vdso_getrandom_symbol syms[] = { VDSO_GETRANDOM_SYMBOLS };
	const struct vdso_getrandom_symbol *sym = &syms[VDSO_GETRANDOM_NATIVE];
	struct vdso_getrandom_params params;
	void *h = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (!h) /* s390x and powerpc64 name it so */
		h = dlopen("linux-vdso64.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (!h)
		return 0;
	raw_fn = (raw_vdso_fn)(uintptr_t)dlvsym(h, sym->name, sym->version);
	if (!raw_fn || raw_fn(NULL, 0, 0, &params, VDSO_GETRANDOM_PARAMS_LEN) != 0)
		return 0;
	raw_state_size = params.size_of_opaque_state;
	raw_state = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), (int)params.mmap_prot,
	                 (int)params.mmap_flags, -1, 0);
	return raw_state != MAP_FAILED;
#else
	return 0; /* no vgetrandom vDSO on this architecture */
#endif
}

/* A fill from the raw vDSO, after setup_raw_vdso() in the same file. */
static inline int fill_raw_vdso(void *b, size_t n)
{
	return raw_fn(b, n, 0, raw_state, raw_state_size) == (ssize_t)n;
}

#endif
