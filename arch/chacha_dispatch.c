/* SPDX-License-Identifier: MIT */
/*
 * Choosing a ChaCha20 kernel at run time.
 *
 * CPU features are probed once.  On x86-64 the instruction set is not
 * enough: the OS must also save the wider registers on context switch,
 * which XGETBV(0) reports (XCR0 bits 1-2 for ymm, 5-7 for zmm and the mask
 * registers).  On LoongArch the kernel's AT_HWCAP says whether LSX and
 * LASX are there and enabled.
 * VGETRANDOM_CHACHA=auto|portable|sse2|avx2|avx512|avx512vl|neon|lsx|lasx
 * forces a kernel; one this CPU cannot run is refused with a message.
 */
#include "chacha.h"
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__loongarch__)
#include <sys/auxv.h>
#endif

enum {
	CPU_SSE2 = 1u << 0,
	CPU_AVX2 = 1u << 1,
	CPU_AVX512F = 1u << 2,
	CPU_AVX512VL = 1u << 3,
	CPU_NEON = 1u << 4,
	CPU_LSX = 1u << 5,
	CPU_LASX = 1u << 6,
};

struct entry {
	const struct chacha_impl *k;
	unsigned needs; /* CPU_* bits */
	bool tail_only; /* takes only the small tails of another kernel */
};

/* Each kernel, and the tail policy, in one place: a kernel W blocks wide
 * hands a remainder of at most tail_max blocks (of a request that is not a
 * whole number of its groups) to the narrower kernel named, so that a
 * 2-block tail does not pay for a 16-block group; a larger remainder is one
 * more group of its own.  A tail kernel needs no CPU feature its parent
 * lacks.  The row-layout kernels (avx512rows, avx2rows) exist only as
 * tails; the hybrid's 128-256 byte requests in the bench are what they are
 * for. */
#define IMPL(var, nm, fn, w, ...) /* ...: tail kernel, tail_max */ \
	static const struct chacha_impl var = { nm, fn, w, __VA_ARGS__, "vdso+chacha-" nm, "chacha-" nm }
#define NO_TAIL NULL, 0

#ifdef VGR_HAVE_CHACHA_AVX512ROWS
IMPL(impl_avx512rows, "avx512rows", chacha_blocks_avx512rows, 4, NO_TAIL);
#define TAIL_AVX512ROWS(max) &impl_avx512rows, max
#else
#define TAIL_AVX512ROWS(max) NO_TAIL
#endif
#ifdef VGR_HAVE_CHACHA_AVX2ROWS
IMPL(impl_avx2rows, "avx2rows", chacha_blocks_avx2rows, 4, NO_TAIL);
#define TAIL_AVX2ROWS(max) &impl_avx2rows, max
#else
#define TAIL_AVX2ROWS(max) NO_TAIL
#endif
IMPL(impl_portable, "portable", chacha_blocks_portable, 1, NO_TAIL);
#ifdef VGR_HAVE_CHACHA_AVX512VL
IMPL(impl_avx512vl, "avx512vl", chacha_blocks_avx512vl, 8, TAIL_AVX512ROWS(4));
#define TAIL_AVX512VL(max) &impl_avx512vl, max
#else
#define TAIL_AVX512VL(max) TAIL_AVX512ROWS(max)
#endif
#ifdef VGR_HAVE_CHACHA_AVX512
IMPL(impl_avx512, "avx512", chacha_blocks_avx512, 16, TAIL_AVX512VL(8));
#endif
#ifdef VGR_HAVE_CHACHA_AVX2
IMPL(impl_avx2, "avx2", chacha_blocks_avx2, 8, TAIL_AVX2ROWS(4));
#endif
#ifdef VGR_HAVE_CHACHA_SSE2
IMPL(impl_sse2, "sse2", chacha_blocks_sse2, 4, &impl_portable, 1);
#endif
#ifdef VGR_HAVE_CHACHA_NEON
IMPL(impl_neon, "neon", chacha_blocks_neon, 4, &impl_portable, 1);
#endif
#ifdef VGR_HAVE_CHACHA_LSX
IMPL(impl_lsx, "lsx", chacha_blocks_lsx, 4, &impl_portable, 1);
#define TAIL_LSX(max) &impl_lsx, max
#else
#define TAIL_LSX(max) NO_TAIL
#endif
#ifdef VGR_HAVE_CHACHA_LASX
IMPL(impl_lasx, "lasx", chacha_blocks_lasx, 8, TAIL_LSX(4));
#endif

