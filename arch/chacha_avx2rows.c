/* SPDX-License-Identifier: MIT */
/*
 * x86-64 AVX2: 1 to 4 blocks in "row" layout, one block per 128-bit lane
 * (row 0 = constants, 1-2 = key, 3 = counter and nonce), two blocks to a
 * set of four ymm registers and up to two sets side by side.
 *
 * Not a kernel of its own in the dispatcher: the small tail of the AVX2
 * kernel, and so the whole of a 64-256 byte hybrid request.  The vertical
 * 8-block group costs the same ~1300 vector instructions however few of
 * its blocks are wanted; in rows, two blocks take a quarter of the instructions plus six lane
 * shuffles per double round, and the depth of the dependency chains, not
 * the instruction count, sets the time.  A second set of rows runs in the
 * shadow of the first's latency.
 */
#include "chacha.h"
#include "chacha_clear.h"

#include <immintrin.h>
#include <string.h>

#define ROT16_MASK _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, \
                                    2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)
#define ROT8_MASK _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, \
                                   3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14)
#define ROTL_SHIFT(x, n) _mm256_or_si256(_mm256_slli_epi32(x, n), _mm256_srli_epi32(x, 32 - (n)))

/* One step of the quarter round on two sets of rows (s = 0, 1). */
#define STEP2(a0, b0, d0, a1, b1, d1, ROT)                                   \
	do {                                                                 \
		a0 = _mm256_add_epi32(a0, b0); a1 = _mm256_add_epi32(a1, b1); \
		d0 = _mm256_xor_si256(d0, a0); d1 = _mm256_xor_si256(d1, a1); \
		d0 = ROT(d0); d1 = ROT(d1);                                  \
	} while (0)
#define STEP1(a, b, d, ROT)                                                  \
	do {                                                                 \
		a = _mm256_add_epi32(a, b);                                  \
		d = _mm256_xor_si256(d, a);                                  \
		d = ROT(d);                                                  \
	} while (0)
#define ROT16(x) _mm256_shuffle_epi8(x, ROT16_MASK)
#define ROT12(x) ROTL_SHIFT(x, 12)
#define ROT8(x) _mm256_shuffle_epi8(x, ROT8_MASK)
#define ROT7(x) ROTL_SHIFT(x, 7)
#define QR1(a, b, c, d)                                                      \
	do {                                                                 \
		STEP1(a, b, d, ROT16);                                       \
		STEP1(c, d, b, ROT12);                                       \
		STEP1(a, b, d, ROT8);                                        \
		STEP1(c, d, b, ROT7);                                        \
	} while (0)
#define QR2(a0, b0, c0, d0, a1, b1, c1, d1)                                  \
	do {                                                                 \
		STEP2(a0, b0, d0, a1, b1, d1, ROT16);                        \
		STEP2(c0, d0, b0, c1, d1, b1, ROT12);                        \
		STEP2(a0, b0, d0, a1, b1, d1, ROT8);                         \
		STEP2(c0, d0, b0, c1, d1, b1, ROT7);                         \
	} while (0)

/* Word rotations within each 128-bit lane: b, c, d by 1, 2, 3 words turn
 * the diagonals into columns, and back. */
#define ROTW(x, imm) _mm256_shuffle_epi32(x, imm)
#define DIAG(b, c, d) (b = ROTW(b, 0x39), c = ROTW(c, 0x4e), d = ROTW(d, 0x93))
#define UNDIAG(b, c, d) (b = ROTW(b, 0x93), c = ROTW(c, 0x4e), d = ROTW(d, 0x39))

/* Row 3 for blocks counter (low lane) and counter + 1 (high lane). */
static inline __attribute__((always_inline)) __m256i rows_counter(uint64_t counter)
{
	return _mm256_setr_epi64x((long long)counter, 0, (long long)(counter + 1), 0);
}

static inline __attribute__((always_inline)) __m256i rows_key(const uint32_t *key)
{
	return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)key));
}

/* Add the input back and store n (1 or 2) blocks of one set. */
static inline __attribute__((always_inline)) void
rows_store(uint8_t *out, size_t n, __m256i a, __m256i b, __m256i c, __m256i d,
           __m256i sigma, const uint32_t *key, __m256i ctr)
{
	a = _mm256_add_epi32(a, sigma);
	b = _mm256_add_epi32(b, rows_key(key));
	c = _mm256_add_epi32(c, rows_key(key + 4));
	d = _mm256_add_epi32(d, ctr);
	_mm256_storeu_si256((__m256i *)(void *)out, _mm256_permute2x128_si256(a, b, 0x20));
	_mm256_storeu_si256((__m256i *)(void *)(out + 32), _mm256_permute2x128_si256(c, d, 0x20));
	if (n > 1) {
		_mm256_storeu_si256((__m256i *)(void *)(out + 64), _mm256_permute2x128_si256(a, b, 0x31));
		_mm256_storeu_si256((__m256i *)(void *)(out + 96), _mm256_permute2x128_si256(c, d, 0x31));
	}
}

/* Up to four blocks per pass: two sets of rows side by side for three or
 * four, one set for one or two.  (The second set is nearly free while
 * the first waits on latency, but not quite: one or two blocks are faster
 * with one set; bench-chacha's small sizes show it.) */
static __attribute__((noinline)) uintptr_t
rows_body(uint8_t *out, const uint32_t key[8], uint64_t counter, size_t nblocks)
{
	const __m256i sigma = _mm256_broadcastsi128_si256(
		_mm_setr_epi32(CHACHA_SIGMA_WORDS));

	while (nblocks) {
		size_t n = nblocks < 4 ? nblocks : 4;
		const __m256i ctr0 = rows_counter(counter);
		__m256i a0 = sigma, b0 = rows_key(key), c0 = rows_key(key + 4), d0 = ctr0;

		if (n <= 2) {
			for (int r = 0; r < 10; r++) {
				QR1(a0, b0, c0, d0);
				DIAG(b0, c0, d0);
				QR1(a0, b0, c0, d0);
				UNDIAG(b0, c0, d0);
			}
			/* Read the key again rather than keep its rows
			 * across the rounds, where a register allocator
			 * short of room would spill them (the empty asm
			 * claims to change the pointer). */
			__asm__("" : "+r"(key));
			rows_store(out, n, a0, b0, c0, d0, sigma, key, ctr0);
		} else {
			const __m256i ctr1 = rows_counter(counter + 2);
			__m256i a1 = sigma, b1 = b0, c1 = c0, d1 = ctr1;

			for (int r = 0; r < 10; r++) {
				QR2(a0, b0, c0, d0, a1, b1, c1, d1);
				DIAG(b0, c0, d0);
				DIAG(b1, c1, d1);
				QR2(a0, b0, c0, d0, a1, b1, c1, d1);
				UNDIAG(b0, c0, d0);
				UNDIAG(b1, c1, d1);
			}
			__asm__("" : "+r"(key)); /* as above */
			rows_store(out, 2, a0, b0, c0, d0, sigma, key, ctr0);
			rows_store(out + 128, n - 2, a1, b1, c1, d1, sigma, key, ctr1);
		}
		out += 64 * n;
		counter += n;
		nblocks -= n;
	}
	CHACHA_BODY_RETURN();
}

CHACHA_DEFINE_ENTRY(chacha_blocks_avx2rows, rows_body)
