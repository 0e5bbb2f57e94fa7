/* SPDX-License-Identifier: MIT */
/*
 * The userspace generator's reseed triggers and hygiene, and the hybrid
 * bulk path.  Run under VGETRANDOM_BACKEND=chacha and =hybrid; each group
 * skips when the other backend is active.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "generator.h"
#include "bulk.h"
#include "state_arena.h"
#include "test_util.h"
#include "syscall_path.h"
#include "thread_state.h"
#include "vgetrandom.h"

static int is_backend(const char *prefix)
{
	return strncmp(vgetrandom_backend(), prefix, strlen(prefix)) == 0;
}

#define NEED_FALLBACK()                          \
	do {                                     \
		if (!is_backend("chacha-"))      \
			skip();                  \
	} while (0)
#define NEED_HYBRID()                            \
	do {                                     \
		if (!is_backend("vdso+chacha-")) \
			skip();                  \
	} while (0)

static void draw(size_t len)
{
	static unsigned char buf[1 << 16];
	assert_true(len <= sizeof(buf));
	assert_int_equal(vgetrandom(buf, len, 0), (ssize_t)len);
}

/* ---- the userspace generator ---- */

static void *first_call(void *arg)
{
	unsigned long before = vgr_test_generator_seeds();
	draw(16);
	*(unsigned long *)arg = vgr_test_generator_seeds() - before;
	return NULL;
}

static void test_new_state_seeds(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	pthread_t t;
	unsigned long seeded = 0;
	pthread_create(&t, NULL, first_call, &seeded);
	pthread_join(t, NULL);
	/* Reused or fresh, a state from another thread is either wiped or
	 * continues its own stream; a brand-new one must seed. */
	assert_true(seeded <= 1);
	draw(16);
	unsigned long before = vgr_test_generator_seeds();
	draw(16);
	assert_int_equal(vgr_test_generator_seeds(), before); /* no reseed per call */
}

static void test_generation_bump_reseeds(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	draw(16);
	unsigned long before = vgr_test_generator_seeds();
	assert_int_equal(vgetrandom_reseed(), 0);
	draw(16);
	assert_int_equal(vgr_test_generator_seeds(), before + 1);
	draw(16);
	assert_int_equal(vgr_test_generator_seeds(), before + 1);
}

static void test_byte_budget_reseeds(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	vgr_test_generator_budgets(4096, 0);
	vgetrandom_reseed();
	draw(16);
	unsigned long before = vgr_test_generator_seeds();
	for (int i = 0; i < 4096; i++)
		draw(16); /* 64 KiB */
	unsigned long n = vgr_test_generator_seeds() - before;
	vgr_test_generator_budgets(0, 0);
	/* One reseed per 4 KiB budget, checked at each 992-byte refill:
	 * between 64 KiB / 4.97 KiB and 64 KiB / 4 KiB. */
	print_message("%lu reseeds in 64 KiB with a 4 KiB budget\n", n);
	assert_true(n >= 12 && n <= 16);
}

/* The bulk path takes one 32-byte key from the generator and expands it;
 * the budget still counts every byte of output.  With a 4 KiB budget, 16
 * KiB of bulk output must lead to a reseed at the next refill (where the
 * budget is checked).  Counting only the keys, the stream used here (one
 * 992-byte buffer, 16 keys, 1 KiB of small draws: under 2.6 KiB) would
 * stay within the budget and nothing would reseed. */
static void test_generator_bulk_counts_in_budget(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	unsigned long c0 = vgr_test_bulk_calls();
	draw(VGR_BULK_MIN_GENERATOR - 1);
	assert_int_equal(vgr_test_bulk_calls(), c0);
	draw(VGR_BULK_MIN_GENERATOR);
	assert_int_equal(vgr_test_bulk_calls(), c0 + 1);

	vgr_test_generator_budgets(4096, 0);
	vgetrandom_reseed();
	draw(16);
	unsigned long before = vgr_test_generator_seeds();
	for (int i = 0; i < 16; i++)
		draw(1024);
	/* Use up the buffer so that a refill comes. */
	for (int i = 0; i < 64; i++)
		draw(16);
	unsigned long n = vgr_test_generator_seeds() - before;
	vgr_test_generator_budgets(0, 0);
	print_message("%lu reseeds after 16 KiB of bulk output, 4 KiB budget\n", n);
	assert_true(n >= 1);
}

