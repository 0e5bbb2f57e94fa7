/* SPDX-License-Identifier: MIT */
/*
 * No ChaCha20 kernel leaves key-dependent bytes on the stack.
 *
 * Kernels short of registers spill round state, and ChaCha's rounds run
 * backwards as easily as forwards, so any full intermediate state left
 * below the caller's frame is as good as the key (arch/stack_wipe.c).
 * The check does not guess what a spill looks like: it runs a kernel twice
 * from the same stack depth, with the same output pointer, counter and
 * length but different keys, painting the stack below the same way before
 * each run, and snapshots the stack after each.  A byte that differs
 * between the two snapshots depends on the key.  Pass: none does.  Return
 * addresses, saved registers, pointers and counters are the same in both
 * runs and do not count.  A leak of even one 32-bit word shows unless the
 * two keys give the same word there by chance (2^-32 per word).
 *
 * A control that leaves a copy of its key 4 KiB down its frame must be
 * caught, which shows the snapshot covers the depth the kernels use.
 *
 * Standalone, so the cross-built NEON kernel runs it under qemu-user too.
 * Left out under valgrind and the sanitizers, which move or poison the
 * stack this reads.  Exit 0 pass, 1 fail.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chacha.h"
#include "chacha_clear.h"
#include "test_util.h"

#define NOINLINE __attribute__((noinline))
#define REGION (64 * 1024)

static uint8_t snap[2][REGION];
static uint32_t keys[2][8];
/* The kernel always reads its key from here, so the pointer it is given
 * (and the registers and stack slots that hold it) are the same in both
 * runs. */
static uint32_t key_in_use[8];

static NOINLINE void paint(void)
{
	unsigned char area[REGION];
	unsigned char *p = area;

	LAUNDER(p);
	memset(p, 0xa5, REGION);
	LAUNDER(p);
}

static NOINLINE void snapshot(uint8_t *dst)
{
	unsigned char area[REGION];
	unsigned char *p = area;

	LAUNDER(p);
	memcpy(dst, p, REGION);
}

/* The control: a function that keeps a key copy at the bottom of a 4 KiB
 * frame and does not wipe it. */
static NOINLINE void leaky(uint8_t *out, const uint32_t key[8], uint64_t counter,
                           size_t nblocks)
{
	uint32_t frame[1024];
	uint32_t *p = frame;

	LAUNDER(p);
	memset(p, 0, sizeof(frame));
	memcpy(p, key, 32);
	LAUNDER(p);
	(void)out, (void)counter, (void)nblocks;
}

static NOINLINE void run(chacha_blocks_fn *fn, uint8_t *out, const uint32_t key[8],
                         uint64_t counter, size_t nblocks)
{
	fn(out, key, counter, nblocks);
}

/* One run from a fixed depth: paint, run, snapshot into scratch. */
static uint8_t scratch[REGION];
static volatile sig_atomic_t signal_after_run;

static NOINLINE void run_once(chacha_blocks_fn *fn, uint8_t *out, uint64_t counter,
                              size_t nblocks)
{
	paint();
	run(fn, out, key_in_use, counter, nblocks);
	/* A signal here makes the kernel write every register, vector ones
	 * included, into a frame on this stack, and leave it there. */
	if (signal_after_run)
		raise(SIGUSR1);
	snapshot(scratch);
}

/* Which of the two runs this is.  Volatile, so it is read from memory where
 * it is used and never held in a register the kernel might save: the two
 * runs must go through the same call sites with the same register
 * contents, the key's consequences aside. */
static volatile int pass;

/* Copying the key in leaves parts of it in the copier's scratch registers,
 * which are the test's doing, not the kernel's: clear them before the run. */
static NOINLINE void load_key(void)
{
	memcpy(key_in_use, keys[pass], sizeof(key_in_use));
	CHACHA_CLEAR_REGISTERS();
}

/* How far below its usual depth a run starts (a multiple of 16).  Kernels
 * that realign their frames to 64 bytes lay them out differently for each
 * start modulo 64; stack randomisation picks one per process, so the test
 * tries all four instead of leaving it to chance (a gap missed by the
 * zeroing showed in one process in four before this). */
static volatile size_t stack_shift;

