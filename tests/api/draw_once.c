/* SPDX-License-Identifier: MIT */
/*
 * draw-once [N]: an unmodified program's one request, libc's getrandom()
 * of N bytes (default 16), then exit 0; exit 1 if it failed.  For
 * tests/api/test_start_free.sh: what a process that draws once pays.
 */
#include <stdlib.h>
#include <sys/random.h>

int main(int argc, char **argv)
{
	unsigned char b[256];
	size_t n = argc > 1 ? (size_t)atoi(argv[1]) : 16;
	if (n > sizeof(b))
		return 2;
	return getrandom(b, n, 0) == (ssize_t)n ? 0 : 1;
}
