/* SPDX-License-Identifier: MIT */
/* The ChaCha20 rounds in C, from the including file's vector operations
 * (V_ROTL among them), after chacha_template.h: chacha_group() for
 * CHACHA_DEFINE_KERNEL.  Kernels with their rounds in assembly
 * (chacha_vex_group.h) do not include this. */
#ifndef VGR_CHACHA_ROUNDS_H
#define VGR_CHACHA_ROUNDS_H

/* Build the W-block input state, run 20 rounds, add the input back.
 *
 * Nothing secret may reach the stack: a register allocator short of
 * registers spills whatever lives longest, and the longest-lived values
 * here are the key broadcasts, which the compiler would otherwise compute
 * once per call and keep across the rounds of every group.  A spilled key
 * is worse than spilled output: in the userspace generator it is the key
 * of the refill, and with it all the output of that refill and every key
 * after it could be recomputed.  So the key is read from memory where it
 * is used (CHACHA_RELOAD stops the compiler from keeping the first read
 * alive), and only the counter words, which are not secret, are kept for
 * the add-back. */
static inline __attribute__((always_inline)) void
chacha_group(VEC x[16], const uint32_t *key, uint64_t counter)
{
	static const uint32_t sigma[4] = CHACHA_SIGMA;
	VEC ctr_lo, ctr_hi;

	chacha_counter_words(counter, &ctr_lo, &ctr_hi);

	CHACHA_RELOAD(key);
	CHACHA_UNROLL
	for (int i = 0; i < 4; i++)
		x[i] = V_SPLAT(sigma[i]);
	CHACHA_UNROLL
	for (int i = 0; i < 8; i++)
		x[4 + i] = V_SPLAT(key[i]);
	x[12] = ctr_lo;
	x[13] = ctr_hi;
	x[14] = V_SPLAT(0);
	x[15] = V_SPLAT(0);

	for (int r = 0; r < 10; r++) {
		CHACHA_QR4(x[0], x[4], x[8], x[12], x[1], x[5], x[9], x[13],
		           x[2], x[6], x[10], x[14], x[3], x[7], x[11], x[15]);
		CHACHA_QR4(x[0], x[5], x[10], x[15], x[1], x[6], x[11], x[12],
		           x[2], x[7], x[8], x[13], x[3], x[4], x[9], x[14]);
	}
	CHACHA_RELOAD(key);
	CHACHA_UNROLL
	for (int i = 0; i < 4; i++)
		x[i] = V_ADD(x[i], V_SPLAT(sigma[i]));
	CHACHA_UNROLL
	for (int i = 0; i < 8; i++)
		x[4 + i] = V_ADD(x[4 + i], V_SPLAT(key[i]));
	x[12] = V_ADD(x[12], ctr_lo);
	x[13] = V_ADD(x[13], ctr_hi);
	/* words 14 and 15: the nonce is zero, nothing to add */
}

#endif
