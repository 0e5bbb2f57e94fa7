/* SPDX-License-Identifier: MIT */
/*
 * getrandom(2) never blocks with GRND_INSECURE, even while the kernel's
 * RNG is not ready yet (early boot).  A kernel in that state is emulated
 * with a seccomp user-notification supervisor (a thread started before the
 * filter, so not under it): a getrandom with GRND_INSECURE runs for real,
 * one with GRND_NONBLOCK gets EAGAIN, and a blocking one is held HOLD_MS
 * before it runs.  Then, on the backend under test, each of these must
 * return in well under HOLD_MS, with bytes: vgetrandom(16, GRND_INSECURE),
 * vgetrandom(600, GRND_INSECURE), libc's getrandom(16, GRND_INSECURE), and
 * the same after vgetrandom_reseed().  A blocking call must still wait on
 * the backends that ask the kernel for it (chacha: an unseeded state;
 * syscall), which shows the emulation holds.
 *
 * The vDSO believes the RNG ready (it is) and keys a new state with a
 * blocking system call, which the emulation would hold: on the vdso and
 * hybrid backends the thread's state is keyed before the filter goes on.
 *
 * Exit 0 pass, 1 fail, 77 skip (no seccomp user notification here).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>

#include "seccomp_filter.h"
#include "vgetrandom.h"

#define HOLD_MS 2000
#define QUICK_MS 500 /* a call that took longer waited for the emulation */

static int listener = -1;
static int fd_pipe[2];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *supervise(void *arg)
{
	(void)arg;
	struct seccomp_notif_sizes sizes;
	if (read(fd_pipe[0], &listener, sizeof(listener)) != sizeof(listener) ||
	    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0)
		return NULL;
	struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
	if (!req || !resp)
		return NULL;
	for (;;) {
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		unsigned flags = (unsigned)req->data.args[2];
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		if (flags & GRND_INSECURE) {
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		} else if (flags & GRND_NONBLOCK) {
			resp->error = -EAGAIN;
		} else {
			struct timespec hold = { HOLD_MS / 1000, (HOLD_MS % 1000) * 1000000L };
			nanosleep(&hold, NULL);
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		}
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	return NULL;
}

static int not_ready_kernel(void)
{
	struct sock_filter f[] = {
		SECCOMP_LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	int fd = install_seccomp_filter(f, sizeof(f) / sizeof(f[0]),
	                                SECCOMP_FILTER_FLAG_NEW_LISTENER);
	if (fd < 0)
		return -1;
	return write(fd_pipe[1], &fd, sizeof(fd)) == sizeof(fd) ? 0 : -1;
}

static int fails;

static int has_bytes(const unsigned char *b, size_t n)
{
	size_t zero = 0;
	for (size_t i = 0; i < n; i++)
		zero += b[i] == 0;
	return zero < n / 4 + 2; /* 16 random bytes: >= 6 zeros about once in 10^9 */
}

/* One call: how long it took; FAIL when slow or without bytes. */
static void quick(const char *what, ssize_t (*call)(void *, size_t, unsigned), size_t n)
{
	static unsigned char buf[600];
	memset(buf, 0, sizeof(buf));
	double t0 = now_ms();
	ssize_t r = call(buf, n, GRND_INSECURE);
	double ms = now_ms() - t0;
	int ok = r == (ssize_t)n && ms < QUICK_MS && has_bytes(buf, n);
	printf("%s %s: %zd bytes in %.1f ms\n", ok ? "ok  " : "FAIL", what, r, ms);
	fails += !ok;
}

static ssize_t via_vgetrandom(void *b, size_t n, unsigned f)
{
	return vgetrandom(b, n, f);
}

static ssize_t via_libc(void *b, size_t n, unsigned f)
{
	return getrandom(b, n, f);
}

int main(void)
{
	const char *backend = vgetrandom_backend();
	int vdso = vgetrandom_provider() == VGETRANDOM_PROVIDER_VDSO;
	unsigned char b[16];

	if (getenv("VGR_UNDER_VALGRIND")) {
		printf("skip: valgrind runs the system calls itself\n");
		return 77;
	}
	if (vdso && vgetrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return 1;
	pthread_t sup;
	if (pipe(fd_pipe) != 0 || pthread_create(&sup, NULL, supervise, NULL) != 0)
		return 1;
	if (not_ready_kernel() != 0) {
		printf("skip: no seccomp user notification here (%s)\n", strerror(errno));
		return 77;
	}
	printf("backend %s, the kernel's RNG not ready (emulated)\n", backend);
	quick("vgetrandom(16, GRND_INSECURE)", via_vgetrandom, 16);
	quick("vgetrandom(600, GRND_INSECURE)", via_vgetrandom, 600);
	quick("getrandom(16, GRND_INSECURE)", via_libc, 16);
	vgetrandom_reseed();
	quick("after vgetrandom_reseed(): vgetrandom(16, GRND_INSECURE)", via_vgetrandom, 16);
	quick("after vgetrandom_reseed(): vgetrandom(600, GRND_INSECURE)", via_vgetrandom, 600);
	if (!vdso) {
		double t0 = now_ms();
		ssize_t r = vgetrandom(b, sizeof(b), 0);
		double ms = now_ms() - t0;
		int ok = r == (ssize_t)sizeof(b) && ms >= HOLD_MS * 0.9;
		printf("%s a blocking vgetrandom(16, 0) waited for the kernel: %.0f ms\n",
		       ok ? "ok  " : "FAIL", ms);
		fails += !ok;
	}
	return fails ? 1 : 0;
}
