/* SPDX-License-Identifier: MIT */
/*
 * The benchmark users run first: ns per call of every random-byte source
 * on this machine, for request sizes from 1 byte to 1 MiB, side by side.
 *
 * Each source is measured in a child process of its own (the library
 * chooses its backend once per process, from VGETRANDOM_BACKEND), and the
 * children run interleaved: round 1 of every source, then round 2, with the
 * order rotated each round.  The tables show the median over the rounds;
 * the CSV also has min and max.  Comparators that are not installed are
 * listed as skipped, never faked.
 *
 *   vgetrandom-bench [--quick] [--rounds N] [--skip SOURCE]... [--csv FILE]
 *                    [--json FILE]   (--skip: leave a source out, as skipped)
 *   vgetrandom-bench --child SOURCE [--target-ms T]   (internal)
 *
 * The peers a user would otherwise upgrade to, when bench/run.sh fetched
 * them (else listed as skipped, with the reason it gave):
 *   VGR_BENCH_GLIBC241=DIR  glibc 2.41's loader and libc.so.6: this same
 *                           program runs under that loader, its getrandom
 *                           and arc4random_buf being glibc 2.41's
 *   VGR_BENCH_GO=PROGRAM    bench/go/randbench.go built with Go 1.24,
 *                           which speaks the child protocol below
 *   VGR_BENCH_PEERS_SKIPPED=REASON  why they are missing
 */
#include <dlfcn.h>
#include "bench_util.h"
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The library is not linked: a process that has it loaded globally gets
 * libc's getrandom names from it, and every comparator that calls them
 * (libc getrandom, libsodium...) would silently measure the library.  Only
 * the children that measure vgetrandom() load it, privately. */
#ifndef VGR_LIBRARY_PATH
#define VGR_LIBRARY_PATH "libvgetrandom.so.0"
#endif
static ssize_t (*vgr_fn)(void *, size_t, unsigned int);
static const char *(*vgr_backend_fn)(void);

static void *open_library(void)
{
	const char *path = getenv("VGR_BENCH_LIBRARY");
	return dlopen(path && *path ? path : VGR_LIBRARY_PATH, RTLD_NOW | RTLD_LOCAL);
}

static int load_library(void)
{
	void *h = open_library();
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 0;
	}
	vgr_fn = (ssize_t (*)(void *, size_t, unsigned int))(uintptr_t)dlsym(h, "vgetrandom");
	vgr_backend_fn = (const char *(*)(void))(uintptr_t)dlsym(h, "vgetrandom_backend");
	return vgr_fn && vgr_backend_fn;
}

extern char **environ;

/* 200: a size that is not a whole number of 64-byte blocks. */
static const size_t sizes[] = { 1, 4, 16, 32, 64, 128, 200, 256, 1024, 4096, 65536, 1 << 20 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define MAXBUF (1u << 20)

/* ---- the child: one source, every size ---- */

typedef int (*fill_fn)(void *buf, size_t len);

static int fill_syscall(void *b, size_t n) { return syscall(SYS_getrandom, b, n, 0) == (long)n; }
static int fill_libc_getrandom(void *b, size_t n) { return getrandom(b, n, 0) == (ssize_t)n; } /* libc's: the library is never global here */
static int fill_vgetrandom(void *b, size_t n) { return vgr_fn(b, n, 0) == (ssize_t)n; }

/* The churn table's control: 100 ns of work that touches no shared data,
 * in place of a call.  What a new thread's first 100 ns cost in the paired
 * measure says how far a first call can get below it. */
static int fill_spin_100ns(void *b, size_t n)
{
	double end = now_ns() + 100;
	(void)b;
	(void)n;
	while (now_ns() < end)
		;
	return 1;
}

/* The churn table's second control: a thread-exit hook armed, and nothing
 * else.  A library that takes a thread's state back when the thread exits
 * (as this one does, lib/thread_state.c) must arm one in the thread's first
 * call: glibc then runs its key destructors at exit.  This row is that much
 * with a destructor that does nothing. */
static pthread_key_t exit_hook_key;
static void exit_hook_noop(void *p) { (void)p; }
static int fill_exit_hook(void *b, size_t n)
{
	(void)b;
	(void)n;
	return pthread_setspecific(exit_hook_key, &exit_hook_key) == 0;
}

static int urandom_fd = -1;
static int fill_urandom(void *b, size_t n) { return read(urandom_fd, b, n) == (ssize_t)n; }

#ifdef HAVE_LIBURING
#include <liburing.h>
/* io_uring: URING_BATCH reads of /dev/urandom submitted at once, so one
 * "call" here is a batch and the child divides by URING_BATCH. */
#define URING_BATCH 32
static struct io_uring ring;
static int fill_uring(void *b, size_t n)
{
	for (int i = 0; i < URING_BATCH; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		io_uring_prep_read(sqe, urandom_fd, b, (unsigned)n, 0);
	}
	if (io_uring_submit_and_wait(&ring, URING_BATCH) != URING_BATCH)
		return 0;
	for (int i = 0; i < URING_BATCH; i++) {
		struct io_uring_cqe *cqe;
		if (io_uring_wait_cqe(&ring, &cqe) != 0 || cqe->res != (int)n)
			return 0;
		io_uring_cqe_seen(&ring, cqe);
	}
	return 1;
}
#endif

static int fill_raw_vdso(void *b, size_t n)
{
	return raw_fn(b, n, 0, raw_state, raw_state_size) == (ssize_t)n;
}

/* Comparators from other libraries, found at run time by soname. */
static void (*ext_buf)(void *, size_t);
static int (*ext_rand_bytes)(unsigned char *, int);
static int fill_ext_buf(void *b, size_t n) { ext_buf(b, n); return 1; }
static int fill_openssl(void *b, size_t n) { return ext_rand_bytes(b, (int)n) == 1; }

static void *sym_from(const char *soname, const char *sym)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	return h ? dlsym(h, sym) : NULL;
}

