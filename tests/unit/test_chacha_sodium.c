/* SPDX-License-Identifier: MIT */
/*
 * Every ChaCha20 kernel this CPU can run against libsodium's
 * crypto_stream_chacha20 (the DJB layout, 64-bit counter), used here as an
 * independent oracle only: random keys, every length 0-1100, start counters
 * around 2^32 and 2^64, unaligned output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "chacha.h"

static void kernel_matches_sodium(const struct chacha_impl *k)
{
	static const uint64_t counters[] = {
		0, 7, 0xfffffff0ull, 0xffffffffull, 0x100000000ull,
		0xfffffffffffffff0ull, 0xffffffffffffffffull,
	};
	static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	static unsigned char zeros[1100], want[1100], got[1100 + 16];
	unsigned char keybytes[32];
	uint32_t key[8];

	for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]) + 3; c++) {
		uint64_t ctr = c < sizeof(counters) / sizeof(counters[0])
		                       ? counters[c] : ((uint64_t)randombytes_random() << 32 | randombytes_random());
		randombytes_buf(keybytes, sizeof(keybytes));
		for (int i = 0; i < 8; i++)
			key[i] = (uint32_t)keybytes[4 * i] | (uint32_t)keybytes[4 * i + 1] << 8 |
			         (uint32_t)keybytes[4 * i + 2] << 16 | (uint32_t)keybytes[4 * i + 3] << 24;
		crypto_stream_chacha20_xor_ic(want, zeros, sizeof(want), nonce, ctr, keybytes);
		for (size_t len = 0; len <= sizeof(want); len++) {
			size_t off = len % 16;
			chacha_stream(k, got + off, len, key, ctr);
			if (memcmp(got + off, want, len) != 0) {
				print_error("%s differs from libsodium: len %zu counter %#llx\n",
				            k->name, len, (unsigned long long)ctr);
				fail();
			}
		}
	}
}

static void test_every_kernel(void **unused)
{
	(void)unused;
	const struct chacha_impl *list[16];
	size_t n = chacha_impl_list(list, 16);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		print_message("%s\n", list[i]->name);
		kernel_matches_sodium(list[i]);
	}
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
