/* SPDX-License-Identifier: MIT */
/*
 * Storms, each bounded in time, every output collected and checked for
 * repeats across processes and threads:
 *   - 10,000 forks: from a single-threaded parent, from a multi-threaded
 *     parent, and from inside a signal handler;
 *   - 10,000 thread create/exit cycles;
 *   - 1,000,000 signal handlers calling into the library while the
 *     interrupted thread is inside it.
 * For n 128-bit values a chance repeat has probability about n^2 / 2^129.
 * VGR_STORM_SCALE divides every count (the emulated guests of tests/guest
 * run them with 10).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "test_util.h"
#include "vgetrandom.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 128-bit values: compare as (hi, lo) pairs. */
static int cmp_u128(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static size_t repeats_u128(uint64_t *v, size_t n)
{
	size_t rep = 0;
	qsort(v, n, 16, cmp_u128);
	for (size_t i = 1; i < n; i++)
		rep += memcmp(&v[2 * i], &v[2 * (i - 1)], 16) == 0;
	return rep;
}

/* ---- forks ---- */

enum { FORKS = 10000 };
static uint64_t fork_vals[2 * (2 * FORKS + 16)];
static size_t nfork_vals;
static volatile sig_atomic_t handler_fork_result;
static int fork_pipe[2];

/* The child's 16 bytes go to the pipe; returns the child's pid or -1. */
static pid_t fork_one(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t v[2];
		if (vgetrandom(v, sizeof(v), 0) != sizeof(v))
			_exit(2);
		_exit(write(fork_pipe[1], v, sizeof(v)) == sizeof(v) ? 0 : 3);
	}
	return pid;
}

static int collect_child(pid_t pid)
{
	if (pid < 0 || read_full(fork_pipe[0], &fork_vals[2 * nfork_vals], 16) != 0)
		return 0;
	nfork_vals++;
	return child_ok(pid);
}

static void fork_in_handler(int sig)
{
	(void)sig;
	int saved = errno;
	handler_fork_result = (int)fork_one();
	errno = saved;
}

static volatile int stop_busy;
static void *busy(void *arg)
{
	(void)arg;
	uint64_t v[2];
	while (!stop_busy)
		if (vgetrandom(v, sizeof(v), 0) != sizeof(v))
			abort();
	return NULL;
}

static void parent_draw(void)
{
	assert_int_equal(vgetrandom(&fork_vals[2 * nfork_vals], 16, 0), 16);
	nfork_vals++;
}

static void test_fork_storm(void **unused)
{
	(void)unused;
	double t0 = now_s();
	int forks = 0;
	assert_int_equal(pipe(fork_pipe), 0);

	/* 4,000 from this single-threaded process */
	for (int i = 0; i < storm_scaled(4000); i++, forks++) {
		parent_draw();
		assert_true(collect_child(fork_one()));
	}
	/* 4,000 while four other threads are inside the library */
	pthread_t t[4];
	stop_busy = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, busy, NULL);
	for (int i = 0; i < storm_scaled(4000); i++, forks++) {
		parent_draw();
		assert_true(collect_child(fork_one()));
	}
	stop_busy = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	/* 2,000 from a signal handler */
	struct sigaction sa = { .sa_handler = fork_in_handler };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	for (int i = 0; i < storm_scaled(2000); i++, forks++) {
		parent_draw();
		handler_fork_result = -1;
		raise(SIGUSR2);
		assert_true(collect_child((pid_t)handler_fork_result));
	}
	signal(SIGUSR2, SIG_DFL);
	close(fork_pipe[0]);
	close(fork_pipe[1]);

	print_message("%d forks, %zu values, %.1f s\n", forks, nfork_vals, now_s() - t0);
	assert_true(forks >= storm_scaled(FORKS));
	assert_int_equal(repeats_u128(fork_vals, nfork_vals), 0);
}

/* ---- threads ---- */

enum { THREADS = 10000 };
static uint64_t thread_vals[2 * THREADS];

static void *one_thread(void *arg)
{
	uint64_t *slot = arg;
	if (vgetrandom(slot, 16, 0) != 16)
		slot[0] = slot[1] = 0;
	return NULL;
}

