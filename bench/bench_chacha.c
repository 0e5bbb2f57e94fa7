/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20 keystream throughput of every kernel this CPU can run, side by
 * side with OpenSSL's EVP ChaCha20 (libcrypto, in-process) and libsodium's
 * crypto_stream_chacha20, where the build found them.  Sizes 64 B, 1 KiB,
 * 16 KiB, 1 MiB into a pre-faulted buffer; REPEATS interleaved rounds;
 * median GB/s with min-max, ns per 64-byte block, and the ratio to OpenSSL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "chacha.h"

#ifdef HAVE_LIBCRYPTO
#include <openssl/evp.h>
#endif
#ifdef HAVE_SODIUM
#include <sodium.h>
#endif

enum { REPEATS = 11, MAXSRC = 16, NSIZES = 4 };
static const size_t sizes[NSIZES] = { 64, 1024, 16384, 1 << 20 };

static uint8_t *buf;
static uint32_t key[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint64_t counter;
static const struct chacha_impl *cur_kernel;

static void run_kernel(size_t len)
{
	chacha_stream(cur_kernel, buf, len, key, counter);
	counter += (len + 63) / 64;
}

#ifdef HAVE_LIBCRYPTO
static EVP_CIPHER_CTX *evp;
static void run_openssl(size_t len)
{
	int outl;
	/* Encrypting the buffer in place: the cost is the keystream plus one
	 * xor, which is what "openssl speed -evp chacha20" measures too. */
	EVP_EncryptUpdate(evp, buf, &outl, buf, (int)len);
}
#endif

#ifdef HAVE_SODIUM
static void run_sodium(size_t len)
{
	static const unsigned char nonce[8];
	crypto_stream_chacha20(buf, len, nonce, (const unsigned char *)key);
}
#endif

struct source {
	char name[32];
	void (*run)(size_t);
	const struct chacha_impl *kernel;
};

int main(void)
{
	static struct source src[MAXSRC];
	static double gbs[MAXSRC][NSIZES][REPEATS];
	const struct chacha_impl *list[MAXSRC];
	size_t nk = chacha_impl_list(list, MAXSRC - 2), ns = 0;
	int openssl_idx = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	buf = malloc(sizes[NSIZES - 1]);
	memset(buf, 0, sizes[NSIZES - 1]); /* pre-fault */
	for (size_t i = 0; i < nk; i++) {
		snprintf(src[ns].name, sizeof(src[ns].name), "chacha-%s", list[i]->name);
		src[ns].run = run_kernel;
		src[ns++].kernel = list[i];
	}
#ifdef HAVE_LIBCRYPTO
	{
		static const unsigned char iv[16];
		evp = EVP_CIPHER_CTX_new();
		EVP_EncryptInit_ex(evp, EVP_chacha20(), NULL, (const unsigned char *)key, iv);
		openssl_idx = (int)ns;
		snprintf(src[ns].name, sizeof(src[ns].name), "openssl-evp");
		src[ns++].run = run_openssl;
	}
#else
	printf("openssl-evp: skipped (libcrypto not found at build time)\n");
#endif
#ifdef HAVE_SODIUM
	if (sodium_init() >= 0) {
		snprintf(src[ns].name, sizeof(src[ns].name), "libsodium");
		src[ns++].run = run_sodium;
	}
#else
	printf("libsodium: skipped (not found at build time)\n");
#endif

	printf("ChaCha20 keystream, %d interleaved repeats; selected kernel: %s\n",
	       REPEATS, chacha_impl()->name);
	/* Progress only on a terminal: a log gets no carriage returns. */
	int tty = isatty(STDERR_FILENO);
	for (int r = 0; r < REPEATS; r++) {
		if (tty)
			fprintf(stderr, "\rrepeat %d/%d", r + 1, REPEATS);
		for (size_t s = 0; s < NSIZES; s++)
			for (size_t k = 0; k < ns; k++) {
				cur_kernel = src[k].kernel;
				/* About 32 MiB per measurement, at least 16 calls. */
				long iters = (long)((32u << 20) / sizes[s]);
				if (iters < 16)
					iters = 16;
				src[k].run(sizes[s]);
				double t0 = now_ns();
				for (long i = 0; i < iters; i++)
					src[k].run(sizes[s]);
				double dt = now_ns() - t0;
				gbs[k][s][r] = (double)sizes[s] * (double)iters / dt;
			}
	}
	if (tty)
		fprintf(stderr, "\n");

	printf("%-18s", "source");
	for (size_t s = 0; s < NSIZES; s++) {
		char h[48];
		snprintf(h, sizeof(h), "%zu B GB/s (min-max) ns/blk", sizes[s]);
		printf(" %-32s", h);
	}
	printf("\n");
	double med[MAXSRC][NSIZES];
	for (size_t k = 0; k < ns; k++) {
		printf("%-18s", src[k].name);
		for (size_t s = 0; s < NSIZES; s++) {
			char cell[64];
			qsort(gbs[k][s], REPEATS, sizeof(double), cmp_double);
			med[k][s] = gbs[k][s][REPEATS / 2];
			snprintf(cell, sizeof(cell), "%.2f (%.2f-%.2f) %.1f", med[k][s],
			         gbs[k][s][0], gbs[k][s][REPEATS - 1], 64.0 / med[k][s]);
			printf(" %-32s", cell);
		}
		printf("\n");
	}
	if (openssl_idx >= 0) {
		printf("\nratio to openssl-evp (median GB/s):\n");
		for (size_t k = 0; k < ns; k++) {
			if ((int)k == openssl_idx)
				continue;
			printf("%-18s", src[k].name);
			for (size_t s = 0; s < NSIZES; s++)
				printf(" %8.2fx", med[k][s] / med[openssl_idx][s]);
			printf("\n");
		}
	}
	return 0;
}
