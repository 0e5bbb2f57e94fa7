/* SPDX-License-Identifier: MIT */
/* Clearing what a ChaCha20 kernel leaves keystream and round state in,
 * for every kernel whatever its layout: the registers, and the stack below
 * the kernel's entry point.
 *
 * Why the stack: a kernel with fewer vector registers than round state
 * (SSE2 and AVX2 have 16 for 16 state vectors plus temporaries; the
 * portable kernel has 15 general registers) spills state to its frame in
 * the middle of the rounds.  ChaCha's rounds run backwards as easily as
 * forwards, so a full intermediate state is as good as the key, and
 * explicit_bzero() on the state array does not reach the compiler's spill
 * slots.  So each kernel is split in two: a body that does the work and
 * returns its own stack pointer (the lowest address its frame reached) and
 * an entry point that, once the body has returned, zeroes everything from
 * there up to its own stack pointer.  On x86-64 the kernels are built with
 * -mno-red-zone, so the body keeps nothing below its stack pointer that
 * the zeroing would miss (LoongArch's ABI has no red zone).  Where the
 * stack pointer cannot be read (architectures other than x86-64, AArch64
 * and LoongArch) only the tail buffer is wiped. */
#ifndef VGR_CHACHA_CLEAR_H
#define VGR_CHACHA_CLEAR_H

/* Zero the registers a kernel body may leave round state or keystream in:
 * the vector registers (the core writes all of them into the frame of any
 * signal delivered next, and the lazy-binding trampoline saves them too)
 * and the caller-saved general registers.  Callee-saved registers need
 * nothing: the body restores the caller's values on return.  Each kernel
 * file is compiled for its own ISA, so the widest registers it can have
 * touched are the ones its flags allow. */
/* Clobber lists, for these and for kernels' own assembly. */
#define CHACHA_XMM_0_15                                                      \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",      \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define CHACHA_XMM_16_31                                                     \
	"xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", \
	"xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31"

#if defined(__x86_64__) && defined(__AVX512F__)
#define CHACHA_CLEAR_VECTORS()                                               \
	__asm__ volatile("vzeroall\n\t"                                      \
	                 "vpxord %%xmm16, %%xmm16, %%xmm16\n\t"              \
	                 "vpxord %%xmm17, %%xmm17, %%xmm17\n\t"              \
	                 "vpxord %%xmm18, %%xmm18, %%xmm18\n\t"              \
	                 "vpxord %%xmm19, %%xmm19, %%xmm19\n\t"              \
	                 "vpxord %%xmm20, %%xmm20, %%xmm20\n\t"              \
	                 "vpxord %%xmm21, %%xmm21, %%xmm21\n\t"              \
	                 "vpxord %%xmm22, %%xmm22, %%xmm22\n\t"              \
	                 "vpxord %%xmm23, %%xmm23, %%xmm23\n\t"              \
	                 "vpxord %%xmm24, %%xmm24, %%xmm24\n\t"              \
	                 "vpxord %%xmm25, %%xmm25, %%xmm25\n\t"              \
	                 "vpxord %%xmm26, %%xmm26, %%xmm26\n\t"              \
	                 "vpxord %%xmm27, %%xmm27, %%xmm27\n\t"              \
	                 "vpxord %%xmm28, %%xmm28, %%xmm28\n\t"              \
	                 "vpxord %%xmm29, %%xmm29, %%xmm29\n\t"              \
	                 "vpxord %%xmm30, %%xmm30, %%xmm30\n\t"              \
	                 "vpxord %%xmm31, %%xmm31, %%xmm31"                    \
	                 ::: CHACHA_XMM_0_15, CHACHA_XMM_16_31)
#elif defined(__x86_64__) && defined(__AVX__)
#define CHACHA_CLEAR_VECTORS()                                               \
	__asm__ volatile("vzeroall" ::: CHACHA_XMM_0_15)
#elif defined(__x86_64__)
/* SSE encodings leave the upper halves of wider registers alone, but a
 * kernel built without AVX never wrote them. */
#define CHACHA_CLEAR_VECTORS()                                               \
	__asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"     \
	                 "pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"     \
	                 "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"     \
	                 "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"     \
	                 "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\t"     \
	                 "pxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t" \
	                 "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t" \
	                 "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15"       \
	                 ::: CHACHA_XMM_0_15)
