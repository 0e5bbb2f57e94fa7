/* SPDX-License-Identifier: MIT */
/*
 * vgetrandom() against the getrandom(2) contract, side by side with the raw
 * system call.  Run once per backend (meson sets VGETRANDOM_BACKEND and
 * VGR_EXPECT_BACKEND).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <sys/mman.h>

#include "test_util.h"
#include "vgetrandom.h"

static void test_backend_is_the_expected_one(void **unused)
{
	(void)unused;
	const char *want = getenv("VGR_EXPECT_BACKEND");
	if (!want)
		skip();
	/* "X-if-kernel-has-it": ask the dynamic linker, independently of the
	 * library, whether the vDSO exports vgetrandom; without it, every
	 * state-based backend becomes the userspace generator. */
	void *h = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	int has = h && (dlvsym(h, "__vdso_getrandom", "LINUX_2.6") ||
	                dlvsym(h, "__kernel_getrandom", "LINUX_2.6.39"));
	if (strcmp(want, "vdso-if-kernel-has-it") == 0)
		want = has ? "vdso" : "chacha-";
	else if (strcmp(want, "hybrid-if-kernel-has-it") == 0)
		want = has ? "vdso+chacha-" : "chacha-";
	/* A trailing '-' means "this prefix, then the kernel's name". */
	const char *got = vgetrandom_backend();
	size_t n = strlen(want);
	if (n && want[n - 1] == '-')
		assert_memory_equal(got, want, n);
	else
		assert_string_equal(got, want);
}

/* Every flag word we try: all combinations of the three valid bits, each
 * invalid low bit, and high bits. */
static const unsigned flag_cases[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x20, 0x40, 0x80, 0x100,
	0x8000, 0x10000, 0x40000000u, 0x80000000u, 0xffffffffu, 0xfffffff8u,
	GRND_NONBLOCK | 0x8, GRND_INSECURE | 0x100,
};

static void test_errno_matches_syscall(void **unused)
{
	(void)unused;
	static unsigned char a[4096], b[4096];
	static const size_t lens[] = { 0, 1, 4, 16, 63, 64, 65, 256, 4096 };

	for (size_t f = 0; f < sizeof(flag_cases) / sizeof(flag_cases[0]); f++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (int null_buf = 0; null_buf < 2; null_buf++) {
				unsigned flags = flag_cases[f];
				size_t len = lens[l];
				errno = 12345;
				long want = raw_getrandom(null_buf ? NULL : a, len, flags);
				int want_errno = errno;
				errno = 12345;
				ssize_t got = vgetrandom(null_buf ? NULL : b, len, flags);
				int got_errno = errno;

				if (got != want || (want < 0 && got_errno != want_errno)) {
					print_error("flags=%#x len=%zu buf=%s: syscall %ld/%d, "
					            "vgetrandom %zd/%d\n", flags, len,
					            null_buf ? "NULL" : "ok", want,
					            want_errno, got, got_errno);
					fail();
				}
				/* Success leaves errno alone, as the syscall does. */
				if (want >= 0)
					assert_int_equal(got_errno, 12345);
			}
}

static void test_zero_length(void **unused)
{
	(void)unused;
	unsigned char canary = 0xa5;
	assert_int_equal(vgetrandom(NULL, 0, 0), 0);
	assert_int_equal(vgetrandom(&canary, 0, 0), 0);
	assert_int_equal(vgetrandom(&canary, 0, GRND_NONBLOCK), 0);
	assert_int_equal(canary, 0xa5);
}

/* A multi-megabyte request is served whole, and the bytes look random:
 * population count within 10 standard deviations of half (a false failure
 * has probability below 1e-22). */
static void test_large_request(void **unused)
{
	(void)unused;
	const size_t len = 8u << 20;
	unsigned char *buf = malloc(len);
	assert_non_null(buf);
	memset(buf, 0, len);
	assert_int_equal(vgetrandom(buf, len, 0), (ssize_t)len);

	uint64_t ones = 0;
	for (size_t i = 0; i < len; i += 8) {
		uint64_t w;
		memcpy(&w, buf + i, 8);
		ones += (uint64_t)__builtin_popcountll(w);
	}
	double bits = (double)len * 8, sd = __builtin_sqrt(bits / 4);
	double dev = (double)ones - bits / 2;
	if (dev < -10 * sd || dev > 10 * sd) {
		print_error("ones=%llu of %.0f bits\n", (unsigned long long)ones, bits);
		fail();
	}
	free(buf);
}

/* Above MAX_RW_COUNT the call returns a short count of exactly that, as
 * the system call does.  Needs a 2 GiB mapping; the kernel fills it all. */
static void test_len_capped_at_max_rw_count(void **unused)
{
	(void)unused;
	const size_t max_rw = 0x7ffff000ul, len = max_rw + 8192;
	if (getenv("VGR_SKIP_HUGE"))
		skip();
	unsigned char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
	                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED)
		skip();
	assert_int_equal(vgetrandom(buf, len, 0), (ssize_t)max_rw);
	/* The bytes past the cap were never written. */
	for (size_t i = max_rw; i < len; i++)
		assert_int_equal(buf[i], 0);
	munmap(buf, len);
}