static void test_time_budget_reseeds(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	vgr_test_generator_budgets(0, 1000000); /* 1 ms */
	vgetrandom_reseed();
	draw(16);
	unsigned long before = vgr_test_generator_seeds();
	struct timespec ts = { 0, 30 * 1000000 };
	nanosleep(&ts, NULL);
	draw(500);
	draw(500); /* 1016 bytes after the seed: crosses the first refill */
	unsigned long n = vgr_test_generator_seeds() - before;
	vgr_test_generator_budgets(0, 0);
	assert_int_equal(n, 1);
	/* With the default 60 s budget the same does not reseed. */
	vgetrandom_reseed();
	draw(16);
	before = vgr_test_generator_seeds();
	nanosleep(&ts, NULL);
	draw(500);
	draw(500);
	assert_int_equal(vgr_test_generator_seeds(), before);
}

/* A state zeroed under us (as the kernel does to dropped MAP_DROPPABLE
 * pages, or to wiped pages in a child) reseeds and never yields zeros. */
static void test_wiped_state_reseeds(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	uint64_t out[8];
	draw(16);
	void *st = vgr_test_thread_state();
	assert_non_null(st);
	struct arena_stats as;
	vgr_test_arena_stats(&as);
	memset(st, 0, as.slot_size);
	unsigned long before = vgr_test_generator_seeds();
	assert_int_equal(vgetrandom(out, sizeof(out), 0), sizeof(out));
	assert_int_equal(vgr_test_generator_seeds(), before + 1);
	for (int i = 0; i < 8; i++)
		assert_true(out[i] != 0); /* each 2^-64 */
}

/* Where any 8 bytes of out (every 8 bytes from the start, and the last 8;
 * all of it if shorter) appear in state, or -1. */
static long output_in_state(const unsigned char *state, size_t state_len,
                            const unsigned char *out, size_t n)
{
	size_t piece = n < 8 ? n : 8;
	for (size_t at = 0;; at += 8) {
		if (at + piece > n)
			at = n - piece;
		for (size_t off = 0; off + piece <= state_len; off++)
			if (memcmp(state + off, out + at, piece) == 0)
				return (long)off;
		if (at + piece >= n)
			return -1;
	}
}

/* Output handed out is gone from the state: no 8 bytes of it appear
 * anywhere in the state's memory afterwards.  Lengths cover each way the
 * generator moves bytes out (4-7, 8-16, 17-32, 33-64 bytes, and larger).
 * False failure: a given 4-byte string turns up by chance in the ~1.1 KiB
 * state with probability ~2^-22; 20 draws each of 4, 5 and 7 bytes make
 * that about 1 run in 70,000; 8-byte pieces nothing measurable. */
static void test_output_not_in_state(void **unused)
{
	static const size_t lens[] = { 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100 };
	(void)unused;
	NEED_FALLBACK();
	struct arena_stats as;
	unsigned char out[100];
	draw(16);
	vgr_test_arena_stats(&as);
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t n = lens[l];
		for (int i = 0; i < 20; i++) {
			assert_int_equal(vgetrandom(out, n, 0), n);
			long off = output_in_state(vgr_test_thread_state(), as.slot_size, out, n);
			if (off >= 0)
				fail_msg("output of a %zu-byte request still in the state at offset %ld",
				         n, off);
		}
	}
}

