/* SPDX-License-Identifier: MIT */
/*
 * libvgetrandom: getrandom(2) served from the kernel's vgetrandom vDSO.
 *
 * vgetrandom() has exactly the contract of the getrandom(2) system call:
 * same return values, same errno values, same flags.  It never replaces
 * or interposes any libc function.
 */
#ifndef VGETRANDOM_H
#define VGETRANDOM_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The getrandom(2) flags, defined here too for libcs whose <sys/random.h>
 * predates them.  The values are the kernel ABI. */
#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif
#ifndef GRND_RANDOM
#define GRND_RANDOM 0x0002
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

/*
 * Fill buf with up to len random bytes.  Returns the number of bytes
 * written (at most 0x7ffff000 per call, like the system call) or -1 with
 * errno set: EINVAL for unknown flags or GRND_RANDOM|GRND_INSECURE, EAGAIN
 * (GRND_NONBLOCK before the kernel's generator is ready), EINTR, EFAULT
 * (buf NULL with len > 0), ENOSYS (no getrandom and no /dev/urandom).
 *
 * Async-signal-safe and thread-safe.
 */
ssize_t vgetrandom(void *buf, size_t len, unsigned int flags);

/*
 * The name of the path that serves this process now:
 *   "vdso+chacha-<kernel>"  the kernel's vDSO with a per-thread state, and
 *                           large requests expanded locally from a fresh
 *                           vDSO key with a SIMD ChaCha20 kernel (default)
 *   "vdso"                  the vDSO alone (VGETRANDOM_BACKEND=vdso)
 *   "chacha-<kernel>"       the userspace ChaCha20 generator, seeded from
 *                           the getrandom system call (no vDSO)
 *   "syscall"               the getrandom system call
 *   "urandom"               /dev/urandom, on kernels without getrandom
 * <kernel> is one of portable, sse2, avx2, avx512, avx512vl, neon.  The
 * string is static; never free it.  A program that acts on the parts asks
 * for them below rather than taking the string apart.
 */
const char *vgetrandom_backend(void);

/* What makes the bytes, as vgetrandom_provider() returns it. */
#define VGETRANDOM_PROVIDER_SYSCALL 1   /* the getrandom system call */
#define VGETRANDOM_PROVIDER_URANDOM 2   /* /dev/urandom (no getrandom) */
#define VGETRANDOM_PROVIDER_VDSO 3      /* the vDSO, a state per thread */
#define VGETRANDOM_PROVIDER_GENERATOR 4 /* the userspace ChaCha20 generator */
int vgetrandom_provider(void);

/*
 * The ChaCha20 kernel this process runs, for the generator and for large
 * requests expanded from a fresh key ("avx2", ...), or NULL when none
 * serves (the vDSO alone, the system call).  Static; never free it.
 */
const char *vgetrandom_chacha_kernel(void);

/*
 * The i-th ChaCha20 kernel this build and CPU can run, fastest first, for
 * i from 0; NULL past the last.  These are the names VGETRANDOM_CHACHA
 * accepts; "portable" is always one.
 */
const char *vgetrandom_chacha_kernels(unsigned int i);

/*
 * Make every thread's userspace generator state reseed from the kernel
 * before its next output.  The vDSO paths need no such call (the kernel
 * rekeys their states itself); there it changes nothing.  Returns 0.
 * Async-signal-safe.
 */
int vgetrandom_reseed(void);

#ifdef __cplusplus
}
#endif

#endif /* VGETRANDOM_H */
