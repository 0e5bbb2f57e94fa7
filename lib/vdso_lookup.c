/* SPDX-License-Identifier: MIT */
/*
 * A defensive ELF symbol lookup for the vDSO image.
 *
 * The vDSO is a small prelinked shared object the kernel maps into every
 * process.  Finding a symbol means reading its dynamic section, hash table,
 * symbol and string tables and version definitions.  Although the kernel
 * built the image, this parser is also fed arbitrary bytes by the tests and
 * the fuzzer, so it treats every field as hostile: all structures are
 * copied out with memcpy after a bounds check (no unaligned or
 * out-of-range dereference), all arithmetic is overflow-checked, and every
 * loop has a bound that does not come from the image alone.
 */
#include "vdso_lookup.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

/* DT_HASH words are 64-bit on these two 64-bit ABIs, 32-bit elsewhere. */
#if defined(__s390x__) || defined(__alpha__)
typedef uint64_t hash_word;
#else
typedef uint32_t hash_word;
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ELFDATA ELFDATA2LSB
#else
#define NATIVE_ELFDATA ELFDATA2MSB
#endif

#if __SIZEOF_POINTER__ == 8
#define NATIVE_ELFCLASS ELFCLASS64
#else
#define NATIVE_ELFCLASS ELFCLASS32
#endif

/* No sane vDSO has more than a handful of these; the caps only bound loops
 * over malformed images. */
#define MAX_PHDRS 64u
#define MAX_DYN_ENTRIES 4096u
#define MAX_VERDEFS 4096u

struct image {
	const unsigned char *p;
	size_t len;
};

struct dyn_info {
	ElfW(Addr) bias; /* p_vaddr - p_offset of the first PT_LOAD */
	size_t strtab, strsz;
	size_t symtab;
	size_t hash, gnu_hash;
	size_t versym, verdef;
	bool has_strtab, has_symtab, has_hash, has_gnu_hash, has_versym, has_verdef;
	size_t verdefnum;
};

static bool in_bounds(const struct image *im, size_t off, size_t size)
{
	return off <= im->len && size <= im->len - off;
}

static bool copy_out(const struct image *im, size_t off, void *dst, size_t size)
{
	if (!in_bounds(im, off, size))
		return false;
	memcpy(dst, im->p + off, size);
	return true;
}

/* off + idx * size, false on overflow. */
static bool index_off(size_t off, size_t idx, size_t size, size_t *out)
{
	size_t scaled;
	if (__builtin_mul_overflow(idx, size, &scaled))
		return false;
	return !__builtin_add_overflow(off, scaled, out);
}

static bool read_ehdr(const struct image *im, ElfW(Ehdr) *eh)
{
	if (!copy_out(im, 0, eh, sizeof(*eh)))
		return false;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != NATIVE_ELFCLASS ||
	    eh->e_ident[EI_DATA] != NATIVE_ELFDATA ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT)
		return false;
	if (eh->e_phentsize != sizeof(ElfW(Phdr)) || eh->e_phnum == 0 ||
	    eh->e_phnum > MAX_PHDRS)
		return false;
	return true;
}

static bool read_phdr(const struct image *im, const ElfW(Ehdr) *eh,
                      unsigned i, ElfW(Phdr) *ph)
{
	size_t off;
	if (!index_off(eh->e_phoff, i, sizeof(*ph), &off))
		return false;
	return copy_out(im, off, ph, sizeof(*ph));
}

size_t vdso_image_size(const void *base, size_t header_room)
{
	const struct image hdr = { base, header_room };
	ElfW(Ehdr) eh;
	size_t end = 0;

	if (!base || !read_ehdr(&hdr, &eh))
		return 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		ElfW(Phdr) ph;
		size_t seg_end;
		if (!read_phdr(&hdr, &eh, i, &ph))
			return 0;
		if (ph.p_type != PT_LOAD)
			continue;
		if (__builtin_add_overflow(ph.p_offset, ph.p_filesz, &seg_end))
			return 0;
		if (seg_end > end)
			end = seg_end;
	}
	return end;
}

/* A virtual address from the dynamic section to an image offset. */
static bool vaddr_to_off(const struct image *im, const struct dyn_info *di,
                         ElfW(Addr) vaddr, size_t *off)
{
	if (vaddr < di->bias || vaddr - di->bias >= im->len)
		return false;
	*off = (size_t)(vaddr - di->bias);
	return true;
}