/* The key a refill makes, and the one a seed installs, never reach a
 * register that a signal frame then writes to the stack.  After every call
 * (62 of 16 bytes cross a refill at least once) a signal is raised at the
 * same depth, and the stack below is searched for any 8-byte word of the
 * state's current key: a random 64-bit word turns up by chance in 8 KiB
 * about once in 2^54 tries. */
#define KEY_SCAN (8 * 1024)

static __attribute__((noinline)) void call_then_signal(void)
{
	unsigned char out[16];
	assert_int_equal(vgetrandom(out, sizeof(out), 0), sizeof(out));
	raise(SIGUSR1);
}

static __attribute__((noinline)) size_t key_words_below(const uint32_t *key)
{
	unsigned char area[KEY_SCAN];
	unsigned char *p = area;
	uint64_t words[4];
	size_t found = 0;

	LAUNDER(p);
	/* Word by word through general registers: a vector copy here would
	 * leave the key in a register for the next call's signal frame. */
	for (int w = 0; w < 4; w++)
		words[w] = ((const volatile uint64_t *)(const void *)key)[w];
	for (size_t off = 0; off + 8 <= KEY_SCAN; off += 8)
		for (int w = 0; w < 4; w++)
			found += memcmp(p + off, &words[w], 8) == 0;
	explicit_bzero(words, sizeof(words));
	return found;
}

static void test_key_not_in_signal_frame(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	/* valgrind builds signal frames of its own and reports the scan of
	 * stack below its stack pointer as reads of undefined memory.  The
	 * sanitizer builds run it: under ASan it found the last key word left
	 * in a general register, which ld.so's lazy-binding trampoline then
	 * saved on the stack (move_key() now clears its register). */
	if (getenv("VGR_UNDER_VALGRIND"))
		skip();
	struct sigaction sa = { .sa_handler = ignore_signal }, old;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	vgetrandom_reseed(); /* the next call seeds: that path too */
	for (int i = 0; i < 200; i++) {
		call_then_signal();
		size_t n = key_words_below(vgr_test_generator_key(vgr_test_thread_state()));
		if (n)
			fail_msg("call %d: %zu words of the generator's key on the stack", i, n);
	}
	sigaction(SIGUSR1, &old, NULL);
}

/* A nested call (primary state marked in use) is served by the spare
 * state, with no system call, and leaves the primary byte-for-byte
 * untouched. */
static void test_in_use_state_untouched(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	struct arena_stats as;
	static unsigned char before[8192];
	unsigned char out[32];
	draw(16);
	vgr_test_arena_stats(&as);
	unsigned char *st = vgr_test_thread_state();
	memcpy(before, st, as.slot_size);
	unsigned long fb = vgr_test_syscall_fallbacks();
	vgr_test_mark_busy();
	assert_int_equal(vgetrandom(out, sizeof(out), 0), sizeof(out));
	assert_int_equal(vgr_test_syscall_fallbacks(), fb);
	assert_non_null(vgr_test_thread_spare());
	assert_ptr_not_equal(vgr_test_thread_spare(), st);
	assert_memory_equal(before, st, as.slot_size);
	/* Undo the mark the way a returning outer call would. */
	vgr_test_clear_busy();
}

/* After fork the child's first call reseeds (wiped memory or a moved
 * generation), and parent and child streams differ. */
static void test_child_reseeds(void **unused)
{
	(void)unused;
	NEED_FALLBACK();
	draw(16);
	pid_t pid = fork();
	if (pid == 0) {
		unsigned long before = vgr_test_generator_seeds();
		unsigned char b[16];
		if (vgetrandom(b, sizeof(b), 0) != sizeof(b))
			_exit(2);
		_exit(vgr_test_generator_seeds() == before + 1 ? 0 : 1);
	}
	assert_true(child_ok(pid));
}

/* The state pages, vDSO or generator, are kept out of core dumps (and the
 * generator's, without MAP_DROPPABLE, wiped on fork): read back from
 * /proc/self/smaps. */
