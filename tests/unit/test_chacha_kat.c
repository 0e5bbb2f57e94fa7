/* SPDX-License-Identifier: MIT */
/*
 * Every ChaCha20 kernel this CPU can run (the tail-only row kernels too),
 * against the RFC 8439 appendix A.1
 * block vectors (those with a zero nonce, which are exactly the DJB layout
 * with a small counter) and against the portable kernel: random keys,
 * every length 0-1100 and more up to 81 blocks, counters across 2^32 and
 * 2^64, unaligned output, guard bytes, chunked generation equal to
 * one-shot.
 *
 * Standalone (no cmocka, no libsodium) so it also runs under qemu-user for
 * the cross-compiled NEON kernel.  Exit 0 pass, 1 fail.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chacha.h"
#include "test_util.h"

static int failures;
#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			if (++failures > 20)                                 \
				exit(1);                                     \
		}                                                            \
	} while (0)

/* RFC 8439, A.1, test vectors #1-#4: key, block counter, keystream. */
struct kat {
	uint8_t key[32];
	uint64_t counter;
	const char *hex;
};
static const struct kat kats[] = {
	{ { 0 }, 0,
	  "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
	  "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586" },
	{ { 0 }, 1,
	  "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
	  "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f" },
	{ { [31] = 1 }, 1,
	  "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
	  "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0" },
	{ { [1] = 0xff }, 2,
	  "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
	  "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096" },
};

static void key_words(const uint8_t bytes[32], uint32_t key[8])
{
	for (int i = 0; i < 8; i++)
		key[i] = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
		         (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
}

static void unhex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t next_rand(void)
{
	return splitmix64(&rng); /* a fixed seed makes any failure reproducible */
}

/* Each vector's block at every lane position of a group: start the run o
 * blocks earlier (wrapping below zero, which also crosses 2^64). */
static void test_rfc_vectors(const struct chacha_impl *k)
{
	uint8_t want[64], got[64 * 40];
	uint32_t key[8];

	for (size_t v = 0; v < sizeof(kats) / sizeof(kats[0]); v++) {
		unhex(kats[v].hex, want, 64);
		key_words(kats[v].key, key);
		for (unsigned o = 0; o < 2 * k->width + 1 && o < 40; o++) {
			k->blocks(got, key, kats[v].counter - o, o + 1);
			CHECK(memcmp(got + 64 * o, want, 64) == 0,
			      "%s: RFC vector %zu at lane offset %u", k->name, v + 1, o);
		}
	}
}

static const uint64_t counters[] = {
	0, 1, 0xfffffffbull, 0xffffffffull, 0x100000000ull, 0x1fffffff9ull,
	0xfffffffffffffff9ull, 0xffffffffffffffffull, 0x7ffffffffffffffdull,
};

/* Every length up to 1100 bytes; beyond, every 61st up to 5200 (81
 * blocks), so the widest paths (the AVX-512 kernel's 32-block steps) meet
 * the counters too. */
enum { DENSE = 1100, MAXLEN = 5200, SPARSE_STEP = 61, GUARD = 64, PAD = 16 };

/* Same bytes as the portable kernel for every length (see above), offset and counter;
 * nothing written past the end. */
static void test_against_portable(const struct chacha_impl *k,
                                  const struct chacha_impl *ref)
{
	static uint8_t want[MAXLEN], buf[PAD + MAXLEN + GUARD];
	uint32_t key[8];

	for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]) + 4; c++) {
		uint64_t ctr = c < sizeof(counters) / sizeof(counters[0])
		                       ? counters[c] : next_rand();
		for (int i = 0; i < 8; i++)
			key[i] = (uint32_t)next_rand();
		chacha_stream(ref, want, MAXLEN, key, ctr);
		for (size_t len = 0; len <= MAXLEN; len += len < DENSE ? 1 : SPARSE_STEP) {
			size_t off = len % PAD;
			memset(buf, 0xa5, sizeof(buf));
			chacha_stream(k, buf + off, len, key, ctr);
			CHECK(memcmp(buf + off, want, len) == 0,
			      "%s: len %zu counter %#llx offset %zu", k->name, len,
			      (unsigned long long)ctr, off);
			for (size_t g = 0; g < off; g++)
				CHECK(buf[g] == 0xa5, "%s: wrote before the start", k->name);
			for (size_t g = off + len; g < sizeof(buf); g++)
				CHECK(buf[g] == 0xa5, "%s: len %zu wrote past the end", k->name, len);
		}
	}
}

/* Block-granular chunks of random sizes give the one-shot stream, through
 * the kernel alone (its own remainder group) and through chacha_blocks()
 * (small remainders to the tail kernel of the dispatch table). */
static void test_chunked(const struct chacha_impl *k)
{
	static uint8_t once[64 * 300], pieces[64 * 300];
	uint32_t key[8];

	for (int round = 0; round < 50; round++) {
		uint64_t ctr = round % 2 ? 0xffffffffull - (next_rand() % 100)
		                         : 0xffffffffffffffffull - (next_rand() % 200);
		for (int i = 0; i < 8; i++)
			key[i] = (uint32_t)next_rand();
		k->blocks(once, key, ctr, 300);
		size_t done = 0;
		while (done < 300) {
			size_t n = 1 + next_rand() % 40;
			if (n > 300 - done)
				n = 300 - done;
			if (round % 2)
				k->blocks(pieces + 64 * done, key, ctr + done, n);
			else
				chacha_blocks(k, pieces + 64 * done, key, ctr + done, n);
			done += n;
		}
		CHECK(memcmp(once, pieces, sizeof(once)) == 0, "%s: chunked (%s) != one-shot",
		      k->name, round % 2 ? "kernel" : "chacha_blocks");
	}
	/* nblocks == 0 writes nothing. */
	memset(pieces, 0x5a, 64);
	k->blocks(pieces, key, 0, 0);
	for (int i = 0; i < 64; i++)
		CHECK(pieces[i] == 0x5a, "%s: wrote with nblocks 0", k->name);
}

int main(void)
{
	const struct chacha_impl *list[16];
	size_t n = chacha_impl_list(list, 8), tails;
	/* The tail-only kernels too, on every length: lengths no main kernel
	 * hands them still run their multi-pass loop. */
	n = n < 8 ? n : 8;
	tails = vgr_test_chacha_tail_kernels(list + n, 8);
	n += tails < 8 ? tails : 8;
	const struct chacha_impl *ref = chacha_impl_named("portable");

	if (!ref) {
		fprintf(stderr, "no portable kernel\n");
		return 1;
	}
	test_rfc_vectors(ref);
	for (size_t i = 0; i < n && i < 16; i++) {
		printf("kernel %-10s (%2u blocks wide): ", list[i]->name, list[i]->width);
		fflush(stdout);
		int before = failures;
		test_rfc_vectors(list[i]);
		test_against_portable(list[i], ref);
		test_chunked(list[i]);
		printf("%s\n", failures == before ? "ok" : "FAILED");
	}
	printf("selected: %s\n", chacha_impl()->name);
	return failures ? 1 : 0;
}