static bool read_dynamic(const struct image *im, struct dyn_info *di)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	bool have_load = false, have_dyn = false;
	size_t dyn_off = 0, dyn_size = 0;

	memset(di, 0, sizeof(*di));
	if (!read_ehdr(im, &eh))
		return false;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (!read_phdr(im, &eh, i, &ph))
			return false;
		if (ph.p_type == PT_LOAD && !have_load) {
			if (ph.p_vaddr < ph.p_offset)
				return false;
			di->bias = ph.p_vaddr - ph.p_offset;
			have_load = true;
		} else if (ph.p_type == PT_DYNAMIC && !have_dyn) {
			dyn_off = ph.p_offset;
			dyn_size = ph.p_filesz;
			have_dyn = true;
		}
	}
	if (!have_load || !have_dyn || !in_bounds(im, dyn_off, dyn_size))
		return false;

	/* The entries that hold addresses of tables, and where they go. */
	const struct {
		ElfW(Sxword) tag;
		size_t *off;
		bool *has;
	} tables[] = {
		{ DT_STRTAB, &di->strtab, &di->has_strtab },
		{ DT_SYMTAB, &di->symtab, &di->has_symtab },
		{ DT_HASH, &di->hash, &di->has_hash },
		{ DT_GNU_HASH, &di->gnu_hash, &di->has_gnu_hash },
		{ DT_VERSYM, &di->versym, &di->has_versym },
		{ DT_VERDEF, &di->verdef, &di->has_verdef },
	};
	size_t n = dyn_size / sizeof(ElfW(Dyn));
	if (n > MAX_DYN_ENTRIES)
		n = MAX_DYN_ENTRIES;
	for (size_t i = 0; i < n; i++) {
		ElfW(Dyn) d;

		copy_out(im, dyn_off + i * sizeof(d), &d, sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_STRSZ)
			di->strsz = d.d_un.d_val;
		else if (d.d_tag == DT_VERDEFNUM)
			di->verdefnum = d.d_un.d_val;
		else if (d.d_tag == DT_SYMENT && d.d_un.d_val != sizeof(ElfW(Sym)))
			return false;
		for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
			if (d.d_tag != tables[t].tag)
				continue;
			/* a table that points outside the image: malformed */
			if (!vaddr_to_off(im, di, d.d_un.d_ptr, tables[t].off))
				return false;
			*tables[t].has = true;
		}
	}
	if (!di->has_strtab || !di->has_symtab || di->strsz == 0 ||
	    !in_bounds(im, di->strtab, di->strsz))
		return false;
	/* A version table without definitions cannot be checked: refuse. */
	if (di->has_versym && !di->has_verdef)
		return false;
	return di->has_gnu_hash || di->has_hash;
}

/* Does the string at strtab offset name equal want, NUL within the table? */
static bool str_equals(const struct image *im, const struct dyn_info *di,
                       size_t name, const char *want)
{
	size_t want_len = strlen(want);
	if (name >= di->strsz || di->strsz - name <= want_len)
		return false;
	const unsigned char *s = im->p + di->strtab + name;
	return memcmp(s, want, want_len) == 0 && s[want_len] == '\0';
}

static bool version_matches(const struct image *im, const struct dyn_info *di,
                            size_t sym_index, const char *version)
{
	ElfW(Versym) vs;
	size_t off;

	if (!di->has_versym)
		return true; /* an unversioned image satisfies any request */
	if (!index_off(di->versym, sym_index, sizeof(vs), &off) ||
	    !copy_out(im, off, &vs, sizeof(vs)))
		return false;
	vs &= 0x7fff; /* the top bit marks a hidden symbol; the index is below */
	if (!version)
		return true;

	off = di->verdef;
	for (unsigned i = 0; i < MAX_VERDEFS; i++) {
		ElfW(Verdef) vd;
		if (!copy_out(im, off, &vd, sizeof(vd)) || vd.vd_version != VER_DEF_CURRENT)
			return false;
		if (!(vd.vd_flags & VER_FLG_BASE) && (vd.vd_ndx & 0x7fff) == vs) {
			ElfW(Verdaux) aux;
			size_t aux_off;
			if (vd.vd_cnt == 0 ||
			    __builtin_add_overflow(off, vd.vd_aux, &aux_off) ||
			    !copy_out(im, aux_off, &aux, sizeof(aux)))
				return false;
			return str_equals(im, di, aux.vda_name, version);
		}
		if (vd.vd_next == 0 || __builtin_add_overflow(off, vd.vd_next, &off))
			return false;
	}
	return false;
}

