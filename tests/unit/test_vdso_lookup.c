/* SPDX-License-Identifier: MIT */
/*
 * The vDSO ELF parser: finds what the dynamic linker finds in the real
 * image, through either hash table, and rejects malformed images (every
 * truncation, random corruption, hostile counts and offsets) without
 * reading outside them.  Copies are made into exact-size heap buffers so
 * ASan and valgrind see any stray read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include "test_util.h"
#include "vdso_abi.h"
#include "vdso_getrandom.h"
#include "vdso_lookup.h"

/* The symbol from the one table the library uses (vdso_abi.h); a second
 * symbol of the same version where the test knows one. */
#ifdef VDSO_GETRANDOM_NATIVE
static const struct vdso_getrandom_symbol native_symbols[] = { VDSO_GETRANDOM_SYMBOLS };
#define SYM (native_symbols[VDSO_GETRANDOM_NATIVE].name)
#define VER (native_symbols[VDSO_GETRANDOM_NATIVE].version)
#else
#define SYM NULL
#define VER NULL
#endif
#if defined(__x86_64__)
#define OTHER_SYM "__vdso_clock_gettime"
#elif defined(__aarch64__)
#define OTHER_SYM "__kernel_clock_gettime"
#endif

static const unsigned char *vdso_base;
static size_t vdso_len;
static size_t sym_off; /* the symbol's offset, found in the real image */

static unsigned char *copy_of(size_t len)
{
	unsigned char *c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, vdso_base, len);
	return c;
}

/* The image offset of the dynamic entry with this tag, in the real image. */
static size_t dyn_entry_offset(const unsigned char *img, ElfW(Sxword) tag)
{
	const ElfW(Ehdr) *eh = (const void *)img;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const ElfW(Phdr) *ph = (const void *)(img + eh->e_phoff + i * sizeof(*ph));
		if (ph->p_type != PT_DYNAMIC)
			continue;
		for (size_t o = ph->p_offset; o < ph->p_offset + ph->p_filesz; o += sizeof(ElfW(Dyn))) {
			const ElfW(Dyn) *d = (const void *)(img + o);
			if (d->d_tag == tag)
				return o;
			if (d->d_tag == DT_NULL)
				break;
		}
	}
	return 0;
}

static ElfW(Addr) dyn_value(const unsigned char *img, ElfW(Sxword) tag)
{
	size_t o = dyn_entry_offset(img, tag);
	return o ? ((const ElfW(Dyn) *)(const void *)(img + o))->d_un.d_ptr : 0;
}

/* Neutralise one dynamic tag (DT_DEBUG is ignored by the parser). */
static void drop_tag(unsigned char *img, ElfW(Sxword) tag)
{
	size_t o = dyn_entry_offset(img, tag);
	assert_true(o != 0);
	((ElfW(Dyn) *)(void *)(img + o))->d_tag = DT_DEBUG;
}

/* Result must be "not found" or exactly the real answer. */
static void assert_safe_result(const unsigned char *img, size_t len, const char *name)
{
	size_t off = (size_t)-1;
	if (vdso_lookup(img, len, name, VER, &off))
		assert_true(off == sym_off && off < len);
}

static int setup(void **unused)
{
	(void)unused;
	return 0;
}

/* The vDSO as the dynamic linker knows it: linux-vdso.so.1, or
 * linux-vdso64.so.1 on s390x and powerpc64. */
static void *vdso_handle(void)
{
	void *h = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	return h ? h : dlopen("linux-vdso64.so.1", RTLD_NOW | RTLD_NOLOAD);
}

static void test_matches_dynamic_linker(void **unused)
{
	(void)unused;
	void *h = vdso_handle();
	if (!h)
		skip();
	void *want = dlvsym(h, SYM, VER);
	if (!want)
		skip(); /* a kernel older than 6.11 */
	assert_ptr_equal(vdso_base + sym_off, want);
#ifdef OTHER_SYM
	size_t off;
	void *other = dlvsym(h, OTHER_SYM, VER);
	assert_true(vdso_lookup(vdso_base, vdso_len, OTHER_SYM, VER, &off));
	assert_ptr_equal(vdso_base + off, other);
#endif
	dlclose(h);
}

static void test_names_and_versions(void **unused)
{
	(void)unused;
	size_t off;
	assert_false(vdso_lookup(vdso_base, vdso_len, SYM, "LINUX_9.99", &off));
	char longer[64];
	snprintf(longer, sizeof(longer), "%sx", SYM);
	assert_false(vdso_lookup(vdso_base, vdso_len, longer, VER, &off));
	assert_false(vdso_lookup(vdso_base, vdso_len, "", VER, &off));
	assert_false(vdso_lookup(vdso_base, vdso_len, "LINUX_2.6", VER, &off));
	assert_true(vdso_lookup(vdso_base, vdso_len, SYM, NULL, &off));
	assert_int_equal(off, sym_off);
	assert_false(vdso_lookup(NULL, vdso_len, SYM, VER, &off));
	assert_false(vdso_lookup(vdso_base, 0, SYM, VER, &off));
}