/* A request of SIZE_MAX bytes is an ordinary request capped at
 * MAX_RW_COUNT, served by the backend named, like any other length.  With
 * the system call the kernel writes what fits before an unmapped page and
 * returns that count (53a3944 sent it to the bulk path on every backend,
 * which crashed here).  The other backends write into the caller's buffer
 * from userspace, where a bad pointer crashes, as the vDSO does: they are
 * checked by the test above, at a length past the cap. */
static void test_size_max_is_an_ordinary_length(void **unused)
{
	(void)unused;
	long page = sysconf(_SC_PAGESIZE);
	/* memcheck checks all SIZE_MAX bytes of the argument, for minutes. */
	if (strcmp(vgetrandom_backend(), "syscall") != 0 || getenv("VGR_UNDER_VALGRIND"))
		skip();
	unsigned char *m = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
	                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + page, (size_t)page, PROT_NONE), 0);
	assert_int_equal(vgetrandom(m + page - 8, SIZE_MAX, 0), 8);
	assert_int_equal(raw_getrandom(m + page - 8, SIZE_MAX, 0), 8);
	munmap(m, 2 * (size_t)page);
}

/* 4096 outputs of 32 bytes: no 64-bit word repeats among 16384 (chance of
 * a false failure about 2^-37), none is all zero. */
static void test_outputs_distinct_and_nonzero(void **unused)
{
	(void)unused;
	enum { CALLS = 4096, WORDS = 4 };
	uint64_t *v = calloc(CALLS * WORDS, sizeof(uint64_t));
	assert_non_null(v);
	for (size_t i = 0; i < CALLS; i++) {
		static const unsigned fl[] = { 0, GRND_NONBLOCK, GRND_INSECURE, GRND_RANDOM };
		assert_int_equal(vgetrandom(&v[i * WORDS], WORDS * 8, fl[i % 4]), WORDS * 8);
		assert_false(v[i * WORDS] == 0 && v[i * WORDS + 1] == 0 &&
		             v[i * WORDS + 2] == 0 && v[i * WORDS + 3] == 0);
	}
	assert_int_equal(repeats_u64(v, CALLS * WORDS), 0);
	free(v);
}

/* Every length 1..512 is filled exactly: the byte after the end keeps its
 * guard, and a 512-byte tail is not all zero (chance 2^-4096 each). */
static void test_every_length_exact(void **unused)
{
	(void)unused;
	unsigned char buf[1024];
	for (size_t len = 1; len <= 512; len++) {
		memset(buf, 0, sizeof(buf));
		buf[len] = 0x5a;
		assert_int_equal(vgetrandom(buf, len, 0), (ssize_t)len);
		assert_int_equal(buf[len], 0x5a);
	}
	int nonzero = 0;
	for (size_t i = 0; i < 512; i++)
		nonzero |= buf[i];
	assert_true(nonzero);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_is_the_expected_one),
		cmocka_unit_test(test_errno_matches_syscall),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_large_request),
		cmocka_unit_test(test_len_capped_at_max_rw_count),
		cmocka_unit_test(test_size_max_is_an_ordinary_length),
		cmocka_unit_test(test_outputs_distinct_and_nonzero),
		cmocka_unit_test(test_every_length_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
