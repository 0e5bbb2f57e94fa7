/* SPDX-License-Identifier: MIT */
/*
 * Signal handlers that call vgetrandom() while the interrupted thread is
 * inside it: no deadlock (alarm bounds the test), no repeated output, and
 * a thread whose call was abandoned by siglongjmp recovers its vDSO path.
 * Also: an arena whose mmap fails is remembered and the syscall serves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>

#include "state_arena.h"
#include "test_util.h"
#include "syscall_path.h"
#include "thread_state.h"
#include "vgetrandom.h"

enum { OUTER_MAX = 1 << 18, HANDLER_MAX = 1 << 16, SIGNALS = 20000 };

static uint64_t *outer_words, *handler_words;
static volatile size_t n_outer, n_handler;
static volatile int stop, handler_failed;
static sigjmp_buf jump_back;
static volatile int jump_armed, target_ready;

static void handler(int sig)
{
	(void)sig;
	int saved = errno;
	uint64_t v[2];
	if (vgetrandom(v, sizeof(v), 0) != sizeof(v))
		handler_failed = 1;
	size_t i = n_handler;
	if (i + 2 <= HANDLER_MAX) {
		handler_words[i] = v[0];
		handler_words[i + 1] = v[1];
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		n_handler = i + 2;
	}
	errno = saved;
	if (jump_armed)
		siglongjmp(jump_back, 1);
}

static void usr1_mask(int how)
{
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(how, &usr1, NULL);
}

/* The interrupted thread: draws until stopped, keeping its words in
 * outer_words when there is such an array (storm(), not exit_storms()). */
static void *target_main(void *arg)
{
	(void)arg;
	/* Set the jump target once: a handler must never jump through a
	 * buffer that sigsetjmp is halfway through writing.  The mask is not
	 * saved: siglongjmp would unblock SIGUSR1 before leaving the handler's
	 * stack, and a flood of signals would then nest handlers until the
	 * stack overflows.  Unblock here instead, once the stack is unwound. */
	if (jump_armed && sigsetjmp(jump_back, 0) != 0)
		usr1_mask(SIG_UNBLOCK);
	__atomic_store_n(&target_ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		uint64_t v[4];
		if (vgetrandom(v, sizeof(v), 0) != sizeof(v))
			handler_failed = 2;
		size_t i = n_outer;
		if (outer_words && i + 4 <= OUTER_MAX) {
			memcpy(&outer_words[i], v, sizeof(v));
			/* the words land before the count moves (a signal between
			 * must not see a count over unwritten words) */
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			n_outer = i + 4;
		}
	}
	/* A signal still pending must not run the handler (and jump back
	 * into this frame) after the frame is gone: block it before leaving. */
	usr1_mask(SIG_BLOCK);
	return NULL;
}

