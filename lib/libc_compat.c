/* SPDX-License-Identifier: MIT */
/*
 * The libc names: getrandom, getentropy, arc4random, arc4random_buf,
 * arc4random_uniform, with exactly glibc's contracts, so a program linked
 * with -lvgetrandom, or any binary run with the library in LD_PRELOAD, gets
 * them from here.
 *
 * Binaries reference these with glibc's symbol versions (getrandom@GLIBC_2.25,
 * arc4random@GLIBC_2.36...).  The dynamic linker binds a versioned reference
 * only to a definition in a version node of the same name (or an unversioned
 * one), so libvgetrandom.map defines the nodes GLIBC_2.25 and GLIBC_2.36 for
 * these, beside the library's own VGETRANDOM_0.1.  glibc's getentropy and
 * arc4random call the system call internally, not getrandom(), which is why
 * each is defined here rather than only getrandom.
 */
#include "vgetrandom.h"

#include "entry.h"
#include "export.h"
#include "hot_path.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/random.h>


/* Older libcs (glibc < 2.36, musl) do not declare all of these; the
 * prototypes are the ones glibc declares. */
ssize_t getrandom(void *buf, size_t len, unsigned int flags);
int getentropy(void *buf, size_t len);
uint32_t arc4random(void);
void arc4random_buf(void *buf, size_t len);
uint32_t arc4random_uniform(uint32_t upper);

VGR_EXPORT VGR_HOT_PATH ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	return vgr_getrandom(buf, len, flags);
}

/* glibc: at most 256 bytes (EIO beyond), blocks until the kernel's
 * generator is ready, retries interrupted calls, never returns short. */
VGR_EXPORT int getentropy(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t done = 0;

	if (len > 256) {
		errno = EIO;
		return -1;
	}
	while (done < len) {
		ssize_t r = vgr_getrandom(p + done, len - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/* arc4random* cannot fail: like glibc, end the process if no path can
 * produce random bytes (a seccomp filter denying getrandom, say). */
static __attribute__((noreturn, cold)) void no_entropy(int err)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg),
	                 "libvgetrandom: cannot get random bytes for arc4random: %s\n",
	                 strerror(err));
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	abort();
}

VGR_EXPORT void arc4random_buf(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t r = vgr_getrandom(p, len, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			no_entropy(errno);
		}
		p += r;
		len -= (size_t)r;
	}
}

VGR_EXPORT uint32_t arc4random(void)
{
	uint32_t v;
	arc4random_buf(&v, sizeof(v));
	return v;
}

/* Uniform in [0, upper) without modulo bias: multiply a 32-bit value by
 * upper and keep the high half, rejecting the few low halves that would
 * make some results more likely (Lemire's method; the rejection
 * probability is below upper / 2^32). */
VGR_EXPORT uint32_t arc4random_uniform(uint32_t upper)
{
	if (upper < 2)
		return 0;
	uint64_t m = (uint64_t)arc4random() * upper;
	uint32_t low = (uint32_t)m;
	if (low < upper) {
		uint32_t threshold = -upper % upper;
		while (low < threshold) {
			m = (uint64_t)arc4random() * upper;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}