/* Is symbol index idx the defined function we want?  *value gets its image
 * offset. */
static bool symbol_matches(const struct image *im, const struct dyn_info *di,
                           size_t idx, const char *name, const char *version,
                           size_t *value)
{
	ElfW(Sym) sym;
	size_t off;

	if (!index_off(di->symtab, idx, sizeof(sym), &off) ||
	    !copy_out(im, off, &sym, sizeof(sym)))
		return false;
	if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
		return false;
	if (ELF64_ST_BIND(sym.st_info) != STB_GLOBAL &&
	    ELF64_ST_BIND(sym.st_info) != STB_WEAK)
		return false;
	if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS)
		return false;
	if (!str_equals(im, di, sym.st_name, name))
		return false;
	if (!version_matches(im, di, idx, version))
		return false;
	return vaddr_to_off(im, di, sym.st_value, value);
}

static uint32_t gnu_hash_of(const char *s)
{
	uint32_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static uint32_t sysv_hash_of(const char *s)
{
	uint32_t h = 0;
	for (; *s; s++) {
		h = (h << 4) + (unsigned char)*s;
		uint32_t g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static bool lookup_gnu(const struct image *im, const struct dyn_info *di,
                       const char *name, const char *version, size_t *value)
{
	uint32_t hdr[4]; /* nbuckets, symoffset, bloom words, bloom shift */
	size_t buckets, chains, off;
	uint32_t h = gnu_hash_of(name), bucket;

	if (!copy_out(im, di->gnu_hash, hdr, sizeof(hdr)) || hdr[0] == 0)
		return false;
	if (!index_off(di->gnu_hash + sizeof(hdr), hdr[2], sizeof(ElfW(Addr)), &buckets) ||
	    !index_off(buckets, hdr[0], sizeof(uint32_t), &chains) ||
	    !index_off(buckets, h % hdr[0], sizeof(uint32_t), &off) ||
	    !copy_out(im, off, &bucket, sizeof(bucket)))
		return false;
	if (bucket < hdr[1])
		return false; /* empty bucket */

	/* Chain entries are consecutive and the walk only moves forward, so
	 * the bounds check on each read also bounds the loop. */
	for (size_t idx = bucket;; idx++) {
		uint32_t ch;
		if (!index_off(chains, idx - hdr[1], sizeof(ch), &off) ||
		    !copy_out(im, off, &ch, sizeof(ch)))
			return false;
		if ((ch | 1u) == (h | 1u) &&
		    symbol_matches(im, di, idx, name, version, value))
			return true;
		if (ch & 1u)
			return false;
	}
}

static bool lookup_sysv(const struct image *im, const struct dyn_info *di,
                        const char *name, const char *version, size_t *value)
{
	hash_word hdr[2]; /* nbucket, nchain */
	hash_word idx;
	size_t buckets, chains, off;

	if (!copy_out(im, di->hash, hdr, sizeof(hdr)) || hdr[0] == 0)
		return false;
	buckets = di->hash + sizeof(hdr);
	size_t chain_bytes;
	/* Both arrays must lie inside the image: that bounds nchain, and with
	 * it the walk below, by the image size rather than by the image's
	 * word (a hostile nchain of 2^32 would otherwise mean 2^32 steps). */
	if (!index_off(buckets, hdr[0], sizeof(hash_word), &chains) ||
	    !index_off(0, hdr[1], sizeof(hash_word), &chain_bytes) ||
	    !in_bounds(im, chains, chain_bytes) ||
	    !index_off(buckets, sysv_hash_of(name) % hdr[0], sizeof(idx), &off) ||
	    !copy_out(im, off, &idx, sizeof(idx)))
		return false;

	/* A malformed chain can loop; nchain bounds the number of symbols. */
	for (hash_word steps = 0; idx != STN_UNDEF && steps < hdr[1]; steps++) {
		if (idx >= hdr[1])
			return false;
		if (symbol_matches(im, di, idx, name, version, value))
			return true;
		if (!index_off(chains, idx, sizeof(idx), &off) ||
		    !copy_out(im, off, &idx, sizeof(idx)))
			return false;
	}
	return false;
}

bool vdso_lookup(const void *image, size_t len, const char *name,
                 const char *version, size_t *offset)
{
	const struct image im = { image, len };
	struct dyn_info di;

	if (!image || !name || !read_dynamic(&im, &di))
		return false;
	if (di.has_gnu_hash)
		return lookup_gnu(&im, &di, name, version, offset);
	return lookup_sysv(&im, &di, name, version, offset);
}
