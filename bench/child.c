/* SPDX-License-Identifier: MIT */
/*
 * The measuring child: one source, set up in a fresh process (the library
 * chooses its backend once per process, from VGETRANDOM_BACKEND), timed in
 * one of four modes and reported on stdout in the child protocol
 * (bench.h): every size, thread scaling, thread churn, or the library
 * paired with the raw vDSO in one process.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int run_child(const char *name, double target_ms)
{
	fill_fn fn = child_source(name);
	unsigned char *buf = malloc(MAXBUF);

	if (!fn || !buf) {
		printf("skip\n");
		return 0;
	}
	memset(buf, 1, MAXBUF); /* pre-fault */
	printf("backend %s\n", vgr_backend_fn ? vgr_backend_fn() : "-");
	for (size_t s = 0; s < NSIZES; s++) {
		long n = 1;
		double t;
		for (int w = 0; w < 3; w++)
			fn(buf, sizes[s]);
		/* Grow the count until one run takes an eighth of the target. */
		for (;;) {
			t = now_ns();
			for (long i = 0; i < n; i++)
				if (!fn(buf, sizes[s])) {
					printf("error %s\n", strerror(errno));
					return 1;
				}
			t = now_ns() - t;
			if (t >= target_ms * 1e6 / 8 || n > (1L << 30))
				break;
			n *= 2;
		}
		n = (long)((double)n * (target_ms * 1e6) / t) + 1;
		t = now_ns();
		for (long i = 0; i < n; i++)
			fn(buf, sizes[s]);
		t = now_ns() - t;
		printf("%zu %.3f\n", sizes[s], t / (double)n / calls_per_fill);
	}
	return 0;
}

/* Scaling: T threads call the source for target_ms; ns per call per
 * thread (lower is better; equal to the 1-thread figure means perfect
 * scaling). */
struct scaling_arg {
	fill_fn fn;
	size_t size;
	double target_ms;
	long calls;
	pthread_barrier_t *start;
};

static void *scaling_thread(void *p)
{
	struct scaling_arg *a = p;
	unsigned char *buf = malloc(a->size);
	memset(buf, 1, a->size);
	pthread_barrier_wait(a->start);
	double end = now_ns() + a->target_ms * 1e6;
	long calls = 0;
	while (now_ns() < end)
		for (int i = 0; i < 64; i++, calls++)
			a->fn(buf, a->size);
	a->calls = calls;
	free(buf);
	return NULL;
}

static int run_scaling(const char *name, int threads, size_t size, double target_ms)
{
	fill_fn fn = child_source(name);
	pthread_t t[256];
	struct scaling_arg a[256];
	pthread_barrier_t start;

	if (!fn || threads < 1 || threads > 256) {
		printf("skip\n");
		return 0;
	}
	pthread_barrier_init(&start, NULL, (unsigned)threads);
	for (int i = 0; i < threads; i++) {
		a[i] = (struct scaling_arg){ fn, size, target_ms, 0, &start };
		pthread_create(&t[i], NULL, scaling_thread, &a[i]);
	}
	long total = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		total += a[i].calls;
	}
	printf("%zu %.3f\n", size, target_ms * 1e6 * threads / (double)total / calls_per_fill);
	return 0;
}

/* Churn: create a thread that makes one 16-byte call, join it; "none"
 * only creates and joins.  Printed as size-keyed lines (the child
 * protocol): CHURN_CYCLE the ns per create + call + join; for a source,
 * also CHURN_PAIRED, the median over pairs of blocks run in this process
 * of (16 cycles with the call - 16 without) / 16, which cancels the VM's
 * drift that separate processes see; CHURN_FIRST, the median time of a
 * new thread's first call, timed inside it; and CHURN_LATER, its second. */