static int calls_per_fill = 1;

/* 0: not available here. */
static fill_fn child_source(const char *name)
{
#ifdef HAVE_LIBURING
	if (!strcmp(name, "io_uring-urandom")) {
		urandom_fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (urandom_fd < 0 || io_uring_queue_init(URING_BATCH, &ring, 0) != 0)
			return NULL;
		calls_per_fill = URING_BATCH;
		return fill_uring;
	}
#endif
	if (!strcmp(name, "syscall"))
		return fill_syscall;
	if (!strcmp(name, "spin-100ns"))
		return fill_spin_100ns;
	if (!strcmp(name, "exit-hook"))
		return pthread_key_create(&exit_hook_key, exit_hook_noop) == 0 ? fill_exit_hook : NULL;
	/* Under glibc 2.41's loader, libc's own names are 2.41's. */
	if (!strcmp(name, "libc-getrandom") || !strcmp(name, "glibc-2.41-getrandom"))
		return fill_libc_getrandom;
	if (!strcmp(name, "glibc-2.41-arc4random")) {
		ext_buf = (void (*)(void *, size_t))(uintptr_t)sym_from("libc.so.6", "arc4random_buf");
		return ext_buf ? fill_ext_buf : NULL;
	}
	if (!strncmp(name, "vgetrandom", 10))
		return load_library() ? fill_vgetrandom : NULL;
	if (!strcmp(name, "raw-vdso"))
		return setup_raw_vdso() ? fill_raw_vdso : NULL;
	if (!strcmp(name, "/dev/urandom")) {
		urandom_fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		return urandom_fd >= 0 ? fill_urandom : NULL;
	}
	if (!strcmp(name, "libc-arc4random")) {
		ext_buf = (void (*)(void *, size_t))(uintptr_t)sym_from("libc.so.6", "arc4random_buf");
		return ext_buf ? fill_ext_buf : NULL;
	}
	if (!strcmp(name, "libbsd-arc4random")) {
		ext_buf = (void (*)(void *, size_t))(uintptr_t)sym_from("libbsd.so.0", "arc4random_buf");
		return ext_buf ? fill_ext_buf : NULL;
	}
	if (!strcmp(name, "libsodium")) {
		int (*init)(void) = (int (*)(void))(uintptr_t)sym_from("libsodium.so.23", "sodium_init");
		ext_buf = (void (*)(void *, size_t))(uintptr_t)sym_from("libsodium.so.23", "randombytes_buf");
		return init && ext_buf && init() >= 0 ? fill_ext_buf : NULL;
	}
	if (!strcmp(name, "openssl-RAND_bytes")) {
		ext_rand_bytes = (int (*)(unsigned char *, int))(uintptr_t)sym_from("libcrypto.so.3", "RAND_bytes");
		return ext_rand_bytes ? fill_openssl : NULL;
	}
	return NULL;
}

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

static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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

/* ---- the parent ---- */

struct source {
	char name[40];
	char env[2][64]; /* VAR=value to set in the child, "" for none */
	char exe[256];   /* another program speaking the child protocol */
	char loader[256], libdir[256]; /* run this program under that ld.so */
	int skipped;
	char backend[48];
	double ns[NSIZES][64]; /* per round */
};

static struct source src[32];
static int nsrc;

static void add_source(const char *name, const char *env0, const char *env1)
{
	struct source *s = &src[nsrc++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->env[0], sizeof(s->env[0]), "%s", env0 ? env0 : "");
	snprintf(s->env[1], sizeof(s->env[1]), "%s", env1 ? env1 : "");
}

/* One source per ChaCha20 kernel this build and CPU run, as the library
 * lists them (fastest first). */