static NOINLINE void shifted_run_once(chacha_blocks_fn *fn, uint8_t *out,
                                      uint64_t counter, size_t nblocks)
{
	unsigned char *pad = __builtin_alloca(stack_shift + 16);

	LAUNDER(pad);
	pad[0] = 0;
	run_once(fn, out, counter, nblocks);
	LAUNDER(pad);
}

/* Key-dependent bytes left by fn for this request, at the current shift. */
static NOINLINE size_t differing_bytes(chacha_blocks_fn *fn, uint8_t *out,
                                       uint64_t counter, size_t nblocks)
{
	for (pass = 0; pass < 2; pass++) {
		load_key();
		shifted_run_once(fn, out, counter, nblocks);
		memcpy(snap[pass], scratch, REGION);
	}

	size_t n = 0;
	for (size_t i = 0; i < REGION; i++)
		n += snap[0][i] != snap[1][i];
	return n;
}

/* Where the last differing_bytes() found them: byte ranges counted down
 * from the top of the snapshot (the caller's frame), for the report. */
static void print_ranges(void)
{
	int shown = 0, in = 0;
	size_t start = 0;

	fprintf(stderr, "  bytes below the caller:");
	for (size_t i = 0; i <= REGION && shown < 8; i++) {
		int d = i < REGION && snap[0][i] != snap[1][i];
		if (d && !in)
			start = i;
		if (!d && in) {
			fprintf(stderr, " %zu-%zu", REGION - i + 1, REGION - start);
			shown++;
		}
		in = d;
	}
	fputc('\n', stderr);
}

int main(void)
{
	static const size_t lengths[] = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16,
	                                  17, 20, 24, 31, 32, 33, 40, 47 };
	static const uint64_t counters[] = { 0, 0xfffffffdu };
	const struct chacha_impl *ks[16];
	size_t nk = chacha_impl_list(ks, 16);
	uint64_t seed = 0x5eed5eed;
	uint8_t *out = malloc(64 * 64);
	int failures = 0;

	if (!out)
		return 1;
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < 8; i++)
			keys[r][i] = (uint32_t)splitmix64(&seed);

	size_t control = differing_bytes(leaky, out, 0, 1);
	if (control < 16) {
		fprintf(stderr, "FAIL: the control's key copy was not seen (%zu bytes differ); "
		                "the snapshot does not cover the stack the kernels use\n",
		        control);
		return 1;
	}
	printf("control: %zu key-dependent bytes found, as it should\n", control);
	fflush(stdout);

	signal(SIGUSR1, ignore_signal);
	for (int sig = 0; sig < 2; sig++) {
		signal_after_run = sig;
		for (size_t k = 0; k < nk; k++) {
			size_t worst = 0, worst_len = 0;
			int worst_shown = 0;
			for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++)
				for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
					size_t n = 0;
					for (stack_shift = 0; stack_shift < 64 && !n; stack_shift += 16) {
						n = differing_bytes(ks[k]->blocks, out, counters[c],
						                    lengths[l]);
						/* A leak is deterministic; an interrupt or a context
						 * switch between the run and the snapshot is not (it
						 * was seen to change one byte of a signal frame's
						 * register area once in ~20 runs).  Count only what
						 * every one of three repeats finds. */
						for (int again = 0; n && again < 2; again++) {
							size_t m = differing_bytes(ks[k]->blocks, out,
							                           counters[c],
							                           lengths[l]);
							if (m < n)
								n = m;
						}
					}
					if (n > worst) {
						worst = n;
						worst_len = lengths[l];
					}
					if (n && !worst_shown) {
						fprintf(stderr, "%s, %zu blocks from counter %#llx:\n",
						        ks[k]->name, lengths[l],
						        (unsigned long long)counters[c]);
						print_ranges();
						worst_shown = 1;
					}
				}
			const char *when = sig ? " (registers, through a signal frame)" : "";
			if (worst) {
				fprintf(stderr, "FAIL %s: %zu key-dependent bytes left on the stack%s "
				                "(%zu blocks)\n", ks[k]->name, worst, when, worst_len);
				failures++;
			} else {
				printf("ok %s: nothing key-dependent left on the stack%s\n",
				       ks[k]->name, when);
			}
			fflush(stdout);
		}
	}
	free(out);
	return failures ? 1 : 0;
}