static void test_state_pages_flags(void **unused)
{
	(void)unused;
	if (!backend_has_states())
		skip();
	draw(16);
	uintptr_t st = (uintptr_t)vgr_test_thread_state();
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in_range = 0, checked = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in_range = st >= lo && st < hi;
			continue;
		}
		if (in_range && strncmp(line, "VmFlags:", 8) == 0) {
			assert_non_null(strstr(line, " dd"));
			if (is_backend("chacha-"))
				assert_non_null(strstr(line, " wf"));
			checked = 1;
		}
	}
	fclose(f);
	assert_true(checked);
}

/* ---- the hybrid bulk path ---- */

static void test_hybrid_threshold(void **unused)
{
	(void)unused;
	NEED_HYBRID();
	unsigned long c0 = vgr_test_bulk_calls();
	draw(VGR_BULK_MIN_VDSO - 1);
	assert_int_equal(vgr_test_bulk_calls(), c0);
	draw(VGR_BULK_MIN_VDSO);
	assert_int_equal(vgr_test_bulk_calls(), c0 + 1);
	draw(1 << 16);
	assert_int_equal(vgr_test_bulk_calls(), c0 + 2);
}

enum { BULK = 4096, CALLS = 64, THREADS = 8 };
static uint64_t bulk_words[(THREADS + 1) * CALLS * BULK / 8];

static void *bulk_thread(void *arg)
{
	uint64_t *w = arg;
	for (int i = 0; i < CALLS; i++)
		if (vgetrandom(w + i * (BULK / 8), BULK, 0) != BULK)
			abort();
	return NULL;
}

/* 64 calls of 4 KiB in each of 9 threads: 294,912 words, none repeated
 * (a chance repeat is below 2^-27). */
static void test_hybrid_outputs_unique(void **unused)
{
	(void)unused;
	NEED_HYBRID();
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, bulk_thread, bulk_words + (size_t)(i + 1) * CALLS * BULK / 8);
	bulk_thread(bulk_words);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(repeats_u64(bulk_words, sizeof(bulk_words) / 8), 0);
}

/* Children forked from a parent that uses the bulk path: every child's and
 * the parent's large outputs are pairwise distinct. */
static void test_hybrid_fork_never_repeats(void **unused)
{
	(void)unused;
	NEED_HYBRID();
	enum { KIDS = 16, WORDS = 8192 };
	static uint64_t all[(KIDS + 1) * WORDS];
	draw(1024);
	for (int k = 0; k < KIDS; k++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		pid_t pid = fork();
		if (pid == 0) {
			static uint64_t mine[WORDS];
			close(fds[0]);
			FILL_OR_DIE(vgetrandom, mine, sizeof(mine));
			_exit(write_full(fds[1], mine, sizeof(mine)) == 0 ? 0 : 1);
		}
		close(fds[1]);
		assert_int_equal(read_full(fds[0], all + (size_t)k * WORDS, WORDS * 8), 0);
		close(fds[0]);
		assert_true(child_ok(pid));
	}
	FILL_OR_DIE(vgetrandom, all + (size_t)KIDS * WORDS, WORDS * 8);
	assert_int_equal(repeats_u64(all, sizeof(all) / 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_state_seeds),
		cmocka_unit_test(test_generation_bump_reseeds),
		cmocka_unit_test(test_byte_budget_reseeds),
		cmocka_unit_test(test_generator_bulk_counts_in_budget),
		cmocka_unit_test(test_time_budget_reseeds),
		cmocka_unit_test(test_wiped_state_reseeds),
		cmocka_unit_test(test_output_not_in_state),
		cmocka_unit_test(test_key_not_in_signal_frame),
		cmocka_unit_test(test_in_use_state_untouched),
		cmocka_unit_test(test_child_reseeds),
		cmocka_unit_test(test_state_pages_flags),
		cmocka_unit_test(test_hybrid_threshold),
		cmocka_unit_test(test_hybrid_outputs_unique),
		cmocka_unit_test(test_hybrid_fork_never_repeats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
