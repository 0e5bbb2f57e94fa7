/* SPDX-License-Identifier: MIT */
/*
 * A password generator: each character drawn uniformly from an alphabet
 * with arc4random_uniform(), which has no modulo bias.  Linked with
 * -lvgetrandom, arc4random_uniform comes from the library.
 *
 *   password [LENGTH]     (default 20)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t arc4random_uniform(uint32_t upper); /* glibc < 2.36 lacks it */

int main(int argc, char **argv)
{
	static const char alphabet[] =
		"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!";
	const uint32_t n = (uint32_t)(sizeof(alphabet) - 1);
	long len = argc > 1 ? strtol(argv[1], NULL, 10) : 20;

	if (len < 1 || len > 4096) {
		fprintf(stderr, "usage: %s [LENGTH 1-4096]\n", argv[0]);
		return 2;
	}
	for (long i = 0; i < len; i++)
		putchar(alphabet[arc4random_uniform(n)]);
	putchar('\n');
	return 0;
}