enum { CHURN_PAIRED = 1, CHURN_FIRST = 4, CHURN_CYCLE = 16, CHURN_LATER = 32 };
static fill_fn churn_fn;
static int churn_mode; /* 0: no call; 1: one call; 2: two calls, timed */
static double churn_first, churn_later;
static void *churn_thread(void *p)
{
	unsigned char b[16];
	if (churn_mode == 1) {
		churn_fn(b, sizeof(b));
	} else if (churn_mode == 2) {
		double t0 = now_ns();
		churn_fn(b, sizeof(b));
		double t1 = now_ns();
		churn_fn(b, sizeof(b));
		churn_first = t1 - t0;
		churn_later = now_ns() - t1;
	}
	return p;
}

/* ns per cycle of 16 create/call/join cycles in the given mode; in mode 2
 * the first and later call times of each go to first[] and later[]. */
static double churn_block(int mode, double *first, double *later)
{
	churn_mode = mode;
	double t0 = now_ns();
	for (int i = 0; i < 16; i++) {
		pthread_t t;
		pthread_create(&t, NULL, churn_thread, NULL);
		pthread_join(t, NULL);
		if (mode == 2) {
			first[i] = churn_first;
			later[i] = churn_later;
		}
	}
	return (now_ns() - t0) / 16;
}

static int run_churn(const char *name, double target_ms)
{
	enum { MAXPAIRS = 4096 };
	churn_fn = strcmp(name, "none") ? child_source(name) : NULL;
	if (strcmp(name, "none") && !churn_fn) {
		printf("skip\n");
		return 0;
	}
	static double with[MAXPAIRS], diff[MAXPAIRS], first[MAXPAIRS * 16], later[MAXPAIRS * 16];
	int n = 0, call = churn_fn != NULL;
	double end = now_ns() + target_ms * 1e6;
	churn_block(call, NULL, NULL); /* warm: the arena has its states after this */
	while (n < MAXPAIRS && (n < 8 || now_ns() < end)) {
		/* The order within a pair flips each time. */
		double w, wo;
		if (n & 1) {
			wo = churn_block(0, NULL, NULL);
			w = churn_block(call, NULL, NULL);
		} else {
			w = churn_block(call, NULL, NULL);
			wo = churn_block(0, NULL, NULL);
		}
		if (call)
			churn_block(2, first + 16 * n, later + 16 * n);
		with[n] = w;
		diff[n] = w - wo;
		n++;
	}
	printf("%d %.3f\n", CHURN_CYCLE, median_of(with, n));
	if (call) {
		printf("%d %.3f\n", CHURN_PAIRED, median_of(diff, n));
		printf("%d %.3f\n", CHURN_FIRST, median_of(first, 16 * n));
		printf("%d %.3f\n", CHURN_LATER, median_of(later, 16 * n));
	}
	return 0;
}

/* The library against the raw vDSO in one process: blocks of calls of
 * each, alternated (the order flips every pair), and the ratio of each
 * pair's times.  Separate processes at separate moments differ by this
 * VM's drift (1 B ranged 1.02-1.85x over rounds); a pair sees the same
 * machine.  The same pairs at 1 B for the two floors of bench/
 * wrapper_floor.c say how much of the library's ratio any wrapper pays.
 * The child prints its summary lines itself ("= " lines, see spawn()):
 * median ratio and quartiles (the extremes are preempted blocks, not the
 * code). */
enum { PAIRS = 1001, PAIR_CALLS = 10000 };
typedef ssize_t (*wrapper_fn)(void *, size_t, unsigned int);
static wrapper_fn paired_fn;
static int fill_paired(void *b, size_t n) { return paired_fn(b, n, 0) == (ssize_t)n; }

/* Median, first and third quartile of the pairs' ratios of paired_fn's
 * time over the raw vDSO's, at n bytes. */
