/* SPDX-License-Identifier: MIT */
/*
 * x86-64 AVX-512F: up to 4 blocks in "row" layout, one block per 128-bit
 * lane of four zmm registers (row 0 = constants, 1-2 = key, 3 = counter
 * and nonce), as in the textbook single-block SIMD ChaCha.
 *
 * Not a kernel of its own in the dispatcher: the small tail of the AVX-512
 * kernels, and the whole of a 128-256 byte hybrid request.  There the
 * vertical layout the other kernels use is bound by latency, not by
 * throughput: each half round is four independent chains of twelve
 * dependent instructions, so 20 half rounds cost the same however few
 * blocks are wanted.  In rows, a half round is one chain
 * of the same depth plus a lane shuffle, with a quarter of the
 * instructions, so the core has room to run it at that depth.
 */
#include "chacha.h"
#include "chacha_clear.h"

#include <immintrin.h>
#include <string.h>

#define ROW_STEP(a, b, d, n)                                                 \
	do {                                                                 \
		a = _mm512_add_epi32(a, b);                                  \
		d = _mm512_xor_si512(d, a);                                  \
		d = _mm512_rol_epi32(d, n);                                  \
	} while (0)

#define ROW_QR(a, b, c, d)                                                   \
	do {                                                                 \
		ROW_STEP(a, b, d, 16);                                       \
		ROW_STEP(c, d, b, 12);                                       \
		ROW_STEP(a, b, d, 8);                                        \
		ROW_STEP(c, d, b, 7);                                        \
	} while (0)

/* Word rotations within each 128-bit lane: b, c, d by 1, 2, 3 words turn
 * the diagonals into columns, and back. */
#define ROT1 ((_MM_PERM_ENUM)0x39)
#define ROT2 ((_MM_PERM_ENUM)0x4e)
#define ROT3 ((_MM_PERM_ENUM)0x93)

/* Row 3 of lane i: the 64-bit counter + i, then the zero nonce. */
static inline __attribute__((always_inline)) __m512i rows_counter(uint64_t counter)
{
	return _mm512_setr_epi64((long long)counter, 0, (long long)(counter + 1), 0,
	                         (long long)(counter + 2), 0, (long long)(counter + 3), 0);
}

static inline __attribute__((always_inline)) __m512i rows_key(const uint32_t *key)
{
	return _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(const void *)key));
}

/* Add the input back and store the first n (1-4) blocks: lane i of a, b,
 * c, d is block i, so this is a 4x4 transpose of 128-bit lanes. */
static inline __attribute__((always_inline)) void
rows_store(uint8_t *out, size_t n, __m512i a, __m512i b, __m512i c, __m512i d,
           __m512i sigma, const uint32_t *key, __m512i ctr)
{
	a = _mm512_add_epi32(a, sigma);
	b = _mm512_add_epi32(b, rows_key(key));
	c = _mm512_add_epi32(c, rows_key(key + 4));
	d = _mm512_add_epi32(d, ctr);

	__m512i ab01 = _mm512_shuffle_i32x4(a, b, _MM_SHUFFLE(1, 0, 1, 0));
	__m512i cd01 = _mm512_shuffle_i32x4(c, d, _MM_SHUFFLE(1, 0, 1, 0));
	__m512i ab23 = _mm512_shuffle_i32x4(a, b, _MM_SHUFFLE(3, 2, 3, 2));
	__m512i cd23 = _mm512_shuffle_i32x4(c, d, _MM_SHUFFLE(3, 2, 3, 2));
	_mm512_storeu_si512(out, _mm512_shuffle_i32x4(ab01, cd01, _MM_SHUFFLE(2, 0, 2, 0)));
	if (n > 1)
		_mm512_storeu_si512(out + 64, _mm512_shuffle_i32x4(ab01, cd01, _MM_SHUFFLE(3, 1, 3, 1)));
	if (n > 2)
		_mm512_storeu_si512(out + 128, _mm512_shuffle_i32x4(ab23, cd23, _MM_SHUFFLE(2, 0, 2, 0)));
	if (n > 3)
		_mm512_storeu_si512(out + 192, _mm512_shuffle_i32x4(ab23, cd23, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* Four blocks per pass.  (Two sets of rows side by side, to fill the
 * latency shadow, made 8 blocks slower than the 8-wide vertical kernel:
 * the vector rotates, not the latency, were then the limit.) */
static __attribute__((noinline)) uintptr_t
rows_body(uint8_t *out, const uint32_t key[8], uint64_t counter, size_t nblocks)
{
	const __m512i sigma = _mm512_broadcast_i32x4(
		_mm_setr_epi32(CHACHA_SIGMA_WORDS));

	while (nblocks) {
		size_t n = nblocks < 4 ? nblocks : 4;
		const __m512i ctr = rows_counter(counter);
		__m512i a = sigma, b = rows_key(key), c = rows_key(key + 4), d = ctr;

		for (int r = 0; r < 10; r++) {
			ROW_QR(a, b, c, d);
			b = _mm512_shuffle_epi32(b, ROT1);
			c = _mm512_shuffle_epi32(c, ROT2);
			d = _mm512_shuffle_epi32(d, ROT3);
			ROW_QR(a, b, c, d);
			b = _mm512_shuffle_epi32(b, ROT3);
			c = _mm512_shuffle_epi32(c, ROT2);
			d = _mm512_shuffle_epi32(d, ROT1);
		}
		rows_store(out, n, a, b, c, d, sigma, key, ctr);
		out += 64 * n;
		counter += n;
		nblocks -= n;
	}
	CHACHA_BODY_RETURN();
}

CHACHA_DEFINE_ENTRY(chacha_blocks_avx512rows, rows_body)
