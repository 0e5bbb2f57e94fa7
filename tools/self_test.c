/* SPDX-License-Identifier: MIT */
/*
 * vgetrandom self-test [LIBRARY]: does the library serving this process
 * keep the getrandom(2) contract?  `vgetrandom system enable` runs it in a
 * child with the candidate library preloaded before it lists that library
 * in /etc/ld.so.preload, where a broken library would break every program.
 * The checks are the contract's visible core, not the test suite: the libc
 * names resolve to the library, every size comes back full and distinct,
 * errors carry the system call's errno, and a forked child and a thread
 * draw bytes the parent never sees.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"
#include "vgetrandom.h"

static int failures;

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "%s self-test: %s%s%s\n", prog, what, detail ? ": " : "",
	        detail ? detail : "");
	failures++;
}

/* The object a symbol found in the global scope comes from. */
static const char *provider_of(const char *symbol)
{
	Dl_info info;
	void *p = dlsym(RTLD_DEFAULT, symbol);
	if (p && dladdr(p, &info) && info.dli_fname)
		return info.dli_fname;
	return NULL;
}

static int all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* Two draws of each size: full length, and from 16 bytes on, neither all
 * zero nor equal (false alarm odds 2^-128). */
static void check_sizes(void)
{
	static const size_t sizes[] = { 1, 4, 16, 256, 4096, 1 << 20 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *a = malloc(n), *b = malloc(n);
		char what[64];
		snprintf(what, sizeof(what), "getrandom of %zu bytes", n);
		if (!a || !b) {
			fail("out of memory", NULL);
		} else if (getrandom(a, n, 0) != (ssize_t)n || getrandom(b, n, 0) != (ssize_t)n) {
			fail(what, "short or failed");
		} else if (n >= 16 && (all_zero(a, n) || all_zero(b, n) || !memcmp(a, b, n))) {
			fail(what, "zero or repeated output");
		}
		if (a)
			explicit_bzero(a, n);
		free(a);
		free(b);
	}
}

static void check_errors(void)
{
	unsigned char b[300];
	errno = 0;
	if (getrandom(b, 16, 0x80) != -1 || errno != EINVAL)
		fail("getrandom with an unknown flag", "did not fail with EINVAL");
	errno = 0;
	if (getentropy(b, 257) != -1 || errno != EIO)
		fail("getentropy of 257 bytes", "did not fail with EIO");
	if (getentropy(b, 256) != 0 || all_zero(b, 256))
		fail("getentropy of 256 bytes", "failed or returned zeros");
	explicit_bzero(b, sizeof(b));
}

static void *thread_draw(void *out)
{
	if (getrandom(out, 32, 0) != 32)
		memset(out, 0, 32);
	return NULL;
}

/* The parent, a forked child and a thread draw 32 bytes each: all differ. */
static void check_fork_and_thread(void)
{
	unsigned char mine[32], child[32] = { 0 }, thread[32] = { 0 };
	int fds[2];
	pthread_t t;

	if (pipe(fds) != 0) {
		fail("pipe", strerror(errno));
		return;
	}
	if (getrandom(mine, 32, 0) != 32) /* this thread's state exists now */
		fail("getrandom", "failed");
	pid_t pid = fork();
	if (pid == 0) {
		unsigned char c[32];
		_exit(getrandom(c, 32, 0) == 32 && write(fds[1], c, 32) == 32 ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], child, 32) != 32)
		fail("fork", "the child did not draw");
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (getrandom(mine, 32, 0) != 32)
		fail("getrandom after fork", "failed");
	if (pthread_create(&t, NULL, thread_draw, thread) != 0 || pthread_join(t, NULL) != 0)
		fail("pthread_create", "failed");
	if (!memcmp(mine, child, 32) || all_zero(child, 32))
		fail("fork", "the child drew the parent's bytes, or none");
	if (!memcmp(mine, thread, 32) || !memcmp(child, thread, 32) || all_zero(thread, 32))
		fail("thread", "a thread drew another's bytes, or none");
	explicit_bzero(mine, sizeof(mine));
}

int cmd_self_test(int argc, char **argv)
{
	const char *lib = library_path();
	static const char *const names[] = { "getrandom", "getentropy", "arc4random_buf" };

	if (argc > 1) {
		fprintf(stderr, "%s self-test: too many arguments\n", prog);
		return 2;
	}
	if (!lib) {
		fail("cannot find the library's own file", NULL);
		return 1;
	}
	if (argc == 1 && !same_file(argv[0], lib)) {
		fprintf(stderr, "%s self-test: %s serves this process, not %s\n", prog, lib, argv[0]);
		return 1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!same_file(provider_of(names[i]), lib))
			fail(names[i], "is not served by the library (is it preloaded?)");
	check_sizes();
	check_errors();
	check_fork_and_thread();
	if (failures)
		return 1;
	printf("self-test passed: %s (backend %s)\n", lib, vgetrandom_backend());
	return 0;
}
