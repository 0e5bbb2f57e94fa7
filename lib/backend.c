/* SPDX-License-Identifier: MIT */
/*
 * Choosing the backend, once per process.
 *
 * VGETRANDOM_BACKEND=auto|vdso|syscall pins a path (for tests and the
 * bench).  It is read with secure_getenv, so a setuid program ignores it.
 * Whatever is asked for, the result can only be a path that produces
 * kernel-grade random bytes: asking for the vDSO where there is none gives
 * the system call.
 */
#include "backend.h"
#include "thread_state.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int chosen; /* enum vgr_backend; 0 until chosen */
static struct vdso_getrandom vdso;
static bool have_vdso;

enum request { REQ_AUTO, REQ_VDSO, REQ_SYSCALL };

static enum request read_request(void)
{
	const char *v = secure_getenv("VGETRANDOM_BACKEND");

	if (!v || !*v || strcmp(v, "auto") == 0)
		return REQ_AUTO;
	if (strcmp(v, "vdso") == 0)
		return REQ_VDSO;
	if (strcmp(v, "syscall") == 0)
		return REQ_SYSCALL;
	fprintf(stderr, "libvgetrandom: VGETRANDOM_BACKEND=%s is not one of "
	        "auto, vdso, syscall; using auto\n", v);
	return REQ_AUTO;
}

static void choose(void)
{
	enum request req = read_request();
	int result = VGR_BACKEND_SYSCALL;

	if (req != REQ_SYSCALL && vdso_getrandom_probe(&vdso) &&
	    thread_state_init(&vdso)) {
		have_vdso = true;
		result = VGR_BACKEND_VDSO;
	} else if (req == REQ_VDSO) {
		fprintf(stderr, "libvgetrandom: VGETRANDOM_BACKEND=vdso, but this "
		        "kernel offers no usable vgetrandom vDSO; using the "
		        "getrandom system call\n");
	}
	__atomic_store_n(&chosen, result, __ATOMIC_RELEASE);
}

/* Choose at load time, so the first call (possibly from a signal handler,
 * where pthread_once is not async-signal-safe) finds it done. */
__attribute__((constructor)) static void choose_at_load(void)
{
	pthread_once(&once, choose);
}

enum vgr_backend backend_current(void)
{
	int b = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
	if (__builtin_expect(b == 0, 0)) {
		pthread_once(&once, choose);
		b = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
	}
	return (enum vgr_backend)b;
}

const struct vdso_getrandom *backend_vdso(void)
{
	return backend_current() == VGR_BACKEND_VDSO && have_vdso ? &vdso : NULL;
}
