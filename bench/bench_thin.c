/* SPDX-License-Identifier: MIT */
/*
 * The thin first benchmark: ns per call at 1, 4, 16 and 64 bytes for
 *   syscall     - syscall(SYS_getrandom)
 *   raw-vdso    - the kernel's vDSO called directly, with a state this
 *                 program maps itself (the floor any library can reach)
 *   vgetrandom  - this library
 * Sources are measured side by side, interleaved, REPEATS times; the table
 * shows the median and the min-max of the repeats, and the ratios of the
 * medians.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "vgetrandom.h"

enum { REPEATS = 21 };

static ssize_t src_syscall(void *b, size_t n) { return syscall(SYS_getrandom, b, n, 0); }
static ssize_t src_raw(void *b, size_t n) { return raw_fn(b, n, 0, raw_state, raw_state_size); }
static ssize_t src_vgr(void *b, size_t n) { return vgetrandom(b, n, 0); }

struct source {
	const char *name;
	ssize_t (*fn)(void *, size_t);
	long iters; /* per measurement: ~5 ms each */
};

int main(void)
{
	static const size_t sizes[] = { 1, 4, 16, 64 };
	enum { NSIZES = 4 };
	struct source src[] = {
		{ "syscall", src_syscall, 10000 },
		{ "raw-vdso", src_raw, 200000 },
		{ "vgetrandom", src_vgr, 200000 },
	};
	enum { NSRC = 3 };
	static double ns[NSRC][NSIZES][REPEATS];
	unsigned char buf[64];
	int have_raw = setup_raw_vdso();

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("libvgetrandom thin bench: backend %s, raw vDSO %s, %d interleaved repeats\n",
	       vgetrandom_backend(), have_raw ? "found" : "absent (skipped)", REPEATS);
	for (int r = 0; r < REPEATS; r++) {
		fprintf(stderr, "\rrepeat %d/%d", r + 1, REPEATS);
		for (int s = 0; s < NSIZES; s++)
			for (int k = 0; k < NSRC; k++) {
				if (k == 1 && !have_raw)
					continue;
				src[k].fn(buf, sizes[s]); /* warm */
				double t0 = now_ns();
				for (long i = 0; i < src[k].iters; i++)
					if (src[k].fn(buf, sizes[s]) != (ssize_t)sizes[s]) {
						fprintf(stderr, "%s failed: %s\n", src[k].name, strerror(errno));
						return 1;
					}
				ns[k][s][r] = (now_ns() - t0) / (double)src[k].iters;
			}
	}
	fprintf(stderr, "\n");

	printf("%6s  %-24s %-24s %-24s %10s %10s\n", "bytes", "syscall ns (min-max)",
	       "raw-vdso ns (min-max)", "vgetrandom ns (min-max)", "vs syscall", "x raw");
	for (int s = 0; s < NSIZES; s++) {
		double med[NSRC];
		printf("%6zu", sizes[s]);
		for (int k = 0; k < NSRC; k++) {
			char cell[64];
			if (k == 1 && !have_raw) {
				med[k] = 0;
				printf("  %-23s", "skipped");
				continue;
			}
			qsort(ns[k][s], REPEATS, sizeof(double), cmp_double);
			med[k] = ns[k][s][REPEATS / 2];
			snprintf(cell, sizeof(cell), "%.1f (%.1f-%.1f)", med[k],
			         ns[k][s][0], ns[k][s][REPEATS - 1]);
			printf("  %-23s", cell);
		}
		printf(" %9.1fx", med[0] / med[2]);
		if (have_raw)
			printf(" %9.2fx", med[2] / med[1]);
		printf("\n");
	}
	printf("ratios: vs syscall = median syscall / median vgetrandom (speed-up), "
	       "x raw = median vgetrandom / median raw-vdso (1.00 = no overhead)\n");
	return 0;
}
