/* SPDX-License-Identifier: MIT */
/*
 * Dropped state pages never show in the output.
 *
 * MAP_DROPPABLE pages (the vDSO's states) may be zeroed by the kernel at
 * any instruction.  A second thread here drops every droppable mapping of
 * the process over and over (madvise MADV_PAGEOUT, or MADV_DONTNEED,
 * argv[1]); with MADV_PAGEOUT it also pushes the generator's state pages
 * (wiped on fork and kept out of dumps: VmFlags "wf" and "dd") through
 * reclaim.  Meanwhile the main thread draws through the public API, with
 * sizes that reach every path
 * (the buffered fast path, refills, the bulk path, the generator's direct
 * expansion) and regular vgetrandom_reseed() calls so that seeding itself
 * is hit too.  Every output is checked for:
 *   - an all-zero 8-byte word (a zeroed buffer handed out): for random
 *     output the chance of any in the whole run is about 2^-43;
 *   - an 8-byte word of the ChaCha20 stream of the all-zero key, at any
 *     byte offset in its first 4 KiB (a key wiped under the generator, or
 *     the vDSO's state read back as zeros): about 2^-29 for the run;
 *   - a repeated first 8 bytes across all outputs: n^2 / 2^65, about 3e-8
 *     for 10^6 outputs.
 * So one bad output is a failure; the false-failure rate is below 1e-7.
 *
 * Public API only.  Exit 0 pass, 1 fail, 77 skip (no droppable mapping on
 * this kernel or backend).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "test_util.h"
#include "vgetrandom.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define ZERO_STREAM_BYTES 4096u

/* ---- ChaCha20 of the zero key, computed here independently ---- */

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                                                 \
	do {                                                           \
		a += b; d ^= a; d = ROTL(d, 16);                       \
		c += d; b ^= c; b = ROTL(b, 12);                       \
		a += b; d ^= a; d = ROTL(d, 8);                        \
		c += d; b ^= c; b = ROTL(b, 7);                        \
	} while (0)

static void zero_key_block(uint64_t counter, uint8_t out[64])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t x[16];

	in[12] = (uint32_t)counter;
	in[13] = (uint32_t)(counter >> 32);
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];
		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

/* Every 8-byte window of the zero-key stream, sorted. */
static uint64_t zero_windows[ZERO_STREAM_BYTES - 7];
static const size_t nwindows = ZERO_STREAM_BYTES - 7;

static void build_zero_windows(void)
{
	static uint8_t stream[ZERO_STREAM_BYTES];

	for (unsigned b = 0; b < ZERO_STREAM_BYTES / 64; b++)
		zero_key_block(b, stream + 64 * b);
	/* Self-check against the published first bytes (RFC 7539 A.1 #1 is
	 * the same stream in the IETF layout with nonce 0). */
	static const uint8_t head[8] = { 0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90 };
	if (memcmp(stream, head, 8) != 0) {
		fprintf(stderr, "zero-key ChaCha20 reference is wrong\n");
		exit(1);
	}
	for (size_t i = 0; i < nwindows; i++)
		memcpy(&zero_windows[i], stream + i, 8);
	qsort(zero_windows, nwindows, sizeof(uint64_t), cmp_u64);
}

static bool in_zero_stream(uint64_t w)
{
	return bsearch(&w, zero_windows, nwindows, sizeof(uint64_t), cmp_u64) != NULL;
}

/* ---- the dropper ---- */

struct range { uintptr_t lo, hi; };
static struct range ranges[64];
static size_t nranges;
static int advice;
static volatile bool stop;
static unsigned long drops, rounds;

/* Every mapping the kernel may drop (VmFlags "dp"); with MADV_PAGEOUT also
 * the generator's state pages ("wf" and "dd"), which must survive reclaim
 * intact. */
static bool state_mapping(const char *vmflags)
{
	if (strstr(vmflags, " dp"))
		return true;
	return advice == MADV_PAGEOUT && strstr(vmflags, " wf") && strstr(vmflags, " dd");
}

