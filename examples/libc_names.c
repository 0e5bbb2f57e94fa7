/* SPDX-License-Identifier: MIT */
/*
 * A program written against libc alone: getrandom(), getentropy() and
 * arc4random_buf().  Link it with `pkg-config --cflags --libs vgetrandom`
 * and the same calls are served by libvgetrandom, with no code change:
 *
 *   cc -o libc_names libc_names.c $(pkg-config --cflags --libs vgetrandom)
 *
 * (Or leave it unlinked and run it as `vgetrandom exec ./libc_names`.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

void arc4random_buf(void *buf, size_t len); /* glibc < 2.36 lacks it */

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	unsigned char a[16], b[16], c[16];
	unsigned long x = 0;

	for (long i = 0; i < n; i++) {
		if (getrandom(a, sizeof(a), 0) != (ssize_t)sizeof(a) ||
		    getentropy(b, sizeof(b)) != 0) {
			perror("random");
			return 1;
		}
		arc4random_buf(c, sizeof(c));
		x ^= (unsigned long)a[0] ^ b[0] ^ c[0];
	}
	printf("ok %ld rounds (%lu)\n", n, x);
	return 0;
}