static int pair_ratios(wrapper_fn fn, size_t n, double q[3])
{
	static double ratio[PAIRS];
	unsigned char buf[16];

	paired_fn = fn;
	for (int w = 0; w < 1000; w++) {
		fill_raw_vdso(buf, n);
		fill_paired(buf, n);
	}
	/* Short blocks (~0.2 ms at 1 B): a preemption spoils one pair,
	 * which the median then ignores. */
	for (int p = 0; p < PAIRS; p++) {
		double t[2];
		for (int k = 0; k < 2; k++) {
			int wrapped = (k + p) & 1;
			double t0 = now_ns();
			for (long i = 0; i < PAIR_CALLS; i++)
				if (!(wrapped ? fill_paired(buf, n) : fill_raw_vdso(buf, n)))
					return 0;
			t[wrapped] = now_ns() - t0;
		}
		ratio[p] = t[1] / t[0];
	}
	qsort(ratio, PAIRS, sizeof(double), cmp_double);
	q[0] = ratio[PAIRS / 2];
	q[1] = ratio[PAIRS / 4];
	q[2] = ratio[3 * PAIRS / 4];
	return 1;
}

static int run_paired(void)
{
	static const size_t psizes[] = { 1, 4, 16 };
	double q[3];

	if (!load_library() || !setup_raw_vdso()) {
		printf("skip\n");
		return 0;
	}
	printf("backend %s\n= vgetrandom / raw-vdso paired in one process (median of %d pairs "
	       "of blocks, quartiles):", vgr_backend_fn(), PAIRS);
	for (size_t z = 0; z < 3; z++) {
		if (!pair_ratios(vgr_fn, psizes[z], q))
			return 1;
		printf(" %zu B %.2fx (%.2f-%.2f)", psizes[z], q[0], q[1], q[2]);
	}
	printf("\n");

	void *h = dlopen(VGR_FLOOR_PATH, RTLD_NOW | RTLD_LOCAL);
	void (*setup)(raw_vdso_fn, void *, size_t) =
		h ? (void (*)(raw_vdso_fn, void *, size_t))(uintptr_t)dlsym(h, "wrapper_floor_setup") : NULL;
	wrapper_fn tail = h ? (wrapper_fn)(uintptr_t)dlsym(h, "wrapper_floor_tail") : NULL;
	wrapper_fn contract = h ? (wrapper_fn)(uintptr_t)dlsym(h, "wrapper_floor_contract") : NULL;
	if (!setup || !tail || !contract) {
		printf("= wrapper floors (bench/wrapper_floor.c): skipped, %s\n",
		       h ? "symbols missing" : dlerror());
		return 0;
	}
	setup(raw_fn, raw_state, raw_state_size);
	printf("= the least any wrapper costs, paired the same way at 1 B:");
	if (!pair_ratios(tail, 1, q))
		return 1;
	printf(" a jump to the vDSO %.2fx (%.2f-%.2f);", q[0], q[1], q[2]);
	if (!pair_ratios(contract, 1, q))
		return 1;
	printf(" with getrandom(2)'s checks and errno %.2fx (%.2f-%.2f)\n", q[0], q[1], q[2]);
	return 0;
}

int child_main(const char *name, int argc, char **argv, int from)
{
	double target_ms = 20;
	int threads = 0, mode = 0;
	size_t size = 0;

	for (int j = from; j < argc; j++) {
		if (!strcmp(argv[j], "--target-ms") && j + 1 < argc)
			target_ms = atof(argv[++j]);
		else if (!strcmp(argv[j], "--threads") && j + 1 < argc)
			threads = atoi(argv[++j]);
		else if (!strcmp(argv[j], "--size") && j + 1 < argc)
			size = (size_t)atol(argv[++j]);
		else if (!strcmp(argv[j], "--churn"))
			mode = 1;
		else if (!strcmp(argv[j], "--paired"))
			mode = 2;
	}
	if (mode == 2)
		return run_paired();
	if (mode == 1)
		return run_churn(name, target_ms);
	if (threads)
		return run_scaling(name, threads, size, target_ms);
	return run_child(name, target_ms);
}
