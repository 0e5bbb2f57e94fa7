/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the vDSO ELF parser: any bytes as an image.  Built
 * with clang -fsanitize=fuzzer,address,undefined by tests/harness.sh, which
 * seeds the corpus with this machine's real vDSO (FUZZ_DUMP_VDSO=FILE makes
 * the binary write it and exit).  A lookup must never read outside the
 * input, never loop without end, and any offset it returns lies inside.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "vdso_lookup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *out = getenv("FUZZ_DUMP_VDSO");
	if (!out)
		return 0;
	const void *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	size_t len = base ? vdso_image_size(base, (size_t)sysconf(_SC_PAGESIZE)) : 0;
	FILE *f = fopen(out, "wb");
	if (!f || !len || fwrite(base, 1, len, f) != len)
		exit(1);
	fclose(f);
	exit(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[][2] = {
		{ "__vdso_getrandom", "LINUX_2.6" },
		{ "__vdso_clock_gettime", "LINUX_2.6" },
		{ "__kernel_getrandom", "LINUX_2.6.39" },
		{ "__vdso_getrandom", NULL },
	};
	/* A private copy of exactly size bytes: ASan sees any overread. */
	uint8_t *img = malloc(size ? size : 1);
	if (!img)
		return 0;
	memcpy(img, data, size);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t off = (size_t)-1;
		if (vdso_lookup(img, size, names[i][0], names[i][1], &off) && off >= size)
			abort();
	}
	(void)vdso_image_size(img, size);
	free(img);
	return 0;
}