#elif defined(__aarch64__)
#define CHACHA_CLEAR_VECTORS()                                               \
	__asm__ volatile("movi v0.16b, #0\n\tmovi v1.16b, #0\n\t"              \
	                 "movi v2.16b, #0\n\tmovi v3.16b, #0\n\t"              \
	                 "movi v4.16b, #0\n\tmovi v5.16b, #0\n\t"              \
	                 "movi v6.16b, #0\n\tmovi v7.16b, #0\n\t"              \
	                 "movi v16.16b, #0\n\tmovi v17.16b, #0\n\t"            \
	                 "movi v18.16b, #0\n\tmovi v19.16b, #0\n\t"            \
	                 "movi v20.16b, #0\n\tmovi v21.16b, #0\n\t"            \
	                 "movi v22.16b, #0\n\tmovi v23.16b, #0\n\t"            \
	                 "movi v24.16b, #0\n\tmovi v25.16b, #0\n\t"            \
	                 "movi v26.16b, #0\n\tmovi v27.16b, #0\n\t"            \
	                 "movi v28.16b, #0\n\tmovi v29.16b, #0\n\t"            \
	                 "movi v30.16b, #0\n\tmovi v31.16b, #0"                  \
	                 ::: "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7",    \
	                 "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", \
	                 "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")
/* v8-v15: the low halves are callee-saved and come back as the caller's;
 * the high halves are the caller's to lose, cleared here as well. */
#define CHACHA_CLEAR_VECTORS_HIGH()                                          \
	__asm__ volatile("movi v8.16b, #0\n\tmovi v9.16b, #0\n\t"              \
	                 "movi v10.16b, #0\n\tmovi v11.16b, #0\n\t"            \
	                 "movi v12.16b, #0\n\tmovi v13.16b, #0\n\t"            \
	                 "movi v14.16b, #0\n\tmovi v15.16b, #0"                  \
	                 ::: "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15")
#elif defined(__loongarch__) && (defined(__loongarch_sx) || defined(__loongarch_asx))
/* The vector registers widen the floating-point ones ($f0-$f31 are their
 * low 64 bits), so those are the clobbers.  $f24-$f31 are callee-saved:
 * the compiler saves the caller's low halves around this and puts them
 * back, and the rest of those registers is zero. */
#define CHACHA_LA_FREGS                                                      \
	"$f0", "$f1", "$f2", "$f3", "$f4", "$f5", "$f6", "$f7",              \
	"$f8", "$f9", "$f10", "$f11", "$f12", "$f13", "$f14", "$f15",        \
	"$f16", "$f17", "$f18", "$f19", "$f20", "$f21", "$f22", "$f23",      \
	"$f24", "$f25", "$f26", "$f27", "$f28", "$f29", "$f30", "$f31"
#define CHACHA_LA_ALL ".irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,"    \
	"16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
#ifdef __loongarch_asx
#define CHACHA_CLEAR_VECTORS()                                               \
	__asm__ volatile(CHACHA_LA_ALL "xvxor.v $xr\\i, $xr\\i, $xr\\i\n\t.endr" \
	                 ::: CHACHA_LA_FREGS)
#else
#define CHACHA_CLEAR_VECTORS()                                               \
	__asm__ volatile(CHACHA_LA_ALL "vxor.v $vr\\i, $vr\\i, $vr\\i\n\t.endr"   \
	                 ::: CHACHA_LA_FREGS)
#endif
#else
#define CHACHA_CLEAR_VECTORS() ((void)0)
#endif
#ifndef CHACHA_CLEAR_VECTORS_HIGH
#define CHACHA_CLEAR_VECTORS_HIGH() ((void)0)
#endif

