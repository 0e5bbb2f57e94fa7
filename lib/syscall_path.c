/* SPDX-License-Identifier: MIT */
#include "syscall_path.h"
#include "getrandom_abi.h"
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

ssize_t syscall_getrandom(void *buf, size_t len, unsigned int flags)
{
#ifdef SYS_getrandom
	VGR_COUNT(vgr_stat_syscall());
	long r = syscall(SYS_getrandom, buf, len, flags);
	if (r >= 0 || errno != ENOSYS)
		return (ssize_t)r;
#endif
	__atomic_store_n(&saw_enosys, true, __ATOMIC_RELAXED);
	return urandom_read(buf, len);
}

bool syscall_refuses_insecure(void)
{
#ifdef SYS_getrandom
	int saved = errno; /* an answer, not an error of the request's */
	VGR_COUNT(vgr_stat_syscall());
	bool refused = syscall(SYS_getrandom, NULL, 0, GRND_INSECURE) < 0 && errno == EINVAL;
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

ssize_t syscall_serve(void *buf, size_t len, unsigned int flags, int why, bool is_request)
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
