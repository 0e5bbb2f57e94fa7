/* SPDX-License-Identifier: MIT */
/*
 * fork(): parent and child never produce the same bytes, from single- and
 * multi-threaded parents and from the main or another thread; the child
 * reclaims the states of the threads that did not survive and never hands
 * one state to two threads (the bug glibc caught before 2.41).
 *
 * Children report through pipes and exit codes only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>

#include "state_arena.h"

/* The sanitizer runtimes cannot start threads in the child of a
 * multi-threaded fork (TSan refuses; ASan's allocator lock can be inherited
 * held, and the child hangs); under them the child-side thread checks are
 * left to the valgrind and plain runs. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define CHILD_THREADS_SUPPORTED 0
#else
#define CHILD_THREADS_SUPPORTED 1
#endif
#include "test_util.h"
#include "thread_state.h"
#include "vgetrandom.h"

enum { WORDS = 4096, BUSY_THREADS = 8, CHILD_THREADS = 8 };

/* How many forks each test makes (test_util.h). */
#define rounds(n) storm_scaled(n)


/* Child-side checks after a fork; returns an exit code (0 = good). */
struct child_thread {
	void *state;
	int ok;
};

static void *child_thread_main(void *arg)
{
	struct child_thread *ct = arg;
	uint64_t v;
	ct->ok = vgetrandom(&v, sizeof(v), 0) == sizeof(v);
	ct->state = vgr_test_thread_state();
	return NULL;
}

static int child_checks(void)
{
	struct arena_stats st;
	struct child_thread ct[CHILD_THREADS] = { 0 };
	pthread_t t[CHILD_THREADS];
	void *mine = vgr_test_thread_state();

	if (!backend_has_states())
		return 0;
	/* Every state but the forking thread's is free again. */
	vgr_test_arena_stats(&st);
	if (st.free != st.total - (mine ? 1 : 0))
		return 10;
	if (!CHILD_THREADS_SUPPORTED)
		return 0;
	/* New threads in the child all get states of their own. */
	for (int i = 0; i < CHILD_THREADS; i++)
		pthread_create(&t[i], NULL, child_thread_main, &ct[i]);
	for (int i = 0; i < CHILD_THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < CHILD_THREADS; i++) {
		if (!ct[i].ok || !ct[i].state)
			return 11;
		if (ct[i].state == mine)
			return 12;
	}
	return 0;
}

/* Fork; both sides draw WORDS words right away; the child sends its words
 * to the parent and runs child_checks.  Fails unless at most one word
 * position agrees (expected 4096/2^32 ≈ 1e-6, so two or more by chance is
 * ~1e-13). */
static int fork_and_compare(void)
{
	static uint32_t mine[WORDS], theirs[WORDS];
	int fds[2];

	if (pipe(fds) != 0)
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		static uint32_t child_words[WORDS];
		close(fds[0]);
		FILL_OR_DIE(vgetrandom, child_words, sizeof(child_words));
		if (write_full(fds[1], child_words, sizeof(child_words)) != 0)
			_exit(3);
		_exit(child_checks());
	}
	close(fds[1]);
	FILL_OR_DIE(vgetrandom, mine, sizeof(mine));
	int got = read_full(fds[0], theirs, sizeof(theirs)) == 0;
	close(fds[0]);
	int ok = child_ok(pid);
	if (!got || !ok) {
		fprintf(stderr, "child failed (read %d)\n", got);
		return 0;
	}
	size_t eq = equal_words(mine, theirs, WORDS);
	if (eq > 1) {
		fprintf(stderr, "%zu equal words after fork\n", eq);
		return 0;
	}
	return 1;
}

static void test_single_threaded_fork(void **unused)
{
	(void)unused;
	uint64_t v;
	/* Prime this thread's state (and the vDSO's buffered batch) first. */
	assert_int_equal(vgetrandom(&v, sizeof(v), 0), sizeof(v));
	for (int i = 0; i < rounds(50); i++)
		assert_true(fork_and_compare());
}

static volatile int stop_busy;

static void *busy_main(void *arg)
{
	(void)arg;
	uint64_t v;
	while (!__atomic_load_n(&stop_busy, __ATOMIC_RELAXED))
		if (vgetrandom(&v, sizeof(v), 0) != sizeof(v))
			abort();
	return NULL;
}

static void *forker_main(void *arg)
{
	*(int *)arg = 1;
	for (int i = 0; i < rounds(25); i++)
		*(int *)arg &= fork_and_compare();
	return NULL;
}

static void test_multi_threaded_fork(void **unused)
{
	(void)unused;
	pthread_t t[BUSY_THREADS], forker;
	int forker_ok = 0;

	__atomic_store_n(&stop_busy, 0, __ATOMIC_RELAXED);
	for (int i = 0; i < BUSY_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, busy_main, NULL), 0);
	/* From the main thread... */
	for (int i = 0; i < rounds(25); i++)
		assert_true(fork_and_compare());
	/* ...and from another thread. */
	assert_int_equal(pthread_create(&forker, NULL, forker_main, &forker_ok), 0);
	pthread_join(forker, NULL);
	assert_true(forker_ok);
	__atomic_store_n(&stop_busy, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < BUSY_THREADS; i++)
		pthread_join(t[i], NULL);
}

/* Children of a multi-threaded parent run concurrent threads: their states
 * are pairwise distinct while all are alive (the glibc pre-2.41 bug). */
struct live_thread {
	pthread_barrier_t *b;
	void *state;
};

static void *live_main(void *arg)
{
	struct live_thread *lt = arg;
	uint64_t v;
	if (vgetrandom(&v, sizeof(v), 0) != sizeof(v))
		abort();
	lt->state = vgr_test_thread_state();
	pthread_barrier_wait(lt->b);
	return NULL;
}

static void test_child_threads_never_share(void **unused)
{
	(void)unused;
	pthread_t t[BUSY_THREADS];

	if (!backend_has_states() || !CHILD_THREADS_SUPPORTED)
		skip();
	__atomic_store_n(&stop_busy, 0, __ATOMIC_RELAXED);
	for (int i = 0; i < BUSY_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, busy_main, NULL), 0);
	for (int round = 0; round < rounds(10); round++) {
		pid_t pid = fork();
		if (pid == 0) {
			enum { N = 32 };
			struct live_thread lt[N];
			pthread_t ct[N];
			pthread_barrier_t b;
			void *mine = vgr_test_thread_state();
			pthread_barrier_init(&b, NULL, N);
			for (int i = 0; i < N; i++) {
				lt[i].b = &b;
				pthread_create(&ct[i], NULL, live_main, &lt[i]);
			}
			for (int i = 0; i < N; i++)
				pthread_join(ct[i], NULL);
			for (int i = 0; i < N; i++) {
				if (!lt[i].state || lt[i].state == mine)
					_exit(1);
				for (int j = 0; j < i; j++)
					if (lt[i].state == lt[j].state)
						_exit(2);
			}
			_exit(0);
		}
		assert_true(child_ok(pid));
	}
	__atomic_store_n(&stop_busy, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < BUSY_THREADS; i++)
		pthread_join(t[i], NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_threaded_fork),
		cmocka_unit_test(test_multi_threaded_fork),
		cmocka_unit_test(test_child_threads_never_share),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