static void test_thread_storm(void **unused)
{
	(void)unused;
	double t0 = now_s();
	int threads = storm_scaled(THREADS) / 8 * 8;
	/* eight at a time, so exits and creations overlap */
	for (int i = 0; i < threads; i += 8) {
		pthread_t t[8];
		for (int k = 0; k < 8; k++)
			assert_int_equal(pthread_create(&t[k], NULL, one_thread, &thread_vals[2 * (i + k)]), 0);
		for (int k = 0; k < 8; k++)
			pthread_join(t[k], NULL);
	}
	print_message("%d threads, %.1f s\n", threads, now_s() - t0);
	for (int i = 0; i < threads; i++)
		assert_false(thread_vals[2 * i] == 0 && thread_vals[2 * i + 1] == 0);
	assert_int_equal(repeats_u128(thread_vals, (size_t)threads), 0);
}

/* ---- signals ---- */

enum { SIGNALS = 1000000, OUTER_MAX = 1 << 20 };
static uint64_t *sig_vals;   /* handler outputs, 16 bytes each */
static uint64_t *outer_vals; /* interrupted thread's outputs */
static volatile size_t nsig, nouter, outer_calls;
static volatile int sig_stop, sig_failed;

static void sig_handler(int sig)
{
	(void)sig;
	int saved = errno;
	size_t i = nsig;
	if (i < SIGNALS + 1000) {
		if (vgetrandom(&sig_vals[2 * i], 16, 0) != 16)
			sig_failed = 1;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		nsig = i + 1;
	}
	errno = saved;
}

static void *sig_target(void *arg)
{
	(void)arg;
	while (!sig_stop) {
		uint64_t v[2];
		if (vgetrandom(v, sizeof(v), 0) != sizeof(v))
			sig_failed = 2;
		size_t i = nouter;
		if (i < OUTER_MAX) {
			memcpy(&outer_vals[2 * i], v, 16);
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			nouter = i + 1;
		}
		__atomic_add_fetch(&outer_calls, 1, __ATOMIC_RELAXED);
	}
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	return NULL;
}

static void test_signal_storm(void **unused)
{
	(void)unused;
	pthread_t t;
	struct sigaction sa = { .sa_handler = sig_handler };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN, &sa, NULL);
	sig_vals = calloc(2 * (SIGNALS + 1000), sizeof(uint64_t));
	outer_vals = calloc(2 * OUTER_MAX, sizeof(uint64_t));
	assert_non_null(sig_vals);
	assert_non_null(outer_vals);

	double t0 = now_s();
	alarm(300); /* a deadlock fails instead of hanging */
	pthread_create(&t, NULL, sig_target, NULL);
	/* Real-time signals queue, so each one sent is one handler run.  In
	 * bursts of 32, each followed by a wait until the target has finished
	 * a call of its own, so the handlers land while the interrupted
	 * thread is inside the library, not only in a queue of handlers. */
	size_t sent = 0, signals = (size_t)storm_scaled(SIGNALS);
	while (nsig < signals && now_s() - t0 < 240) {
		int e = pthread_kill(t, SIGRTMIN);
		if (e == EAGAIN) {
			sched_yield(); /* queue full: let the target drain it */
			continue;
		}
		assert_int_equal(e, 0);
		if (++sent % 32 == 0) {
			size_t seen = outer_calls;
			while (outer_calls == seen && now_s() - t0 < 240)
				;
		}
	}
	while (nsig < signals && now_s() - t0 < 240)
		sched_yield();
	sig_stop = 1;
	pthread_join(t, NULL);
	alarm(0);
	signal(SIGRTMIN, SIG_DFL);

	size_t n = nsig + nouter;
	print_message("%zu handler calls into the library, %zu outer calls, %.1f s\n",
	              (size_t)nsig, (size_t)outer_calls, now_s() - t0);
	assert_false(sig_failed);
	assert_true(nsig >= signals);
	uint64_t *all = malloc(n * 16);
	assert_non_null(all);
	memcpy(all, sig_vals, nsig * 16);
	memcpy(all + 2 * nsig, outer_vals, nouter * 16);
	assert_int_equal(repeats_u128(all, n), 0);
	free(all);
	free(sig_vals);
	free(outer_vals);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_storm),
		cmocka_unit_test(test_thread_storm),
		cmocka_unit_test(test_signal_storm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
