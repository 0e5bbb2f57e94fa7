/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the cmocka tests. */
#ifndef VGR_TEST_UTIL_H
#define VGR_TEST_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SKIP_EXIT 77

/* Hide where p points from the optimiser, so stores to and loads from a
 * stack array through it are neither dropped nor assumed. */
#define LAUNDER(p) __asm__ volatile("" : "+r"(p) : : "memory")

/* A handler that does nothing: the tests that raise a signal want only
 * the frame the kernel writes on the stack. */
static inline void ignore_signal(int sig)
{
	(void)sig;
}

static inline long raw_getrandom(void *buf, size_t len, unsigned flags)
{
	return syscall(SYS_getrandom, buf, len, flags);
}

/* Does this process's backend hand each thread a state (vDSO or the
 * userspace generator), as opposed to the plain system call? */
static inline int backend_has_states(void)
{
	extern int vgetrandom_provider(void);
	int p = vgetrandom_provider();
	return p == 3 /* VGETRANDOM_PROVIDER_VDSO */ || p == 4 /* _GENERATOR */;
}

/* n iterations divided by VGR_STORM_SCALE (valgrind runs with 20, the
 * guests under TCG with 10), never below 5. */
static inline int storm_scaled(int n)
{
	const char *e = getenv("VGR_STORM_SCALE");
	int scale = e && atoi(e) > 0 ? atoi(e) : 1;
	return n / scale < 5 ? 5 : n / scale;
}

/* Fill buf completely through fn, failing the process if it cannot. */
#define FILL_OR_DIE(fn, buf, len)                                            \
	do {                                                                 \
		unsigned char *p_ = (unsigned char *)(buf);                  \
		size_t left_ = (len);                                        \
		while (left_) {                                              \
			ssize_t r_ = fn(p_, left_, 0);                        \
			if (r_ <= 0) {                                       \
				perror(#fn);                                 \
				_exit(2);                                    \
			}                                                    \
			p_ += r_;                                            \
			left_ -= (size_t)r_;                                 \
		}                                                            \
	} while (0)

/* splitmix64: a fixed-seed generator for test inputs (reproducible
 * corruptions, keys, counters), nothing to do with the library's output. */
static inline uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Count positions where two word arrays agree: for independent uniform
 * 32-bit words the expected count in n positions is n / 2^32. */
static inline size_t equal_words(const uint32_t *a, const uint32_t *b, size_t n)
{
	size_t eq = 0;
	for (size_t i = 0; i < n; i++)
		eq += a[i] == b[i];
	return eq;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Number of repeated values in v (sorted in place).  For n uniform 64-bit
 * values the chance of any repeat is about n^2 / 2^65. */
static inline size_t repeats_u64(uint64_t *v, size_t n)
{
	size_t rep = 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 1; i < n; i++)
		rep += v[i] == v[i - 1];
	return rep;
}

/* Read exactly len bytes from fd. */
static inline int read_full(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static inline int write_full(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len) {
		ssize_t r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Wait for pid; 1 if it exited with status 0. */
static inline int child_ok(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

#endif
