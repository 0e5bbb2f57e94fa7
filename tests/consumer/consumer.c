/* SPDX-License-Identifier: MIT */
/* A program of another project that uses the library: 32 random bytes,
 * not all zero (chance 2^-256), and the backend's name. */
#include <stdio.h>
#include <string.h>
#include <vgetrandom.h>

int main(void)
{
	unsigned char b[32];
	static const unsigned char zero[32];

	if (vgetrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b) || !memcmp(b, zero, sizeof(b)))
		return 1;
	printf("%s\n", vgetrandom_backend());
	return 0;
}
