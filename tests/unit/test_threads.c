/* SPDX-License-Identifier: MIT */
/*
 * Per-thread states: concurrent threads never share one, exited threads'
 * states are reused, and 10,000 threads in sequence keep the arena and RSS
 * bounded.  Threads report through shared arrays; all asserts run in the
 * main thread (cmocka cannot fail from other threads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>

#include "state_arena.h"
#include "test_util.h"
#include "syscall_path.h"
#include "thread_state.h"
#include "vgetrandom.h"

enum { NTHREADS = 64, CALLS = 2000, KEEP = 64 };

struct worker {
	pthread_barrier_t *barrier;
	void *state;
	int state_changed;
	unsigned long fallbacks;
	uint64_t words[KEEP];
	int failed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t v;

	for (int i = 0; i < CALLS; i++) {
		if (vgetrandom(&v, sizeof(v), 0) != sizeof(v))
			w->failed = 1;
		if (i == 0)
			w->state = vgr_test_thread_state();
		else if (vgr_test_thread_state() != w->state)
			w->state_changed = 1;
		if (i < KEEP)
			w->words[i] = v;
	}
	w->fallbacks = vgr_test_syscall_fallbacks();
	/* Stay alive until every thread has its state, so all are live at once. */
	pthread_barrier_wait(w->barrier);
	return NULL;
}


static void test_concurrent_threads_have_distinct_states(void **unused)
{
	(void)unused;
	static struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	pthread_barrier_t barrier;
	static uint64_t all[NTHREADS * KEEP];

	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		w[i].barrier = &barrier;
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);

	for (int i = 0; i < NTHREADS; i++) {
		assert_false(w[i].failed);
		memcpy(&all[i * KEEP], w[i].words, sizeof(w[i].words));
		if (!backend_has_states())
			continue;
		assert_non_null(w[i].state);
		assert_false(w[i].state_changed);
		assert_int_equal(w[i].fallbacks, 0);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(w[i].state, w[j].state);
	}
	/* 4096 64-bit words from 64 threads: a repeat by chance is ~2^-41. */
	assert_int_equal(repeats_u64(all, NTHREADS * KEEP), 0);
}

static void *one_call(void *arg)
{
	uint64_t v;
	*(int *)arg = vgetrandom(&v, sizeof(v), 0) == sizeof(v);
	return NULL;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static void test_churn_reuses_states(void **unused)
{
	(void)unused;
	struct arena_stats before, after;
	long rss_before, rss_after;

	/* Warm up: the first churned thread may grow the arena once. */
	for (int i = 0; i < 8; i++) {
		pthread_t t;
		int ok = 0;
		pthread_create(&t, NULL, one_call, &ok);
		pthread_join(t, NULL);
	}
	vgr_test_arena_stats(&before);
	rss_before = rss_kib();
	for (int i = 0; i < storm_scaled(10000); i++) {
		pthread_t t;
		int ok = 0;
		assert_int_equal(pthread_create(&t, NULL, one_call, &ok), 0);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_true(ok);
	}
	vgr_test_arena_stats(&after);
	rss_after = rss_kib();

	/* Each exited thread's state went back and was taken by the next: no
	 * growth at all, and every state is back on the free list. */
	assert_int_equal(after.total, before.total);
	assert_int_equal(after.groups, before.groups);
	assert_int_equal(after.free, after.total - (vgr_test_thread_state() ? 1 : 0));
	/* RSS: within 4 MiB of where it started (it would be ~1.9 MiB of
	 * states alone if none were reused). */
	print_message("arena total %zu states; RSS %ld -> %ld KiB\n",
	              after.total, rss_before, rss_after);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	/* The sanitizers' own per-thread caches grow RSS with every thread;
	 * the arena check above is the one that holds there. */
	(void)rss_before;
	(void)rss_after;
#else
	assert_true(rss_after - rss_before < 4096);
#endif
}

static void test_arena_geometry(void **unused)
{
	(void)unused;
	struct arena_stats st;
	uint64_t v;
	if (!backend_has_states())
		skip();
	assert_int_equal(vgetrandom(&v, sizeof(v), 0), sizeof(v));
	vgr_test_arena_stats(&st);
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t s = (uintptr_t)vgr_test_thread_state();
	/* Cache-line slots, never straddling a page. */
	assert_int_equal(st.slot_size % 64, 0);
	assert_int_equal(s % 64, 0);
	assert_true(s / (uintptr_t)page == (s + st.slot_size - 1) / (uintptr_t)page);
	assert_int_equal(st.per_page, (size_t)page / st.slot_size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_geometry),
		cmocka_unit_test(test_concurrent_threads_have_distinct_states),
		cmocka_unit_test(test_churn_reuses_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