/* Fastest first, as bench-chacha ranks them on every machine measured
 * (bench/RESULTS.md): the zmm kernel before the ymm ones, avx2 before
 * sse2.  Keep that order unless the bench says otherwise.  lasx comes
 * before lsx on width alone: no LoongArch machine has been measured (the
 * guest under qemu's TCG says nothing about speed).  The tail-only kernels come
 * last: never chosen or named, only listed for the tests, which run them
 * on every length. */
static const struct entry kernels[] = {
#ifdef VGR_HAVE_CHACHA_AVX512
	{ &impl_avx512, CPU_AVX512F | CPU_AVX512VL, false },
#endif
#ifdef VGR_HAVE_CHACHA_AVX512VL
	{ &impl_avx512vl, CPU_AVX512F | CPU_AVX512VL, false },
#endif
#ifdef VGR_HAVE_CHACHA_AVX2
	{ &impl_avx2, CPU_AVX2, false },
#endif
#ifdef VGR_HAVE_CHACHA_SSE2
	{ &impl_sse2, CPU_SSE2, false },
#endif
#ifdef VGR_HAVE_CHACHA_NEON
	{ &impl_neon, CPU_NEON, false },
#endif
#ifdef VGR_HAVE_CHACHA_LASX
	{ &impl_lasx, CPU_LASX, false },
#endif
#ifdef VGR_HAVE_CHACHA_LSX
	{ &impl_lsx, CPU_LSX, false },
#endif
	{ &impl_portable, 0, false },
#ifdef VGR_HAVE_CHACHA_AVX512ROWS
	{ &impl_avx512rows, CPU_AVX512F | CPU_AVX512VL, true },
#endif
#ifdef VGR_HAVE_CHACHA_AVX2ROWS
	{ &impl_avx2rows, CPU_AVX2, true },
#endif
};
#define NKERNELS (sizeof(kernels) / sizeof(kernels[0]))

#if defined(__x86_64__)
static unsigned long long read_xcr0(void)
{
	unsigned eax, edx;
	__asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
	return ((unsigned long long)edx << 32) | eax;
}

static unsigned probe_cpu(void)
{
	unsigned eax, ebx, ecx, edx, f = CPU_SSE2; /* baseline of x86-64 */
	unsigned long long xcr0 = 0;

	/* Three cpuid instructions and no more: in a virtual machine each
	 * one traps to the hypervisor. */
	unsigned max = __get_cpuid_max(0, NULL);
	if (max < 1)
		return f;
	__cpuid(1, eax, ebx, ecx, edx);
	if (ecx & bit_OSXSAVE)
		xcr0 = read_xcr0();
	if (max < 7)
		return f;
	__cpuid_count(7, 0, eax, ebx, ecx, edx);
	bool ymm_ok = (xcr0 & 0x6) == 0x6;
	bool zmm_ok = (xcr0 & 0xe6) == 0xe6;
	if (ymm_ok && (ebx & bit_AVX2))
		f |= CPU_AVX2;
	if (zmm_ok && (ebx & bit_AVX512F)) {
		f |= CPU_AVX512F;
		if (ebx & bit_AVX512VL)
			f |= CPU_AVX512VL;
	}
	return f;
}
#elif defined(__aarch64__)
static unsigned probe_cpu(void)
{
	return CPU_NEON; /* Advanced SIMD is mandatory on AArch64 */
}
#elif defined(__loongarch__)
/* The bits of <asm/hwcap.h>, which not every libc's headers pull in. */
#define LOONGARCH_HWCAP_LSX (1ul << 4)
#define LOONGARCH_HWCAP_LASX (1ul << 5)

static unsigned probe_cpu(void)
{
	unsigned long hw = getauxval(AT_HWCAP);
	unsigned f = 0;

	if (hw & LOONGARCH_HWCAP_LSX)
		f |= CPU_LSX;
	/* LASX widens the LSX registers: no LASX without LSX. */
	if ((hw & LOONGARCH_HWCAP_LASX) && (f & CPU_LSX))
		f |= CPU_LASX;
	return f;
}
#else
static unsigned probe_cpu(void)
{
	return 0;
}
#endif

