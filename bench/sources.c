/* SPDX-License-Identifier: MIT */
/*
 * Every source the bench measures, on both sides: in a child, how to get
 * bytes from it (child_source()); in the driver, the table of sources with
 * the environment each child gets (register_sources()).  Comparators that
 * are not installed are listed as skipped, never faked.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

const size_t sizes[NSIZES] = { 1, 4, 16, 32, 64, 128, 200, 256, 1024, 4096, 65536, 1 << 20 };

/* The library is not linked: a process that has it loaded globally gets
 * libc's getrandom names from it, and every comparator that calls them
 * (libc getrandom, libsodium...) would silently measure the library.  Only
 * the children that measure vgetrandom() load it, privately. */
ssize_t (*vgr_fn)(void *, size_t, unsigned int);
const char *(*vgr_backend_fn)(void);

static void *open_library(void)
{
	return dlopen(bench_library(), RTLD_NOW | RTLD_LOCAL);
}

int load_library(void)
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


/* ---- the child side ---- */

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

int calls_per_fill = 1;

/* 0: not available here. */
fill_fn child_source(const char *name)
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

/* ---- the driver side ---- */

struct source src[32];
int nsrc;

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

char peers_skipped[200];

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

int source_index(const char *name)
{
	for (int i = 0; i < nsrc; i++)
		if (!strcmp(src[i].name, name) && !src[i].skipped)
			return i;
	return -1;
}

void register_sources(void)
{
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
}