/* Each hash table alone gives the same answer. */
static void test_each_hash_table(void **unused)
{
	(void)unused;
	int tried = 0;
	size_t off;
	if (dyn_entry_offset(vdso_base, DT_HASH) && dyn_entry_offset(vdso_base, DT_GNU_HASH)) {
		unsigned char *sysv_only = copy_of(vdso_len), *gnu_only = copy_of(vdso_len);
		drop_tag(sysv_only, DT_GNU_HASH);
		drop_tag(gnu_only, DT_HASH);
		assert_true(vdso_lookup(sysv_only, vdso_len, SYM, VER, &off));
		assert_int_equal(off, sym_off);
		assert_true(vdso_lookup(gnu_only, vdso_len, SYM, VER, &off));
		assert_int_equal(off, sym_off);
		drop_tag(sysv_only, DT_HASH);
		assert_false(vdso_lookup(sysv_only, vdso_len, SYM, VER, &off));
		free(sysv_only);
		free(gnu_only);
		tried = 1;
	}
	if (!tried)
		skip();
}

static void test_every_truncation(void **unused)
{
	(void)unused;
	for (size_t len = 0; len < vdso_len; len++) {
		unsigned char *c = copy_of(len);
		assert_safe_result(c, len, SYM);
		free(c);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	return splitmix64(&rng_state); /* a fixed seed makes any failure reproducible */
}

static void test_random_corruption(void **unused)
{
	(void)unused;
	unsigned char *c = copy_of(vdso_len);
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(c, vdso_base, vdso_len);
		int flips = 1 + (int)(next_rand() % 8);
		/* Headers, dynamic section and tables live in the first few KiB:
		 * aim most flips there. */
		size_t span = (iter & 1) ? vdso_len : (vdso_len < 2048 ? vdso_len : 2048);
		for (int i = 0; i < flips; i++) {
			size_t at = (size_t)(next_rand() % span);
			c[at] = (iter & 2) ? (unsigned char)next_rand() : (unsigned char)(c[at] ^ (1u << (next_rand() % 8)));
		}
		size_t off;
		if (vdso_lookup(c, vdso_len, SYM, VER, &off))
			assert_true(off < vdso_len);
	}
	free(c);
}

static void poke(unsigned char *img, size_t at, const void *v, size_t n)
{
	memcpy(img + at, v, n);
}

/* Hostile values in the fields the parser trusts least. */
static void test_hostile_fields(void **unused)
{
	(void)unused;
	const ElfW(Ehdr) *eh = (const void *)vdso_base;
	unsigned char *c = copy_of(vdso_len);
	const uint64_t huge[] = { 0xffffffffffffffffull, 0x8000000000000000ull,
	                          0xfffffffffffff000ull, 0x7fffffff, 0xffffffff,
	                          vdso_len, vdso_len - 1 };
	const size_t ehdr_fields[] = { offsetof(ElfW(Ehdr), e_phoff),
	                               offsetof(ElfW(Ehdr), e_phnum),
	                               offsetof(ElfW(Ehdr), e_phentsize) };

	for (size_t h = 0; h < sizeof(huge) / sizeof(huge[0]); h++) {
		for (size_t f = 0; f < 3; f++) {
			memcpy(c, vdso_base, vdso_len);
			poke(c, ehdr_fields[f], &huge[h], f == 0 ? sizeof(ElfW(Off)) : 2);
			assert_safe_result(c, vdso_len, SYM);
		}
		/* Every program header's offset, size and address. */
		for (unsigned i = 0; i < eh->e_phnum; i++) {
			size_t ph = eh->e_phoff + i * sizeof(ElfW(Phdr));
			const size_t fields[] = { offsetof(ElfW(Phdr), p_offset),
			                          offsetof(ElfW(Phdr), p_filesz),
			                          offsetof(ElfW(Phdr), p_vaddr) };
			for (size_t f = 0; f < 3; f++) {
				memcpy(c, vdso_base, vdso_len);
				poke(c, ph + fields[f], &huge[h], sizeof(ElfW(Addr)));
				assert_safe_result(c, vdso_len, SYM);
			}
		}
		/* Every dynamic entry's value. */
		const ElfW(Sxword) tags[] = { DT_STRTAB, DT_STRSZ, DT_SYMTAB, DT_HASH,
		                              DT_GNU_HASH, DT_VERSYM, DT_VERDEF, DT_VERDEFNUM };
		for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
			size_t o = dyn_entry_offset(vdso_base, tags[t]);
			if (!o)
				continue;
			memcpy(c, vdso_base, vdso_len);
			poke(c, o + offsetof(ElfW(Dyn), d_un), &huge[h], sizeof(ElfW(Addr)));
			assert_safe_result(c, vdso_len, SYM);
		}
		/* Hash table headers: bucket counts, symbol offsets, bloom sizes. */
		ElfW(Addr) bias = 0; /* the vDSO is linked at 0 */
		ElfW(Addr) gh = dyn_value(vdso_base, DT_GNU_HASH), sh = dyn_value(vdso_base, DT_HASH);
		for (int w = 0; w < 4 && gh; w++) {
			uint32_t v = (uint32_t)huge[h];
			memcpy(c, vdso_base, vdso_len);
			poke(c, gh - bias + 4 * (size_t)w, &v, 4);
			assert_safe_result(c, vdso_len, SYM);
		}
		for (int w = 0; w < 2 && sh; w++) {
			uint32_t v = (uint32_t)huge[h];
			memcpy(c, vdso_base, vdso_len);
			drop_tag(c, DT_GNU_HASH);
			poke(c, sh - bias + 4 * (size_t)w, &v, 4);
			assert_safe_result(c, vdso_len, SYM);
		}
	}
	free(c);
}