static void add_kernel_sources(void)
{
	void *h = open_library();
	const char *(*kernels)(unsigned int) =
		h ? (const char *(*)(unsigned int))(uintptr_t)dlsym(h, "vgetrandom_chacha_kernels") : NULL;

	for (unsigned int i = 0; kernels && kernels(i); i++) {
		char name[40], env[64];
		snprintf(name, sizeof(name), "vgetrandom-chacha-%s", kernels(i));
		snprintf(env, sizeof(env), "VGETRANDOM_CHACHA=%s", kernels(i));
		add_source(name, "VGETRANDOM_BACKEND=chacha", env);
	}
}

static const char *self_path;
static char peers_skipped[200];

/* glibc 2.41 and Go 1.24, when bench/run.sh fetched them. */
static void add_peer_sources(void)
{
	const char *glibc = getenv("VGR_BENCH_GLIBC241");
	const char *go = getenv("VGR_BENCH_GO");
	const char *why = getenv("VGR_BENCH_PEERS_SKIPPED");
	char loader[256];

	snprintf(peers_skipped, sizeof(peers_skipped), "%s",
	         why && *why ? why : "not fetched (run bench/run.sh)");
	if (glibc && *glibc &&
	    snprintf(loader, sizeof(loader), "%s/ld-linux-x86-64.so.2", glibc) < (int)sizeof(loader) &&
	    access(loader, X_OK) == 0) {
		static const char *const names[] = { "glibc-2.41-getrandom", "glibc-2.41-arc4random" };
		for (int i = 0; i < 2; i++) {
			add_source(names[i], NULL, NULL);
			snprintf(src[nsrc - 1].loader, sizeof(src[0].loader), "%s", loader);
			snprintf(src[nsrc - 1].libdir, sizeof(src[0].libdir), "%s", glibc);
		}
		peers_skipped[0] = 0;
	}
	if (go && *go && access(go, X_OK) == 0) {
		add_source("go-1.24-crypto/rand", NULL, NULL);
		snprintf(src[nsrc - 1].exe, sizeof(src[0].exe), "%s", go);
	}
}

/* Run "self --child NAME --target-ms T [EXTRA...]" with the source's
 * environment and parse its "size ns" lines into out[] (by size index).
 * Returns 0 on success, 1 if the source is not available, -1 on error. */