static size_t scan_droppable(struct range *out, size_t max)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	uintptr_t lo = 0, hi = 0;
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			lo = a;
			hi = b;
		} else if (strncmp(line, "VmFlags:", 8) == 0 && state_mapping(line) && n < max) {
			out[n++] = (struct range){ lo, hi };
		}
	}
	fclose(f);
	return n;
}

static void *dropper(void *arg)
{
	(void)arg;
	struct range local[64];
	size_t n = nranges;

	memcpy(local, ranges, sizeof(local));
	for (unsigned long round = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); round++) {
		__atomic_store_n(&rounds, round, __ATOMIC_RELAXED);
		if (round % 4096 == 4095)
			n = scan_droppable(local, 64); /* new arena groups */
		for (size_t i = 0; i < n; i++)
			if (madvise((void *)local[i].lo, local[i].hi - local[i].lo, advice) == 0)
				__atomic_add_fetch(&drops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* ---- the checks ---- */

static unsigned long bad_zero, bad_stream;

static void check_output(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w == 0)
			bad_zero++;
		else if (in_zero_stream(w))
			bad_stream++;
	}
}

/* Draw sizes cycle so every path is reached: 16 B (fast path), 200 B
 * (bulk path on the hybrid backend; buffered on the generator) and 700 B
 * (the generator's direct expansion). */
static size_t size_for(unsigned long i)
{
	if (i % 97 == 0)
		return 700;
	if (i % 31 == 0)
		return 200;
	return 16;
}

int main(int argc, char **argv)
{
	const char *adv = argc > 1 ? argv[1] : "pageout";
	unsigned long calls = 1000000;
	const char *scale = getenv("VGR_DROP_CALLS");
	uint8_t buf[700];
	pthread_t t;

	if (scale)
		calls = strtoul(scale, NULL, 10);
	if (strcmp(adv, "pageout") == 0) {
		advice = MADV_PAGEOUT;
	} else if (strcmp(adv, "dontneed") == 0) {
		advice = MADV_DONTNEED;
	} else {
		fprintf(stderr, "usage: %s pageout|dontneed\n", argv[0]);
		return 1;
	}
	build_zero_windows();

	/* The first call is served before any setup; the second maps the
	 * arena (and, on the generator, seeds). */
	if (vgetrandom(buf, 16, 0) != 16 || vgetrandom(buf, 16, 0) != 16) {
		perror("vgetrandom");
		return 1;
	}
	nranges = scan_droppable(ranges, 64);
	if (nranges == 0) {
		/* The generator keeps its states off droppable memory (so
		 * the kernel never zeroes them), and the syscall has none:
		 * nothing can be dropped.  A vDSO backend must have some. */
		if (vgetrandom_provider() == VGETRANDOM_PROVIDER_VDSO) {
			printf("FAIL: backend %s but no droppable mapping\n", vgetrandom_backend());
			return 1;
		}
		printf("backend %s, advice %s: no state mapping the kernel may drop\n",
		       vgetrandom_backend(), adv);
		return 0;
	}

	uint64_t *firsts = malloc(calls * sizeof(uint64_t));
	if (!firsts)
		return 1;
	if (pthread_create(&t, NULL, dropper, NULL) != 0)
		return 1;
	for (unsigned long i = 0; i < calls; i++) {
		size_t len = size_for(i);
		if (i % 64 == 0)
			vgetrandom_reseed();
		if (vgetrandom(buf, len, 0) != (ssize_t)len) {
			perror("vgetrandom");
			return 1;
		}
		check_output(buf, len);
		memcpy(&firsts[i], buf, 8);
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);

	size_t rep = repeats_u64(firsts, calls);
	free(firsts);
	printf("backend %s, advice %s: %lu calls, %lu madvise rounds over %zu "
	       "mappings, %lu accepted; zero words %lu, zero-key stream words %lu, "
	       "repeated outputs %zu\n", vgetrandom_backend(), adv, calls, rounds,
	       nranges, drops, bad_zero, bad_stream, rep);
	if (rounds < 1000) {
		printf("FAIL: the dropper ran too little to prove anything\n");
		return 1;
	}
	return bad_zero || bad_stream || rep ? 1 : 0;
}