#if defined(__x86_64__)
#define CHACHA_CLEAR_SCRATCH()                                               \
	__asm__ volatile("xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\t"           \
	                 "xor %%edx, %%edx\n\txor %%esi, %%esi\n\t"           \
	                 "xor %%edi, %%edi\n\txor %%r8d, %%r8d\n\t"           \
	                 "xor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\t"         \
	                 "xor %%r11d, %%r11d"                                  \
	                 ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9",    \
	                 "r10", "r11", "cc")
#elif defined(__aarch64__)
#define CHACHA_CLEAR_SCRATCH()                                               \
	__asm__ volatile("mov x0, xzr\n\tmov x1, xzr\n\tmov x2, xzr\n\t"     \
	                 "mov x3, xzr\n\tmov x4, xzr\n\tmov x5, xzr\n\t"     \
	                 "mov x6, xzr\n\tmov x7, xzr\n\tmov x8, xzr\n\t"     \
	                 "mov x9, xzr\n\tmov x10, xzr\n\tmov x11, xzr\n\t"   \
	                 "mov x12, xzr\n\tmov x13, xzr\n\tmov x14, xzr\n\t"  \
	                 "mov x15, xzr\n\tmov x16, xzr\n\tmov x17, xzr"        \
	                 ::: "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7",    \
	                 "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", \
	                 "x16", "x17", "cc")
#elif defined(__loongarch__)
/* $a0-$a7 and $t0-$t8. */
#define CHACHA_CLEAR_SCRATCH()                                               \
	__asm__ volatile(".irp i, 4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20\n\t" \
	                 "move $r\\i, $zero\n\t.endr"                          \
	                 ::: "$r4", "$r5", "$r6", "$r7", "$r8", "$r9", "$r10", \
	                 "$r11", "$r12", "$r13", "$r14", "$r15", "$r16", "$r17", \
	                 "$r18", "$r19", "$r20")
#else
#define CHACHA_CLEAR_SCRATCH() ((void)0)
#endif

#define CHACHA_CLEAR_REGISTERS()                                             \
	do {                                                                 \
		CHACHA_CLEAR_VECTORS();                                      \
		CHACHA_CLEAR_VECTORS_HIGH();                                 \
		CHACHA_CLEAR_SCRATCH();                                      \
	} while (0)

#if defined(__x86_64__)
#define CHACHA_READ_SP(sp) __asm__ volatile("mov %%rsp, %0" : "=r"(sp))
#elif defined(__aarch64__)
#define CHACHA_READ_SP(sp) __asm__ volatile("mov %0, sp" : "=r"(sp))
#elif defined(__loongarch__)
#define CHACHA_READ_SP(sp) __asm__ volatile("move %0, $sp" : "=r"(sp))
#endif

/* Zero [lowest, the current stack pointer): the frame the body had, which
 * is free stack again now.  It is claimed back with alloca first, so the
 * zeroing writes only memory above the stack pointer (no tool, valgrind
 * included, takes it for a stray write) and explicit_bzero()'s own frame
 * lands below what it zeroes.  The zeroing runs from the block alloca
 * returns up to the old stack pointer, not to the block's end: a compiler
 * that aligns the block (GCC aligns it to 64 bytes in the AVX-512 files)
 * leaves up to 63 bytes between its end and the old stack pointer, and
 * the body's frame reaches up to there (seen: 16 key-dependent bytes, in
 * about one process in four, as stack randomisation moved that gap).  All
 * of it lies between the new and the old stack pointer.  A distance over
 * 64 KiB is not a body's frame but a wrong reading, and is left alone. */
#define CHACHA_ZERO_MAX (64 * 1024)
#ifdef CHACHA_READ_SP
#define CHACHA_ZERO_STACK(lowest)                                            \
	do {                                                                 \
		uintptr_t top_, low_ = (lowest);                             \
		CHACHA_READ_SP(top_);                                        \
		if (low_ && low_ < top_ && top_ - low_ <= CHACHA_ZERO_MAX) { \
			size_t n_ = ((top_ - low_ + 15) & ~(size_t)15) + 64; \
			unsigned char *p_ = __builtin_alloca(n_);            \
			explicit_bzero(p_, top_ - (uintptr_t)p_);            \
			__asm__ volatile("" : : "r"(p_) : "memory");         \
		}                                                            \
	} while (0)
#else
#define CHACHA_ZERO_STACK(lowest) ((void)(lowest))
#endif
#ifdef CHACHA_READ_SP
#define CHACHA_READ_SP_OR_ZERO(sp) CHACHA_READ_SP(sp)
#else
#define CHACHA_READ_SP_OR_ZERO(sp) ((void)(sp))
#endif

/* For a kernel whose work is all in one noinline body function (the row
 * kernels; the template's kernels have a tail frame as well): the body
 * ends with CHACHA_BODY_RETURN(), which clears the registers and returns
 * its stack pointer, and CHACHA_DEFINE_ENTRY defines the entry point that
 * calls it and zeroes the stack it left. */
#define CHACHA_BODY_RETURN()                                                 \
	do {                                                                 \
		uintptr_t sp_ = 0;                                           \
		CHACHA_CLEAR_REGISTERS();                                    \
		CHACHA_READ_SP_OR_ZERO(sp_);                                 \
		return sp_;                                                  \
	} while (0)
#define CHACHA_DEFINE_ENTRY(NAME, BODY)                                      \
	void NAME(uint8_t *out, const uint32_t key[8], uint64_t counter,    \
	          size_t nblocks)                                            \
	{                                                                    \
		if (nblocks) {                                               \
			uintptr_t lowest = BODY(out, key, counter, nblocks); \
			CHACHA_ZERO_STACK(lowest);                           \
		}                                                            \
	}

#endif