static int spawn(const struct source *s, char *const *extra, double target_ms,
                 double out[NSIZES], char *backend, size_t blen)
{
	char *envp[512];
	char *argv[16];
	int n = 0, a = 0, fds[2];
	char target[32];
	pid_t pid;

	for (char **e = environ; *e && n < 500; e++)
		if (strncmp(*e, "VGETRANDOM_", 11) != 0)
			envp[n++] = *e;
	for (int i = 0; i < 2; i++)
		if (s->env[i][0])
			envp[n++] = (char *)s->env[i];
	envp[n] = NULL;
	snprintf(target, sizeof(target), "%g", target_ms);
	const char *prog = self_path;
	if (s->exe[0]) {
		prog = s->exe;
	} else if (s->loader[0]) {
		/* ld.so --library-path DIR PROGRAM: this program, that libc */
		prog = s->loader;
		argv[a++] = (char *)s->loader;
		argv[a++] = "--library-path";
		argv[a++] = (char *)s->libdir;
	}
	argv[a++] = s->exe[0] ? (char *)s->exe : (char *)self_path;
	argv[a++] = "--child";
	argv[a++] = (char *)s->name;
	argv[a++] = "--target-ms";
	argv[a++] = target;
	for (int i = 0; extra && extra[i] && a < 15; i++)
		argv[a++] = extra[i];
	argv[a] = NULL;

	if (pipe(fds) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (backend) /* the probe: the library's complaints about kernels this
	              * CPU lacks are expected there */
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int err = posix_spawn(&pid, prog, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err != 0) {
		close(fds[0]);
		return -1;
	}

	FILE *f = fdopen(fds[0], "r");
	char line[256];
	int rc = 0, got = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t size;
		double ns;
		if (!strncmp(line, "skip", 4)) {
			rc = 1;
		} else if (!strncmp(line, "backend ", 8)) {
			if (backend) {
				size_t m = strcspn(line + 8, "\n");
				m = m < blen ? m : blen - 1;
				memcpy(backend, line + 8, m);
				backend[m] = 0;
			}
		} else if (!strncmp(line, "= ", 2)) {
			fputs(line + 2, stdout); /* a summary line the child wrote */
			got++;
		} else if (sscanf(line, "%zu %lf", &size, &ns) == 2) {
			for (size_t i = 0; i < NSIZES; i++)
				if (sizes[i] == size && out)
					out[i] = ns, got++;
		} else {
			fprintf(stderr, "%s: %s", s->name, line);
			rc = -1;
		}
	}
	fclose(f);
	int st;
	waitpid(pid, &st, 0);
	if (rc == 0 && (got == 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
		rc = -1;
	return rc;
}

static void stats(const double *v, int n, double *med, double *lo, double *hi)
{
	double t[64];
	memcpy(t, v, sizeof(double) * (size_t)n);
	*med = median_of(t, n); /* sorts t */
	*lo = t[0];
	*hi = t[n - 1];
}

/* The same ratio measured paired in one process (run_paired), which this
 * VM's drift between rounds does not reach: the figure to read for small
 * requests.  The child prints the lines. */
static void paired_summary(const struct source *lib)
{
	char *extra[] = { "--paired", NULL };

	if (spawn(lib, extra, 0, NULL, NULL, 0) != 0)
		printf("vgetrandom / raw-vdso paired in one process: failed\n");
}

static void size_label(size_t s, char *out, size_t len)
{
	if (s >= (1u << 20))
		snprintf(out, len, "%zuM", s >> 20);
	else if (s >= 1024)
		snprintf(out, len, "%zuK", s >> 10);
	else
		snprintf(out, len, "%zu", s);
}

static void machine_facts(FILE *out, const char *prefix)
{
	struct utsname u;
	char line[256], cpu[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');
			snprintf(cpu, sizeof(cpu), "%s", c ? c + 2 : line);
			cpu[strcspn(cpu, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	fprintf(out, "%sCPU: %s, %ld online CPUs\n", prefix, cpu, sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(out, "%skernel: %s %s %s; libc: glibc %s\n", prefix, u.sysname, u.release,
	        u.machine, gnu_get_libc_version());
}

/* Progress on stderr: a line rewritten in place on a terminal; elsewhere
 * (a log, tee) one line per stage, so a log holds no carriage returns. */
static const char *progress_stage;
static void progress(const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(const char *stage, const char *fmt, ...)
{
	static int tty = -1;
	va_list ap;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty) {
		if (progress_stage != stage)
			fprintf(stderr, "%s...\n", stage);
		progress_stage = stage;
		return;
	}
	progress_stage = stage;
	fprintf(stderr, "\r%s ", stage);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
static void progress_done(void)
{
	if (progress_stage && isatty(STDERR_FILENO))
		fprintf(stderr, "\r%78s\r", "");
	progress_stage = NULL;
}

static int source_index(const char *name)
{
	for (int i = 0; i < nsrc; i++)
		if (!strcmp(src[i].name, name) && !src[i].skipped)
			return i;
	return -1;
}

/* ns per call against request size, log-log, drawn by gnuplot from the CSV
 * when it is installed.  The top panel holds the series a reader compares
 * (the syscall, the raw vDSO, the peers, the library and its generator),
 * drawn bold; the bottom panel every other source, with those in faint
 * grey for reference.  Sized for a README column (1000 px wide). */
static int is_headline(const char *name, const char *generator)
{
	static const char *const headline[] = { "syscall", "raw-vdso", "glibc-2.41-getrandom",
		"go-1.24-crypto/rand", "vgetrandom" };
	for (size_t i = 0; i < sizeof(headline) / sizeof(headline[0]); i++)
		if (!strcmp(name, headline[i]))
			return 1;
	return generator && !strcmp(name, generator);
}

static void plot(const char *csv_path)
{
	char png[300], gp[300], cmd[700];
	const char *generator = NULL;
	snprintf(png, sizeof(png), "%.*s.png", (int)(strlen(csv_path) - 4), csv_path);
	snprintf(gp, sizeof(gp), "%.*s.gp", (int)(strlen(csv_path) - 4), csv_path);
	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		printf("plot: skipped (gnuplot not installed)\n");
		return;
	}
	for (int i = 0; i < nsrc && !generator; i++)
		if (!src[i].skipped && !strncmp(src[i].name, "vgetrandom-chacha-", 18))
			generator = src[i].name; /* the fastest kernel is listed first */
	FILE *f = fopen(gp, "w");
	if (!f)
		return;
	fprintf(f, "set terminal pngcairo size 1000,1150 font 'sans,12'\nset output '%s'\n"
	           "set datafile separator ','\nset logscale xy\nset grid\n"
	           "set termoption noenhanced\nset xrange [0.8:1.5e6]\n"
	           "set xlabel 'request size (bytes)'\nset ylabel 'ns per call (median; lower is better)'\n"
	           "set key top left\nset multiplot layout 2,1\n", png);
	fprintf(f, "main = \"");
	for (int i = 0; i < nsrc; i++)
		if (!src[i].skipped && is_headline(src[i].name, generator))
			fprintf(f, "%s ", src[i].name);
	fprintf(f, "\"\nrest = \"");
	for (int i = 0; i < nsrc; i++)
		if (!src[i].skipped && !is_headline(src[i].name, generator))
			fprintf(f, "%s ", src[i].name);
	fprintf(f, "\"\nset title 'libvgetrandom against the syscall, the raw vDSO and the peers'\n"
	           "plot for [i=1:words(main)] '%s' using "
	           "(strcol(1) eq word(main, i) ? $3 : NaN):4 with linespoints lw 3 pt 7 "
	           "title word(main, i)\n", csv_path);
	fprintf(f, "set title 'every other source (the top panel in grey)'\n"
	           "plot for [i=1:words(main)] '%s' using "
	           "(strcol(1) eq word(main, i) ? $3 : NaN):4 with lines lw 1 lc rgb '#d0d0d0' notitle, \\\n"
	           "     for [i=1:words(rest)] '%s' using "
	           "(strcol(1) eq word(rest, i) ? $3 : NaN):4 with linespoints lw 1.5 pt i "
	           "title word(rest, i)\nunset multiplot\n", csv_path, csv_path);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s'", gp);
	if (system(cmd) == 0)
		printf("wrote %s\n", png);
	else
		printf("plot: gnuplot failed\n");
}

/* Thread scaling and thread churn, for the syscall, the library's default
 * backend, its userspace generator with the fastest kernel, and libbsd. */
static void scaling_and_churn(int quick, int rounds, const char *dir)
{
	const char *names[5] = { "syscall", "vgetrandom", NULL, "libbsd-arc4random", NULL };
	static const size_t tsizes[] = { 16, 4096 };
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	int r_count = quick ? 1 : (rounds < 5 ? rounds : 5);
	double ms = quick ? 20 : 100;
	static double res[5][2][65][64];
	char path[300], arg_t[16], arg_s[24];

	for (int i = 0; i < nsrc; i++)
		if (!src[i].skipped && !strncmp(src[i].name, "vgetrandom-chacha-", 18)) {
			names[2] = src[i].name; /* the first listed is the fastest kernel */
			break;
		}
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > 64)
		ncpu = 64;

	for (int r = 0; r < r_count; r++)
		for (int k = 0; k < 4; k++) {
			int si = names[k] ? source_index(names[k]) : -1;
			if (si < 0)
				continue;
			for (int z = 0; z < 2; z++)
				for (int t = 1; t <= ncpu; t++) {
					double got[NSIZES] = { 0 };
					snprintf(arg_t, sizeof(arg_t), "%d", t);
					snprintf(arg_s, sizeof(arg_s), "%zu", tsizes[z]);
					char *extra[] = { "--threads", arg_t, "--size", arg_s, NULL };
					progress("scaling", "%d/%d: %-24s %5zu B %d threads ", r + 1,
					         r_count, names[k], tsizes[z], t);
					spawn(&src[si], extra, ms, got, NULL, 0);
					for (size_t q = 0; q < NSIZES; q++)
						if (sizes[q] == tsizes[z])
							res[k][z][t][r] = got[q];
				}
		}
	progress_done();

	snprintf(path, sizeof(path), "%s/bench-threads.csv", dir);
	FILE *csv = fopen(path, "w");
	printf("\nthread scaling: ns per call per thread, median of %d (aggregate MB/s)\n%-24s %6s",
	       r_count, "source", "bytes");
	for (int t = 1; t <= ncpu; t++)
		printf("   %2d thread%s       ", t, t > 1 ? "s" : " ");
	printf("\n");
	if (csv)
		fprintf(csv, "source,bytes,threads,ns_per_call_per_thread,aggregate_mb_per_s,rounds\n");
	for (int k = 0; k < 4; k++) {
		if (!names[k] || source_index(names[k]) < 0)
			continue;
		for (int z = 0; z < 2; z++) {
			printf("%-24s %6zu", names[k], tsizes[z]);
			for (int t = 1; t <= ncpu; t++) {
				double med, lo, hi, mbs;
				stats(res[k][z][t], r_count, &med, &lo, &hi);
				mbs = (double)tsizes[z] * t * 1e3 / med;
				printf(" %9.1f (%7.0f)", med, mbs);
				if (csv)
					fprintf(csv, "%s,%zu,%d,%.3f,%.1f,%d\n", names[k], tsizes[z], t,
					        med, mbs, r_count);
			}
			printf("\n");
		}
	}
	if (csv)
		fclose(csv);

	/* Churn. */
	/* Rows: create/join alone, four sources, the two controls
	 * (fill_spin_100ns, fill_exit_hook), and create/join under glibc 2.41,
	 * which glibc 2.41's row is measured against: its pthread_create is
	 * not 2.36's. */
	enum { CH_BARE, CH_GLIBC41 = 4, CH_CONTROL_SPIN, CH_CONTROL_HOOK, CH_BARE41, CH_ROWS };
	const char *cnames[CH_ROWS] = { "none", "syscall", "vgetrandom", names[2],
	                                "glibc-2.41-getrandom", "spin-100ns", "exit-hook", "none" };
	const char *clabel[CH_ROWS] = { [CH_BARE] = "create/join only",
	                                [CH_CONTROL_SPIN] = "control: 100 ns of work",
	                                [CH_CONTROL_HOOK] = "control: an exit hook" };
	static double cres[CH_ROWS][64], cpair[CH_ROWS][64], cfirst[CH_ROWS][64], clater[CH_ROWS][64];
	struct source spin = { .name = "spin-100ns" };
	struct source hook = { .name = "exit-hook" };
	struct source bare = { .name = "none" };
	int g41 = source_index("glibc-2.41-getrandom");
	struct source bare41 = g41 >= 0 ? src[g41] : bare;
	snprintf(bare41.name, sizeof(bare41.name), "none");
	/* The child each row spawns; NULL: a source not measured here. */
	const struct source *crow[CH_ROWS] = { [CH_BARE] = &bare, [CH_CONTROL_SPIN] = &spin,
	                                       [CH_CONTROL_HOOK] = &hook,
	                                       [CH_BARE41] = g41 >= 0 ? &bare41 : NULL };
	for (int k = 1; k < CH_CONTROL_SPIN; k++) {
		int si = cnames[k] ? source_index(cnames[k]) : -1;
		crow[k] = si >= 0 ? &src[si] : NULL;
	}
	for (int r = 0; r < r_count; r++)
		for (int k = 0; k < CH_ROWS; k++) {
			if (!crow[k])
				continue;
			double got[NSIZES] = { 0 };
			char *extra[] = { "--churn", NULL };
			progress("churn", "%d/%d: %-24s", r + 1, r_count, cnames[k]);
			spawn(crow[k], extra, ms, got, NULL, 0);
			/* by size index: 1, 4, 16, 32 bytes are run_churn's keys */
			cpair[k][r] = got[0];
			cfirst[k][r] = got[1];
			cres[k][r] = got[2];
			clater[k][r] = got[3];
		}
	progress_done();
	snprintf(path, sizeof(path), "%s/bench-churn.csv", dir);
	csv = fopen(path, "w");
	printf("\nthread churn: ns per pthread_create + one 16-byte call + pthread_join, median of %d (min-max)\n"
	       "  \"paired\": in one process, blocks of 16 cycles with and without the call alternated,\n"
	       "  the median difference per cycle; \"first\"/\"later\": a new thread's first and second\n"
	       "  call, timed inside it (medians); the controls do 100 ns of work, or arm a\n"
	       "  thread-exit hook (pthread_setspecific, a destructor that does nothing), instead of a call\n",
	       r_count);
	if (csv)
		fprintf(csv, "source,ns_per_cycle_median,ns_min,ns_max,paired_added_ns,first_call_ns,"
		             "later_call_ns,rounds\n");
	double base = 0, base41 = 0, lo41, hi41;
	if (g41 >= 0)
		stats(cres[CH_BARE41], r_count, &base41, &lo41, &hi41);
	for (int k = 0; k < CH_BARE41; k++) {
		double med, lo, hi, pm = 0, plo = 0, phi = 0, fm = 0, lm = 0, x, y;
		bool under41 = k == CH_GLIBC41;
		if (!crow[k])
			continue;
		stats(cres[k], r_count, &med, &lo, &hi);
		if (k == CH_BARE)
			base = med;
		printf("%-28s %9.0f (%.0f-%.0f)", clabel[k] ? clabel[k] : cnames[k], med, lo, hi);
		if (k != CH_BARE) {
			stats(cpair[k], r_count, &pm, &plo, &phi);
			stats(cfirst[k], r_count, &fm, &x, &y);
			stats(clater[k], r_count, &lm, &x, &y);
			printf("   %+.0f ns against create/join alone%s (%.0f); paired %+.0f ns (%+.0f to %+.0f);"
			       " first %.0f ns, later %.0f ns",
			       under41 ? med - base41 : med - base, under41 ? " under glibc 2.41" : "",
			       under41 ? base41 : base, pm, plo, phi, fm, lm);
		}
		printf("\n");
		if (csv)
			fprintf(csv, "%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%d\n",
			        k == CH_BARE ? "create-join-only" : cnames[k], med, lo, hi, pm, fm, lm, r_count);
	}
	if (csv && g41 >= 0)
		fprintf(csv, "create-join-only-glibc-2.41,%.1f,%.1f,%.1f,,,,%d\n", base41, lo41, hi41,
		        r_count);
	if (csv)
		fclose(csv);
	printf("wrote %s/bench-threads.csv and %s/bench-churn.csv\n", dir, dir);
}

int main(int argc, char **argv)
{
	int rounds = 11, quick = 0;
	double target_ms = 20;
	const char *leave_out[16];
	int nleave = 0;
	const char *csv_path = "bench-results/bench.csv";
	const char *json_path = "bench-results/bench.json";

	self_path = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--child") && i + 1 < argc) {
			int threads = 0, churn = 0;
			size_t size = 0;
			for (int j = i + 2; j < argc; j++) {
				if (!strcmp(argv[j], "--target-ms") && j + 1 < argc)
					target_ms = atof(argv[++j]);
				else if (!strcmp(argv[j], "--threads") && j + 1 < argc)
					threads = atoi(argv[++j]);
				else if (!strcmp(argv[j], "--size") && j + 1 < argc)
					size = (size_t)atol(argv[++j]);
				else if (!strcmp(argv[j], "--churn"))
					churn = 1;
				else if (!strcmp(argv[j], "--paired"))
					churn = 2;
			}
			if (churn == 2)
				return run_paired();
			if (churn)
				return run_churn(argv[i + 1], target_ms);
			if (threads)
				return run_scaling(argv[i + 1], threads, size, target_ms);
			return run_child(argv[i + 1], target_ms);
		} else if (!strcmp(argv[i], "--quick")) {
			quick = 1;
		} else if (!strcmp(argv[i], "--skip") && i + 1 < argc && nleave < 16) {
			leave_out[nleave++] = argv[++i];
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--csv") && i + 1 < argc) {
			csv_path = argv[++i];
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json_path = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--quick] [--rounds N] [--skip SOURCE]... [--csv FILE] "
			        "[--json FILE]\n", argv[0]);
			return 2;
		}
	}
	if (quick) {
		rounds = rounds == 11 ? 3 : rounds;
		target_ms = 2;
	}
	if (rounds < 1 || rounds > 64) {
		fprintf(stderr, "--rounds must be 1..64\n");
		return 2;
	}

	add_source("syscall", NULL, NULL);
	add_source("raw-vdso", NULL, NULL);
	add_source("vgetrandom", "VGETRANDOM_BACKEND=auto", NULL);
	add_source("vgetrandom-vdso", "VGETRANDOM_BACKEND=vdso", NULL);
	add_source("vgetrandom-hybrid-all", "VGETRANDOM_BACKEND=hybrid", "VGETRANDOM_HYBRID_MIN=1");
	add_kernel_sources();
	add_source("vgetrandom-syscall", "VGETRANDOM_BACKEND=syscall", NULL);
	add_source("libc-getrandom", NULL, NULL);
	add_source("libc-arc4random", NULL, NULL);
	add_source("/dev/urandom", NULL, NULL);
	add_source("io_uring-urandom", NULL, NULL);
	add_source("libbsd-arc4random", NULL, NULL);
	add_source("libsodium", NULL, NULL);
	add_source("openssl-RAND_bytes", NULL, NULL);
	add_peer_sources();

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("libvgetrandom bench: ns per call, median of %d interleaved rounds%s\n",
	       rounds, quick ? " (--quick)" : "");
	machine_facts(stdout, "");

	/* Probe each source once (and drop a ChaCha kernel source whose
	 * child did not run that kernel: it would be a row under a wrong
	 * name). */
	for (int i = 0; i < nsrc; i++) {
		double probe[NSIZES];
		int left_out = 0;
		for (int k = 0; k < nleave; k++)
			left_out |= !strcmp(src[i].name, leave_out[k]);
		if (left_out) {
			src[i].skipped = 1;
			continue;
		}
		int r = spawn(&src[i], NULL, 0.05, probe, src[i].backend, sizeof(src[i].backend));
		const char *k = strstr(src[i].name, "chacha-");
		if (r == 0 && k && strcmp(src[i].backend, k) != 0)
			r = 1;
		if (r != 0)
			src[i].skipped = 1;
		if (r < 0)
			fprintf(stderr, "%s failed; skipped\n", src[i].name);
	}

	for (int r = 0; r < rounds; r++)
		for (int j = 0; j < nsrc; j++) {
			struct source *s = &src[(j + r) % nsrc];
			if (s->skipped)
				continue;
			progress("sizes", "round %d/%d: %-24s", r + 1, rounds, s->name);
			double got[NSIZES];
			if (spawn(s, NULL, target_ms, got, NULL, 0) != 0) {
				fprintf(stderr, "\n%s failed in round %d\n", s->name, r + 1);
				return 1;
			}
			for (size_t z = 0; z < NSIZES; z++)
				s->ns[z][r] = got[z];
		}
	progress_done();

	/* Rows by name: any of them may have been skipped. */
	int sys = source_index("syscall"), raw = source_index("raw-vdso"),
	    lib = source_index("vgetrandom");
	double med[32][NSIZES], lo[32][NSIZES], hi[32][NSIZES];
	for (int i = 0; i < nsrc; i++)
		for (size_t z = 0; z < NSIZES; z++)
			if (!src[i].skipped)
				stats(src[i].ns[z], rounds, &med[i][z], &lo[i][z], &hi[i][z]);

	const char *titles[] = { "ns per call (median)", "speed-up over the getrandom syscall (median ns ratio)",
	                         "MB/s (median)" };
	for (int tbl = 0; tbl < 3; tbl++) {
		printf("\n%s\n%-24s", titles[tbl], "source \\ bytes");
		for (size_t z = 0; z < NSIZES; z++) {
			char l[16];
			size_label(sizes[z], l, sizeof(l));
			printf(" %8s", l);
		}
		printf("\n");
		for (int i = 0; i < nsrc; i++) {
			if (src[i].skipped)
				continue;
			printf("%-24s", src[i].name);
			for (size_t z = 0; z < NSIZES; z++) {
				if (tbl == 1 && sys < 0) {
					printf(" %8s", "-");
					continue;
				}
				double v = tbl == 0 ? med[i][z]
				         : tbl == 1 ? med[sys][z] / med[i][z]
				                    : (double)sizes[z] * 1e3 / med[i][z];
				printf(tbl == 1 ? " %7.1fx" : " %8.1f", v);
			}
			printf("\n");
		}
	}
	printf("\nbackends as the library reported them: ");
	for (int i = 0; i < nsrc; i++)
		if (!src[i].skipped && !strncmp(src[i].name, "vgetrandom", 10))
			printf("%s=%s ", src[i].name, src[i].backend);
	printf("\nskipped (not installed or not supported here): ");
	for (int i = 0; i < nsrc; i++)
		if (src[i].skipped)
			printf("%s ", src[i].name);
	if (source_index("glibc-2.41-getrandom") < 0)
		printf("glibc-2.41 (%s) ", peers_skipped);
	if (source_index("go-1.24-crypto/rand") < 0)
		printf("go-1.24 (%s) ", peers_skipped[0] ? peers_skipped : "not built");
	printf("\n");
	int g = source_index("glibc-2.41-getrandom");
	if (g >= 0 && lib >= 0) {
		/* The peer a user would upgrade to: its time over ours. */
		printf("vgetrandom against glibc 2.41's getrandom (its time / ours):");
		for (size_t q = 0; q < NSIZES; q++)
			if (sizes[q] == 1 || sizes[q] == 16 || sizes[q] == 256 || sizes[q] == 4096 ||
			    sizes[q] == (1 << 20))
				printf(" %zu B %.2fx", sizes[q], med[g][q] / med[lib][q]);
		printf("\n");
	}
	if (raw >= 0 && lib >= 0) {
		printf("vgetrandom / raw-vdso: 1 B %.2fx, 4 B %.2fx the time (medians of the rounds)\n",
		       med[lib][0] / med[raw][0], med[lib][1] / med[raw][1]);
		paired_summary(&src[lib]);
		/* The bulk path's figures against the vDSO alone. */
		printf("vgetrandom speed-up over raw-vdso:");
		for (size_t q = 0; q < NSIZES; q++)
			if (sizes[q] == 200 || sizes[q] == 256 || sizes[q] == 4096 ||
			    sizes[q] == (1 << 20))
				printf(" %zu B %.2fx", sizes[q], med[raw][q] / med[lib][q]);
		printf("\n");
	}

	/* CSV and JSON with every figure. */
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", csv_path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		mkdir(dir, 0755);
	} else {
		snprintf(dir, sizeof(dir), ".");
	}
	FILE *csv = fopen(csv_path, "w");
	FILE *json = fopen(json_path, "w");
	if (!csv || !json) {
		fprintf(stderr, "cannot write %s or %s: %s\n", csv_path, json_path, strerror(errno));
		return 1;
	}
	fprintf(csv, "source,backend,bytes,ns_median,ns_min,ns_max,mb_per_s,speedup_vs_syscall,rounds\n");
	fprintf(json, "{\n  \"rounds\": %d,\n  \"results\": [\n", rounds);
	int first = 1;
	for (int i = 0; i < nsrc; i++) {
		if (src[i].skipped)
			continue;
		for (size_t z = 0; z < NSIZES; z++) {
			fprintf(csv, "%s,%s,%zu,%.3f,%.3f,%.3f,%.2f,%.3f,%d\n", src[i].name,
			        src[i].backend, sizes[z], med[i][z], lo[i][z], hi[i][z],
			        (double)sizes[z] * 1e3 / med[i][z], sys >= 0 ? med[sys][z] / med[i][z] : NAN,
			        rounds);
			fprintf(json, "%s    {\"source\": \"%s\", \"backend\": \"%s\", \"bytes\": %zu, "
			        "\"ns_median\": %.3f, \"ns_min\": %.3f, \"ns_max\": %.3f}",
			        first ? "" : ",\n", src[i].name, src[i].backend, sizes[z],
			        med[i][z], lo[i][z], hi[i][z]);
			first = 0;
		}
	}
	fprintf(json, "\n  ]\n}\n");
	fclose(csv);
	fclose(json);
	printf("wrote %s and %s\n", csv_path, json_path);

	plot(csv_path);
	scaling_and_churn(quick, rounds, dir);
	return 0;
}
