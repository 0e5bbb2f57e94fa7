/* SPDX-License-Identifier: MIT */
#ifndef VGR_BACKEND_H
#define VGR_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>


/* The backends, X(ID, code, name): name is what VGETRANDOM_BACKEND asks
 * for. */
#define VGR_BACKENDS(X)                                                  \
	X(SYSCALL, 1, "syscall") /* the getrandom system call */          \
	X(VDSO, 2, "vdso")       /* the vDSO with a per-thread state */   \
	X(HYBRID, 3, "hybrid")   /* the vDSO, large requests expanded locally */ \
	X(CHACHA, 4, "chacha")   /* the userspace ChaCha20 generator */

#define VGR_BACKEND_ENUM(id, code, name) VGR_BACKEND_##id = code,
enum vgr_backend { VGR_BACKENDS(VGR_BACKEND_ENUM) };
#undef VGR_BACKEND_ENUM

/* The backend serving this process, chosen once (VGETRANDOM_BACKEND, then
 * what the kernel offers), waiting for a choice under way elsewhere. */
enum vgr_backend backend_current(void);
/* The same without waiting, for a request: 0 while the choice is under way
 * in another thread or below a signal handler on this one (the system call
 * serves then).  Async-signal-safe. */
int backend_start(void);

/* Whether a request of len bytes, on a process not yet set up, is the
 * first one and small enough that the system call serves it without
 * starting the setup (backend.c says why).  Claims the first request:
 * true once per process.  Async-signal-safe. */
bool backend_defer_first(size_t len);

#ifdef VGR_TESTING
/* fn runs inside the choice, where a signal handler would do most harm. */
void vgr_test_backend_during_setup(void (*fn)(void));
/* How many times the choice was made (once per process, or again in a
 * child forked while another thread was making it). */
unsigned long vgr_test_backend_setups(void);
#endif

/* Its name as vgetrandom_backend() reports it, and its parts: the
 * provider (VGETRANDOM_PROVIDER_*) and the ChaCha20 kernel it runs (NULL
 * when none). */
const char *backend_name(void);
int backend_provider(void);
const char *backend_chacha_kernel(void);

#endif
