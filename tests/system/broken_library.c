/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for libvgetrandom that loads fine and exports every name with
 * the real library's versions and soname, but whose bytes are all zero:
 * what `vgetrandom system enable` must refuse to put in /etc/ld.so.preload
 * (tests/system/system_command.sh).  Never installed.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT ssize_t vgetrandom(void *buf, size_t len, unsigned int flags);
EXPORT const char *vgetrandom_backend(void);
EXPORT int vgetrandom_reseed(void);
EXPORT ssize_t getrandom(void *buf, size_t len, unsigned int flags);
EXPORT int getentropy(void *buf, size_t len);
EXPORT uint32_t arc4random(void);
EXPORT void arc4random_buf(void *buf, size_t len);
EXPORT uint32_t arc4random_uniform(uint32_t bound);
EXPORT int vgetrandom_provider(void);
EXPORT const char *vgetrandom_chacha_kernel(void);
EXPORT const char *vgetrandom_chacha_kernels(unsigned int i);

ssize_t vgetrandom(void *buf, size_t len, unsigned int flags)
{
	(void)flags;
	memset(buf, 0, len);
	return (ssize_t)len;
}
const char *vgetrandom_backend(void) { return "broken"; }
int vgetrandom_reseed(void) { return 0; }
ssize_t getrandom(void *buf, size_t len, unsigned int flags) { return vgetrandom(buf, len, flags); }
int getentropy(void *buf, size_t len)
{
	if (len > 256) {
		errno = EIO;
		return -1;
	}
	memset(buf, 0, len);
	return 0;
}
uint32_t arc4random(void) { return 0; }
void arc4random_buf(void *buf, size_t len) { memset(buf, 0, len); }
uint32_t arc4random_uniform(uint32_t bound) { (void)bound; return 0; }
/* The VGETRANDOM_0.2 names: a program bound at load (-z now, as Debian's
 * hardened builds of the command are) needs every name it references. */
int vgetrandom_provider(void) { return 0; }
const char *vgetrandom_chacha_kernel(void) { return NULL; }
const char *vgetrandom_chacha_kernels(unsigned int i) { (void)i; return NULL; }