/* A SysV hash chain that loops forever must still end. */
static void test_cyclic_sysv_chain(void **unused)
{
	(void)unused;
	ElfW(Addr) sh = dyn_value(vdso_base, DT_HASH);
	if (!sh || !dyn_entry_offset(vdso_base, DT_GNU_HASH))
		skip();
	unsigned char *c = copy_of(vdso_len);
	drop_tag(c, DT_GNU_HASH);
	uint32_t nbucket, nchain;
	memcpy(&nbucket, c + sh, 4);
	memcpy(&nchain, c + sh + 4, 4);
	for (uint32_t b = 0; b < nbucket; b++) {
		uint32_t one = 1;
		poke(c, sh + 8 + 4 * (size_t)b, &one, 4);
	}
	for (uint32_t i = 0; i < nchain; i++) {
		uint32_t self = 1;
		poke(c, sh + 8 + 4 * (size_t)nbucket + 4 * (size_t)i, &self, 4);
	}
	size_t off;
	assert_false(vdso_lookup(c, vdso_len, "no_such_symbol", VER, &off));
	free(c);
}

/* The vDSO provider in the library's convention, errors included: an
 * unknown flag makes the vDSO hand the request to the system call, whose
 * EINVAL must come back as -EINVAL.  On powerpc that error arrives in CR0
 * and r3 (the stub in vdso_getrandom.c); the params call, made by the
 * probe, goes through the same stub. */
static void test_provider_errors(void **unused)
{
	(void)unused;
	struct vdso_getrandom v;
	unsigned char buf[16] = { 0 };
	long page = sysconf(_SC_PAGESIZE);

	if (!vdso_getrandom_probe(&v))
		skip();
	assert_int_equal(v.provider.state_size <= (size_t)page, 1);
	void *st = mmap(NULL, (size_t)page, v.provider.mmap_prot, v.provider.mmap_flags, -1, 0);
	assert_true(st != MAP_FAILED);
	assert_int_equal(v.provider.fill(buf, sizeof(buf), 0, st, v.provider.state_size),
	                 (ssize_t)sizeof(buf));
	assert_int_equal(v.provider.fill(buf, sizeof(buf), 0x8, st, v.provider.state_size),
	                 -EINVAL);
	assert_int_equal(v.provider.fill(buf, sizeof(buf), 0x40000000u, st,
	                                 v.provider.state_size), -EINVAL);
	assert_int_equal(v.provider.fill(buf, 0, 0, st, v.provider.state_size), 0);
	munmap(st, (size_t)page);
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	vdso_base = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (!vdso_base || !SYM) {
		fprintf(stderr, "no vDSO here (valgrind?) or no symbol for this arch: skip\n");
		return SKIP_EXIT;
	}
	vdso_len = vdso_image_size(vdso_base, (size_t)page);
	if (vdso_len == 0 || !vdso_lookup(vdso_base, vdso_len, SYM, VER, &sym_off)) {
		fprintf(stderr, "this kernel's vDSO has no %s: skip\n", SYM);
		return SKIP_EXIT;
	}

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_dynamic_linker),
		cmocka_unit_test(test_provider_errors),
		cmocka_unit_test(test_names_and_versions),
		cmocka_unit_test(test_each_hash_table),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_cyclic_sysv_chain),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
