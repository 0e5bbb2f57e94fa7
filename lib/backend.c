/* SPDX-License-Identifier: MIT */
/*
 * Choosing the backend, once per process.
 *
 * VGETRANDOM_BACKEND=auto|vdso|hybrid|chacha|syscall pins a path (for tests
 * and the bench).  It is read with secure_getenv, so a setuid program
 * ignores it.  Whatever is asked for, the result is always a path that
 * produces bytes from the kernel's generator or from a generator seeded by
 * it: asking for the vDSO where there is none gives the userspace
 * generator, and a generator that cannot be set up gives the system call.
 *
 * A copy of the library loaded with dlmopen() into a namespace of its own
 * uses the system call whatever is asked: glibc runs no pthread key
 * destructor registered through a secondary namespace's libc, so exited
 * threads' states would never come back (glibc uses the vDSO only in the
 * initial namespace too).
 */
#include "backend.h"
#include "chacha.h"
#include "generator.h"
#include "bulk.h"
#include "config.h"
#include "getrandom_abi.h"
#include "state_arena.h"
#include "syscall_path.h"
#include "thread_state.h"
#include "vdso_getrandom.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int chosen; /* enum vgr_backend; 0 until chosen */
static bool have_vdso;
static char name[48];

#define VGR_BACKEND_NAME(id, code, name) [code] = name,
static const char *const requests[] = { [0] = "auto", VGR_BACKENDS(VGR_BACKEND_NAME) };
#undef VGR_BACKEND_NAME

/* 0 for auto, else the backend asked for (enum vgr_backend). */
static int read_request(void)
{
	return (int)config_choice("VGETRANDOM_BACKEND", requests,
	                          sizeof(requests) / sizeof(requests[0]), 0);
}

/* VGETRANDOM_HYBRID_MIN=N moves the hybrid threshold (bench/ uses it to
 * measure the crossover). */
static size_t read_hybrid_min(void)
{
	return config_number("VGETRANDOM_HYBRID_MIN", 1, VGR_MAX_RW_COUNT, VGR_BULK_MIN_VDSO);
}

/* Whether this copy of the library lives in a namespace other than the
 * initial one (dlmopen). */
static bool in_secondary_namespace(void)
{
#ifdef __GLIBC__
	Dl_info info;
	struct link_map *self = NULL;
	Lmid_t ns = LM_ID_BASE;
	if (dladdr1((void *)(uintptr_t)in_secondary_namespace, &info, (void **)&self,
	            RTLD_DL_LINKMAP) && self && dlinfo(self, RTLD_DI_LMID, &ns) == 0)
		return ns != LM_ID_BASE;
#endif
	return false;
}

static bool start_vdso(void)
{
	struct vdso_getrandom vdso;

	if (!vdso_getrandom_probe(&vdso))
		return false;
	/* No state can be mapped the way the kernel asks (MAP_DROPPABLE
	 * refused): every call would be a system call while the name said
	 * vDSO.  The generator, on memory it can map, serves instead. */
	if (!arena_can_map(vdso.provider.mmap_prot, vdso.provider.mmap_flags, NULL))
		return false;
	return have_vdso = thread_state_init(&vdso.provider);
}

static bool start_generator(void)
{
	struct vgr_provider p;
	return generator_probe(&p) && thread_state_init(&p);
}

static void choose(void)
{
	int req = read_request();
	int result = VGR_BACKEND_SYSCALL;

	if (req == VGR_BACKEND_SYSCALL || in_secondary_namespace()) {
		result = VGR_BACKEND_SYSCALL;
	} else if (req != VGR_BACKEND_CHACHA && start_vdso()) {
		result = req == VGR_BACKEND_VDSO ? VGR_BACKEND_VDSO : VGR_BACKEND_HYBRID;
	} else if (start_generator()) {
		result = VGR_BACKEND_CHACHA;
	}
	if ((req == VGR_BACKEND_VDSO || req == VGR_BACKEND_HYBRID) && !have_vdso)
		fprintf(stderr, "libvgetrandom: VGETRANDOM_BACKEND=%s, but this "
		        "kernel offers no usable vgetrandom vDSO (or its state "
		        "memory cannot be mapped); using %s\n",
		        requests[req], requests[result]);

	switch (result) {
	case VGR_BACKEND_HYBRID:
		snprintf(name, sizeof(name), "vdso+chacha-%s", chacha_impl()->name);
		bulk_enable(read_hybrid_min());
		break;
	case VGR_BACKEND_CHACHA:
		snprintf(name, sizeof(name), "chacha-%s", chacha_impl()->name);
		bulk_enable(VGR_BULK_MIN_GENERATOR);
		break;
	default:
		snprintf(name, sizeof(name), "%s", requests[result]);
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

int backend_provider(void)
{
	switch (backend_current()) {
	case VGR_BACKEND_VDSO:
	case VGR_BACKEND_HYBRID:
		return VGETRANDOM_PROVIDER_VDSO;
	case VGR_BACKEND_CHACHA:
		return VGETRANDOM_PROVIDER_GENERATOR;
	default:
		return syscall_path_saw_enosys() ? VGETRANDOM_PROVIDER_URANDOM
		                                 : VGETRANDOM_PROVIDER_SYSCALL;
	}
}

const char *backend_chacha_kernel(void)
{
	enum vgr_backend b = backend_current();
	return b == VGR_BACKEND_HYBRID || b == VGR_BACKEND_CHACHA ? chacha_impl()->name : NULL;
}

const char *backend_name(void)
{
	if (backend_provider() == VGETRANDOM_PROVIDER_URANDOM)
		return "urandom";
	return name;
}