/* One storm: start the target, fire n SIGUSR1 at it, stop and join it. */
static void run_target(int use_longjmp, int n)
{
	pthread_t t;

	stop = handler_failed = 0;
	jump_armed = use_longjmp;
	target_ready = 0;
	assert_int_equal(pthread_create(&t, NULL, target_main, NULL), 0);
	while (!__atomic_load_n(&target_ready, __ATOMIC_ACQUIRE))
		sched_yield();
	for (int i = 0; i < n; i++) {
		pthread_kill(t, SIGUSR1);
		if (i % 64 == 0)
			sched_yield();
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
}

/* Each outer or handler output is written to the arrays without locks;
 * the handler's writes only land between the outer loop's own.  Run the
 * storm, then check every collected word is unique. */
static void storm(int use_longjmp)
{
	struct sigaction sa = { .sa_handler = handler };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	outer_words = calloc(OUTER_MAX, sizeof(uint64_t));
	handler_words = calloc(HANDLER_MAX, sizeof(uint64_t));
	assert_non_null(outer_words);
	assert_non_null(handler_words);
	n_outer = n_handler = 0;

	alarm(120); /* a deadlock fails the test instead of hanging CI */
	run_target(use_longjmp, storm_scaled(SIGNALS));
	alarm(0);
	signal(SIGUSR1, SIG_DFL);

	assert_false(handler_failed);
	size_t n = n_outer + n_handler;
	uint64_t *all = malloc(n * sizeof(uint64_t));
	memcpy(all, outer_words, n_outer * sizeof(uint64_t));
	memcpy(all + n_outer, handler_words, n_handler * sizeof(uint64_t));
	print_message("%zu outer words, %zu handler words\n", (size_t)n_outer, (size_t)n_handler);
	assert_true(n_handler > 0);
	/* At most ~330k words: a chance repeat is below 2^-27. */
	assert_int_equal(repeats_u64(all, n), 0);
	free(all);
	free(outer_words);
	outer_words = NULL;
	free(handler_words);
}

static void test_handler_storm(void **unused)
{
	(void)unused;
	storm(0);
}

static void test_handler_storm_with_siglongjmp(void **unused)
{
	(void)unused;
	storm(1);
}

/* After an abandoned call (its primary state left busy, as a siglongjmp
 * out of a handler leaves it), the thread goes on with its spare state at
 * once, with no system call; a second abandonment, of the spare, sends it
 * to the system call.  Nothing touches the abandoned primary meanwhile. */
static void *abandon_main(void *arg)
{
	int *result = arg;
	uint64_t v;
	*result = 1;
	if (vgetrandom(&v, sizeof(v), 0) != sizeof(v))
		return NULL;
	void *first = vgr_test_thread_state();
	unsigned long fb0 = vgr_test_syscall_fallbacks();
	vgr_test_mark_busy();
	for (unsigned i = 0; i < 24; i++)
		if (vgetrandom(&v, sizeof(v), 0) != sizeof(v))
			return NULL;
	unsigned long used = vgr_test_syscall_fallbacks() - fb0;
	if (used != 0) {
		fprintf(stderr, "%lu syscall fallbacks\n", used);
		*result = 3;
		return NULL;
	}
	if (vgr_test_thread_state() != first || !vgr_test_thread_spare() ||
	    vgr_test_thread_spare() == first)
		*result = 4;
	else
		*result = 0;
	return NULL;
}

static void test_abandoned_state_recovers(void **unused)
{
	(void)unused;
	pthread_t t;
	int result = -1;
	struct arena_stats before, after;

	if (!backend_has_states())
		skip();
	vgr_test_arena_stats(&before);
	pthread_create(&t, NULL, abandon_main, &result);
	pthread_join(t, NULL);
	assert_int_equal(result, 0);
	/* Both the abandoned state and the spare went back at exit. */
	vgr_test_arena_stats(&after);
	assert_int_equal(after.total - after.free, before.total - before.free);
}

/* Many short storms, each on a fresh thread that then exits: after every
 * round the states in use are back where they were, so no round lost a
 * state or gave one back twice (with siglongjmp: see the bound below).
 * With the earlier design (a handler replaced a state after 16 nested
 * hits) 54 of 300 rounds on the vDSO and 209 of 300 on the generator ended
 * with a state lost: the handler ran between the interrupted call's last
 * check and its store. */
static void exit_storms(int use_longjmp)
{
	struct sigaction sa = { .sa_handler = handler };
	struct arena_stats base, now;
	uint64_t v;
	int lost = 0, doubled = 0;

	if (!backend_has_states())
		skip();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	handler_words = calloc(HANDLER_MAX, sizeof(uint64_t));
	assert_non_null(handler_words);
	vgetrandom(&v, sizeof(v), 0);
	vgr_test_arena_stats(&base);
	alarm(120);
	for (int round = 0; round < storm_scaled(300); round++) {
		n_handler = 0;
		run_target(use_longjmp, storm_scaled(2000));
		assert_false(handler_failed);
		vgr_test_arena_stats(&now);
		long in_use = (long)(now.total - now.free), was = (long)(base.total - base.free);
		lost += in_use > was;
		doubled += in_use < was;
		base = now;
	}
	alarm(0);
	signal(SIGUSR1, SIG_DFL);
	free(handler_words);
	print_message("%d rounds lost a state, %d gave one back twice\n", lost, doubled);
	/* Never twice.  Without siglongjmp, never lost either.  A siglongjmp
	 * out of a handler that interrupted a take in the few instructions
	 * between the pop and the store into the thread's slot loses that
	 * state (state_arena.c, pop_into): seen in 0 of 30,000 rounds per
	 * backend natively, and in 1 of 300 under qemu-system (arm64, TCG),
	 * whose signals land between translated blocks.  If each round loses
	 * one with p = 1/300 (Poisson, mean 1), more than 10 of 300 happens
	 * with probability below 1e-8; the locked arena, which delivered the
	 * pending signal exactly in that window, lost 35-40 of 300. */
	assert_int_equal(doubled, 0);
	if (use_longjmp)
		assert_true(lost <= 10);
	else
		assert_int_equal(lost, 0);
}

static void test_exit_storms(void **unused)
{
	(void)unused;
	exit_storms(0);
}

static void test_exit_storms_with_siglongjmp(void **unused)
{
	(void)unused;
	exit_storms(1);
}

/* Hold threads alive until the free list is empty, make the next mmap
 * fail, and check a new thread still gets random bytes, from the syscall,
 * and that the failure is remembered.  In a child, to keep it contained. */
static void *hold_main(void *arg)
{
	uint64_t v;
	if (vgetrandom(&v, sizeof(v), 0) != sizeof(v))
		abort();
	pthread_barrier_wait(arg);
	return NULL;
}

struct probe {
	int ok;
	void *state;
	unsigned long fallbacks;
	uint64_t v[2];
};

static void *probe_main(void *arg)
{
	struct probe *p = arg;
	p->ok = vgetrandom(p->v, sizeof(p->v), 0) == sizeof(p->v);
	p->state = vgr_test_thread_state();
	p->fallbacks = vgr_test_syscall_fallbacks();
	return NULL;
}

static void test_mmap_failure_falls_back(void **unused)
{
	(void)unused;
	if (!backend_has_states())
		skip();
	pid_t pid = fork();
	if (pid == 0) {
		struct arena_stats st;
		uint64_t v;
		vgetrandom(&v, sizeof(v), 0);
		vgr_test_arena_stats(&st);
		size_t n = st.free;
		pthread_barrier_t b;
		pthread_barrier_init(&b, NULL, (unsigned)n + 1);
		pthread_t *t = calloc(n, sizeof(pthread_t));
		for (size_t i = 0; i < n; i++)
			pthread_create(&t[i], NULL, hold_main, &b);
		/* Wait until they all hold a state. */
		for (int spin = 0; spin < 10000; spin++) {
			vgr_test_arena_stats(&st);
			if (st.free == 0)
				break;
			usleep(1000);
		}
		if (st.free != 0)
			_exit(20);
		size_t groups_before = st.groups;
		vgr_test_arena_fail_next_mmap();
		struct probe p[2] = { 0 };
		for (int k = 0; k < 2; k++) {
			pthread_t pt;
			pthread_create(&pt, NULL, probe_main, &p[k]);
			pthread_join(pt, NULL);
			if (!p[k].ok || p[k].state || p[k].fallbacks != 1)
				_exit(21 + k);
		}
		vgr_test_arena_stats(&st);
		if (!st.failed || st.groups != groups_before)
			_exit(23);
		if (p[0].v[0] == p[1].v[0] || (p[0].v[0] == 0 && p[0].v[1] == 0))
			_exit(24);
		pthread_barrier_wait(&b);
		for (size_t i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		_exit(0);
	}
	assert_true(child_ok(pid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handler_storm),
		cmocka_unit_test(test_handler_storm_with_siglongjmp),
		cmocka_unit_test(test_abandoned_state_recovers),
		cmocka_unit_test(test_exit_storms),
		cmocka_unit_test(test_exit_storms_with_siglongjmp),
		cmocka_unit_test(test_mmap_failure_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
