/* SPDX-License-Identifier: MIT */
#include "syscall_path.h"
#include "getrandom_abi.h"
#include "hot_path.h"
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool saw_enosys;

bool syscall_path_saw_enosys(void)
{
	return __atomic_load_n(&saw_enosys, __ATOMIC_RELAXED);
}

/* Kernels before 3.17 have no getrandom.  /dev/urandom is the same
 * generator there; it is opened per call (O_CLOEXEC) rather than cached,
 * because programs that close every descriptor would break a cached one. */
static ssize_t urandom_read(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t done = 0;
	int fd, saved;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		errno = ENOSYS;
		return -1;
	}
	while (done < len) {
		ssize_t r = read(fd, p + done, len - done);
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR && done == 0) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (r < 0 && errno == EINTR)
			break; /* a short count, as getrandom gives on a signal */
		saved = r < 0 ? errno : EIO;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return (ssize_t)done;
}

#ifdef SYS_getrandom
/* The system call, returning -errno.  On x86_64 and aarch64 it is made
 * here: libc's syscall() is reached through the PLT, and binding that
 * lazily, in the process's first request (backend_defer_first()), costs
 * about half a system call more in a fresh process. */
static inline long getrandom_call(void *buf, size_t len, unsigned int flags)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	long r;
	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "0"((long)SYS_getrandom), "D"(buf), "S"(len), "d"((unsigned long)flags)
	                 : "rcx", "r11", "memory");
	return r;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_getrandom;
	register long x0 __asm__("x0") = (long)buf;
	register size_t x1 __asm__("x1") = len;
	register unsigned long x2 __asm__("x2") = flags;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
#else
	long r = syscall(SYS_getrandom, buf, len, flags);
	return r < 0 ? -errno : r;
#endif
}
#endif

VGR_HOT_PATH ssize_t syscall_getrandom(void *buf, size_t len, unsigned int flags)
{
#ifdef SYS_getrandom
	VGR_COUNT(vgr_stat_syscall());
	long r = getrandom_call(buf, len, flags);
	if (r >= 0)
		return (ssize_t)r;
	if (r != -ENOSYS) {
		errno = (int)-r;
		return -1;
	}
#endif
	__atomic_store_n(&saw_enosys, true, __ATOMIC_RELAXED);
	return urandom_read(buf, len);
}

bool syscall_refuses_insecure(void)
{
#ifdef SYS_getrandom
	int saved = errno; /* an answer, not an error of the request's */
	VGR_COUNT(vgr_stat_syscall());
	bool refused = getrandom_call(NULL, 0, GRND_INSECURE) == -EINVAL;
	errno = saved;
	return refused;
#else
	return false;
#endif
}

#ifdef VGR_TESTING
static __thread unsigned long fallbacks;

unsigned long vgr_test_syscall_fallbacks(void)
{
	return fallbacks;
}
#endif

VGR_HOT_PATH ssize_t syscall_serve(void *buf, size_t len, unsigned int flags, int why,
                                  bool is_request)
{
	if (why) {
#ifdef VGR_TESTING
		fallbacks++;
#endif
		VGR_EVENT2(fallback, why, len);
	}
	ssize_t r = syscall_getrandom(buf, len, flags);
	if (is_request && r >= 0)
		VGR_EVENT3(request, len, flags, VGR_PATH_SYSCALL);
	return r;
}
