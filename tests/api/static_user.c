/* SPDX-License-Identifier: MIT */
/*
 * A statically linked program using the library: 1000 calls of
 * vgetrandom() and 1000 of libc's getrandom() name (which the archive
 * defines too, and a static link takes from it: it comes before libc).
 * Prints the backend; exit 0 if every call filled its buffer.
 * Built and run by check-install.sh (glibc) and tests/harness.sh (musl).
 */
#include <stdio.h>
#include <sys/types.h>
#include <vgetrandom.h>

ssize_t getrandom(void *buf, size_t len, unsigned int flags);

int main(void)
{
	unsigned char b[16];

	for (int i = 0; i < 1000; i++)
		if (vgetrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b) ||
		    getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
			return 1;
	printf("%s\n", vgetrandom_backend());
	return 0;
}
