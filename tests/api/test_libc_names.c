/* SPDX-License-Identifier: MIT */
/*
 * The libc names the library exports (linked here with -lvgetrandom, so
 * these calls bind to the library, not to libc): glibc's contracts for
 * getentropy and arc4random*, and arc4random_uniform's uniformity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>

#include "test_util.h"
#include "vgetrandom.h"

int getentropy(void *buf, size_t len);
/* libc's headers declare the buffers non-null; the contract for NULL is
 * tested anyway, through a pointer the compiler cannot see through. */
static void *volatile null_ptr;
uint32_t arc4random(void);
void arc4random_buf(void *buf, size_t len);
uint32_t arc4random_uniform(uint32_t upper);

/* Every name resolves into libvgetrandom, as a preloaded or linked
 * library must make it. */
static void test_names_bind_to_library(void **unused)
{
	(void)unused;
	static const char *const names[] = { "getrandom", "getentropy", "arc4random",
	                                     "arc4random_buf", "arc4random_uniform" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		Dl_info info;
		void *p = dlsym(RTLD_DEFAULT, names[i]);
		assert_non_null(p);
		assert_true(dladdr(p, &info));
		if (!strstr(info.dli_fname, "libvgetrandom")) {
			print_error("%s comes from %s\n", names[i], info.dli_fname);
			fail();
		}
	}
}

static void test_getentropy_contract(void **unused)
{
	(void)unused;
	unsigned char buf[300];
	memset(buf, 0, sizeof(buf));
	assert_int_equal(getentropy(buf, 256), 0);
	errno = 0;
	assert_int_equal(getentropy(buf, 257), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(getentropy(NULL, 0), 0);
	errno = 0;
	assert_int_equal(getentropy(null_ptr, 16), -1);
	assert_int_equal(errno, EFAULT);
	/* the 256 bytes are not all zero (chance 2^-2048) */
	int nz = 0;
	for (int i = 0; i < 256; i++)
		nz |= buf[i];
	assert_true(nz);
}

static void test_getrandom_is_vgetrandom(void **unused)
{
	(void)unused;
	unsigned char b[64];
	assert_int_equal(getrandom(b, sizeof(b), 0), sizeof(b));
	errno = 0;
	assert_int_equal(getrandom(b, sizeof(b), GRND_RANDOM | GRND_INSECURE), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_arc4random_buf_fills(void **unused)
{
	(void)unused;
	enum { N = 1 << 20 };
	uint64_t *v = calloc(N / 8, 8);
	assert_non_null(v);
	arc4random_buf(v, N);
	assert_int_equal(repeats_u64(v, N / 8), 0); /* chance ~2^-47 */
	arc4random_buf(null_ptr, 0);
	free(v);
	uint32_t a = arc4random(), b = arc4random(), c = arc4random();
	assert_false(a == b && b == c); /* chance 2^-64 */
}

static void test_uniform_edges(void **unused)
{
	(void)unused;
	assert_int_equal(arc4random_uniform(0), 0);
	assert_int_equal(arc4random_uniform(1), 0);
	for (int i = 0; i < 100000; i++) {
		assert_true(arc4random_uniform(2) < 2);
		assert_true(arc4random_uniform(7) < 7);
		assert_true(arc4random_uniform(0xffffffffu) < 0xffffffffu);
	}
}

/* No modulo bias: with upper = 3 * 2^30, "r % upper" would give values
 * below 2^30 half the time instead of a third.  200,000 draws: the
 * fraction must be within 6 standard deviations (0.0063) of 1/3 (false
 * failure ~2e-9).  And a chi-square over 10 buckets for upper = 10. */
static void test_uniform_unbiased(void **unused)
{
	(void)unused;
	enum { N = 200000 };
	const uint32_t upper = 3u << 30;
	int low = 0;
	for (int i = 0; i < N; i++)
		low += arc4random_uniform(upper) < (1u << 30);
	double frac = (double)low / N, sd = __builtin_sqrt((1.0 / 3) * (2.0 / 3) / N);
	print_message("fraction below 2^30: %.4f (expected 0.3333)\n", frac);
	assert_true(frac > 1.0 / 3 - 6 * sd && frac < 1.0 / 3 + 6 * sd);

	long counts[10] = { 0 };
	for (int i = 0; i < N; i++)
		counts[arc4random_uniform(10)]++;
	double chi = 0, e = N / 10.0;
	for (int i = 0; i < 10; i++)
		chi += (counts[i] - e) * (counts[i] - e) / e;
	/* 9 degrees of freedom: P(chi2 > 45) ~ 1e-6 */
	print_message("chi-square over 10 buckets: %.2f\n", chi);
	assert_true(chi < 45);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_bind_to_library),
		cmocka_unit_test(test_getentropy_contract),
		cmocka_unit_test(test_getrandom_is_vgetrandom),
		cmocka_unit_test(test_arc4random_buf_fills),
		cmocka_unit_test(test_uniform_edges),
		cmocka_unit_test(test_uniform_unbiased),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