static unsigned cpu_features(void)
{
	static unsigned cached; /* bit 31: probed */
	unsigned f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (!(f & 0x80000000u)) {
		f = probe_cpu() | 0x80000000u;
		__atomic_store_n(&cached, f, __ATOMIC_RELAXED);
	}
	return f;
}

static bool runnable(const struct entry *e)
{
	return (cpu_features() & e->needs) == e->needs;
}

const struct chacha_impl *chacha_impl_named(const char *name)
{
	for (size_t i = 0; i < NKERNELS; i++)
		if (!kernels[i].tail_only && strcmp(kernels[i].k->name, name) == 0)
			return runnable(&kernels[i]) ? kernels[i].k : NULL;
	return NULL;
}

/* The runnable kernels with this tail_only mark, in table order. */
static size_t list_kernels(const struct chacha_impl **out, size_t max, bool tail_only)
{
	size_t n = 0;
	for (size_t i = 0; i < NKERNELS; i++)
		if (kernels[i].tail_only == tail_only && runnable(&kernels[i])) {
			if (n < max)
				out[n] = kernels[i].k;
			n++;
		}
	return n;
}

size_t chacha_impl_list(const struct chacha_impl **out, size_t max)
{
	return list_kernels(out, max, false);
}

const struct chacha_impl *chacha_impl_nth(size_t i)
{
	const struct chacha_impl *k[NKERNELS];
	return i < chacha_impl_list(k, NKERNELS) ? k[i] : NULL;
}

#ifdef VGR_TESTING
size_t vgr_test_chacha_tail_kernels(const struct chacha_impl **out, size_t max)
{
	return list_kernels(out, max, true);
}
#endif

static const struct chacha_impl *selected;

static const struct chacha_impl *select_kernel(void)
{
	const char *want = config_string("VGETRANDOM_CHACHA");
	const struct chacha_impl *k = NULL;

	if (want && strcmp(want, "auto") != 0) {
		k = chacha_impl_named(want);
		if (!k)
			config_reject("VGETRANDOM_CHACHA", want,
			              "a kernel this build and CPU can run", "auto");
	}
	if (!k)
		chacha_impl_list(&k, 1); /* the fastest; "portable" always runs */
	return k;
}

const struct chacha_impl *chacha_impl(void)
{
	const struct chacha_impl *k = __atomic_load_n(&selected, __ATOMIC_ACQUIRE);
	if (__builtin_expect(k == NULL, 0)) {
		const struct chacha_impl *expected = NULL;
		k = select_kernel();
		if (!__atomic_compare_exchange_n(&selected, &expected, k, false, __ATOMIC_ACQ_REL,
		                                 __ATOMIC_ACQUIRE))
			k = expected; /* the same, chosen meanwhile */
	}
	return k;
}

void chacha_blocks(const struct chacha_impl *k, uint8_t *out, const uint32_t key[8],
                  uint64_t counter, size_t nblocks)
{
	size_t rest = nblocks % k->width;

	if (k->tail && rest && rest <= k->tail_max) {
		size_t head = nblocks - rest;
		if (head)
			k->blocks(out, key, counter, head);
		chacha_blocks(k->tail, out + 64 * head, key, counter + head, rest);
		return;
	}
	if (nblocks)
		k->blocks(out, key, counter, nblocks);
}

/* The widest kernel's group, in blocks. */
#define WIDEST 16u

void chacha_stream(const struct chacha_impl *k, uint8_t *out, size_t len,
                   const uint32_t key[8], uint64_t counter)
{
	size_t whole = len / 64, rest = len % 64;

	if (rest == 0) {
		chacha_blocks(k, out, key, counter, whole);
		return;
	}
	/* The partial last block is made in a buffer, together with the
	 * whole blocks that would otherwise be a short group of their own:
	 * a kernel's cost is per group (a 1-block and a 4-block call cost
	 * about the same), so one call for both, not two. */
	uint8_t buf[64 * WIDEST];
	size_t width = k->width < WIDEST ? k->width : WIDEST;
	size_t tail = whole % width + 1, head = whole + 1 - tail;

	chacha_blocks(k, out, key, counter, head);
	chacha_blocks(k, buf, key, counter + head, tail);
	memcpy(out + 64 * head, buf, 64 * (tail - 1) + rest);
	explicit_bzero(buf, 64 * tail);
}
