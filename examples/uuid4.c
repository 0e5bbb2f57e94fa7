/* SPDX-License-Identifier: MIT */
/* Print a random (version 4) UUID, using vgetrandom() for the 122 random bits. */
#include <stdio.h>
#include <vgetrandom.h>

int main(void)
{
	unsigned char u[16];

	if (vgetrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u)) {
		perror("vgetrandom");
		return 1;
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 9562 variant */
	printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	       "%02x%02x%02x%02x%02x%02x\n",
	       u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
	       u[10], u[11], u[12], u[13], u[14], u[15]);
	return 0;
}
