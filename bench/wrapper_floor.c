/* SPDX-License-Identifier: MIT */
/*
 * The least a library wrapped around the vDSO can cost, for the bench's
 * paired line (vgetrandom-bench --paired loads this module the way it
 * loads the library, and calls both through a pointer).  Benchmark only:
 * neither is safe to use (no signal, fork or thread-exit handling, one
 * state for the whole process).
 *
 *   wrapper_floor_tail      jumps to the vDSO with one process-wide state:
 *                           what any exported function adds (call, loads)
 *   wrapper_floor_contract  a per-thread state from TLS, getrandom(2)'s
 *                           argument checks, and -errno turned into -1 and
 *                           errno, which makes the vDSO call a real call
 *                           rather than a jump: the least a getrandom()
 *                           that keeps the system call's contract needs
 */
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

typedef ssize_t (*vdso_fn)(void *, size_t, unsigned int, void *, size_t);

#define EXPORT __attribute__((visibility("default")))
EXPORT void wrapper_floor_setup(vdso_fn fn, void *state, size_t state_size);
EXPORT ssize_t wrapper_floor_tail(void *buf, size_t len, unsigned int flags);
EXPORT ssize_t wrapper_floor_contract(void *buf, size_t len, unsigned int flags);

static vdso_fn floor_fn;
static void *floor_state;
static size_t floor_state_size;
static __thread void *thread_state __attribute__((tls_model("initial-exec")));

void wrapper_floor_setup(vdso_fn fn, void *state, size_t state_size)
{
	floor_fn = fn;
	floor_state = state;
	floor_state_size = state_size;
}

ssize_t wrapper_floor_tail(void *buf, size_t len, unsigned int flags)
{
	return floor_fn(buf, len, flags, floor_state, floor_state_size);
}

static __attribute__((noinline)) ssize_t first_call(void *buf, size_t len, unsigned int flags)
{
	if (flags > 5 || buf == NULL) {
		errno = flags > 5 ? EINVAL : EFAULT;
		return -1;
	}
	thread_state = floor_state;
	return floor_fn(buf, len, flags, floor_state, floor_state_size);
}

ssize_t wrapper_floor_contract(void *buf, size_t len, unsigned int flags)
{
	void *state = thread_state;
	ssize_t r;

	if (__builtin_expect(flags > 5 || buf == NULL || state == NULL, 0))
		return first_call(buf, len, flags);
	r = floor_fn(buf, len, flags, state, floor_state_size);
	if (__builtin_expect(r < 0, 0)) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
