/* SPDX-License-Identifier: MIT */
/*
 * Choosing the backend, once per process, in two steps.
 *
 * VGETRANDOM_BACKEND=auto|vdso|hybrid|chacha|syscall pins a path (for tests
 * and the bench).  Whatever is asked for, the result is always a path that
 * produces bytes from the kernel's generator or from a generator seeded by
 * it: asking for the vDSO where there is none gives the userspace
 * generator, and a generator that cannot be set up gives the system call.
 *
 * At load (prepare(), the constructor) what needs no system call and is
 * not async-signal-safe: the namespace check, the thread-exit key and the
 * fork handler.  Listed in /etc/ld.so.preload the
 * library loads into every process; one that never draws pays nothing
 * more, and no sandbox sees the library at all.  Load time is kept to what
 * cannot wait: every page touched there is a page fault in every process
 * on the machine (bench/RESULTS.md, the process start table).
 *
 * The process's first request, when it is small, starts nothing: the
 * system call serves it (backend_defer_first()).  Many processes draw just
 * once, a hash seed or a temporary name, and for them one system call is
 * the whole cost, where the setup maps memory and faults in fresh pages,
 * each of which costs more than the system call (bench/RESULTS.md, the
 * process start table).  A process that draws again pays the setup once,
 * at its second request, and every later one is served at full speed.
 *
 * At the second draw, a first large one, or the first query
 * (backend_start()) the environment (VGETRANDOM_BACKEND,
 * VGETRANDOM_HYBRID_MIN) and the probes: the vDSO symbol and its parameters
 * (userspace only), and those that map memory (MAP_DROPPABLE for the
 * vDSO's states, a verified MADV_WIPEONFORK for the generator's); then the
 * provider is installed.  The ChaCha20 kernel is
 * chosen later still, by its first use (the generator's first refill, the
 * first bulk request, a query of the name): cpuid traps to the hypervisor
 * in a virtual machine, and costs more there than the rest of start-up.  That step is
 * async-signal-safe (mmap, madvise, munmap, write and plain stores) and
 * takes no lock: the thread that wins a compare-and-swap does it.  A draw
 * that finds it under way, in another thread or below a signal handler on
 * this one, is served by the system call; a query waits for another
 * thread, and below its own thread's setup works the answer out itself.
 * Probing twice gives the same answer, so the result, and the name, do not
 * depend on who asks first.
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
#include "hot_path.h"
#include "state_arena.h"
#include "syscall_path.h"
#include "thread_state.h"
#include "vdso_getrandom.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where start-up is; chosen is published (release) with CHOSEN. */
enum { UNPREPARED, PREPARING, PREPARED, FINISHING, CHOSEN };
static int phase;
static int chosen; /* enum vgr_backend; 0 until chosen */
/* The thread doing the second step, so that a signal handler below it
 * knows the step it interrupted is its own thread's. */
static __thread bool finishing_here __attribute__((tls_model("initial-exec")));

/* The process's first request has been claimed by backend_defer_first().
 * An int: riscv64 has no byte-wide atomic swap, and GCC would call
 * libatomic for a bool's. */
static int first_claimed;

/* The largest first request the system call serves before the setup: up
 * to getentropy()'s 256 bytes the system call costs about what a 1-byte
 * one does, and keys, seeds and nonces all fit.  A larger first request
 * goes through the setup, since the system call's share of it grows with
 * the length and the bulk path's does not. */
#define FIRST_DRAW_MAX 256

/* What prepare() found. */
static bool secondary;       /* a dlmopen'd copy */
static bool have_states;     /* the thread-exit key and fork handler exist */
static struct vdso_getrandom vdso; /* what finish() found */
/* VGETRANDOM_BACKEND, read by step two: 0 for auto, else the backend
 * asked for; -1 until read. */
static int asked = -1;

#define VGR_BACKEND_NAME(id, code, name) [code] = name,
static const char *const requests[] = { [0] = "auto", VGR_BACKENDS(VGR_BACKEND_NAME) };
#undef VGR_BACKEND_NAME

/* 0 for auto, else the backend asked for (enum vgr_backend), read once,
 * in step two.  (A handler that interrupts the reading reads it again,
 * and would repeat a message about a bad value.) */
static int requested(void)
{
	int r = __atomic_load_n(&asked, __ATOMIC_RELAXED);
	if (r < 0) {
		r = (int)config_choice("VGETRANDOM_BACKEND", requests,
		                       sizeof(requests) / sizeof(requests[0]), 0);
		__atomic_store_n(&asked, r, __ATOMIC_RELAXED);
	}
	return r;
}

/* VGETRANDOM_HYBRID_MIN=N moves the hybrid threshold (bench/ uses it to
 * measure the crossover). */
static size_t read_hybrid_min(void)
{
	return config_number("VGETRANDOM_HYBRID_MIN", 1, VGR_MAX_RW_COUNT, VGR_BULK_MIN_VDSO);
}

#ifdef __GLIBC__
/* The loader's list of the initial namespace's objects, and this object's
 * dynamic section, which its entry there points to.  Weak: a static
 * program may have neither. */
extern struct r_debug _r_debug __attribute__((weak));
extern ElfW(Dyn) _DYNAMIC[] __attribute__((weak, visibility("hidden")));

/* Whether this object is in the initial namespace's list.  Reading the
 * list costs no call into libc or the loader: dladdr1() and dlinfo() fault
 * in pages of both in every process, for an answer that is almost always
 * "the initial namespace".  The constructor runs with the loader's lock
 * held (or before any other thread exists), so the list holds still. */
static VGR_LOAD_PATH bool in_initial_namespace_list(void)
{
	if (&_r_debug == NULL || _DYNAMIC == NULL)
		return false;
	for (const struct link_map *m = _r_debug.r_map; m; m = m->l_next)
		if (m->l_ld == _DYNAMIC)
			return true;
	return false;
}
#endif

/* Whether this copy of the library lives in a namespace other than the
 * initial one (dlmopen). */
static VGR_LOAD_PATH bool in_secondary_namespace(void)
{
#ifdef __GLIBC__
	if (in_initial_namespace_list())
		return false;
	/* Not found there (a static program, a loader that keeps the list
	 * elsewhere, or a dlmopen'd copy): ask the loader. */
	Dl_info info;
	struct link_map *self = NULL;
	Lmid_t ns = LM_ID_BASE;
	if (dladdr1((void *)(uintptr_t)in_secondary_namespace, &info, (void **)&self,
	            RTLD_DL_LINKMAP) && self && dlinfo(self, RTLD_DI_LMID, &ns) == 0)
		return ns != LM_ID_BASE;
#endif
	return false;
}

/* The one fork handler, in the child.  The states of the threads that did
 * not survive go back.  A second step another thread was doing ended with
 * that thread, so the child does it again (every store it makes is the
 * same); one this thread was doing, below the handler that forked,
 * resumes when the handler returns. */
static void fork_child(void)
{
	thread_state_fork_child();
	if (__atomic_load_n(&phase, __ATOMIC_RELAXED) == FINISHING && !finishing_here)
		__atomic_store_n(&phase, PREPARED, __ATOMIC_RELAXED);
}

/* Step one: no system call. */
static VGR_LOAD_PATH void prepare(void)
{
	secondary = in_secondary_namespace();
	have_states = thread_state_prepare() && pthread_atfork(NULL, NULL, fork_child) == 0;
}

/* What step two chooses, with the providers' parameters in *v (when
 * *vdso_ok) and *gen; the probes only, nothing installed, the same answer
 * every time.  With probe_page, the page the vDSO's probe mapped is kept
 * there for the arena (arena_adopt_first_page()). */
static int decide(bool *vdso_ok, struct vdso_getrandom *v, struct vgr_provider *gen,
                  void **probe_page)
{
	int request = requested();
	*vdso_ok = false;
	if (request == VGR_BACKEND_SYSCALL || secondary || !have_states)
		return VGR_BACKEND_SYSCALL;
	/* No state can be mapped the way the kernel asks (MAP_DROPPABLE
	 * refused): every call would be a system call while the name said
	 * vDSO.  The generator, on memory it can map, serves instead. */
	if (request != VGR_BACKEND_CHACHA && vdso_getrandom_probe(v) &&
	    arena_can_map(v->provider.mmap_prot, v->provider.mmap_flags, NULL, probe_page)) {
		*vdso_ok = true;
		return request == VGR_BACKEND_VDSO ? VGR_BACKEND_VDSO : VGR_BACKEND_HYBRID;
	}
	if (generator_probe(gen))
		return VGR_BACKEND_CHACHA;
	return VGR_BACKEND_SYSCALL;
}

/* Step two. */
static int finish(void)
{
	bool vdso_ok;
	struct vgr_provider gen;
	void *probe_page = NULL;
	int result = decide(&vdso_ok, &vdso, &gen, &probe_page);
	int request = requested();

	if ((request == VGR_BACKEND_VDSO || request == VGR_BACKEND_HYBRID) && !vdso_ok)
		config_say((const char *const[]){ "VGETRANDOM_BACKEND=", requests[request],
		                                  ", but this kernel offers no usable vgetrandom vDSO "
		                                  "(or its state memory cannot be mapped); using ",
		                                  requests[result], NULL });
	switch (result) {
	case VGR_BACKEND_VDSO:
		arena_adopt_first_page(probe_page);
		thread_state_install(&vdso.provider);
		break;
	case VGR_BACKEND_HYBRID:
		arena_adopt_first_page(probe_page);
		thread_state_install(&vdso.provider);
		bulk_enable(read_hybrid_min());
		break;
	case VGR_BACKEND_CHACHA:
		thread_state_install(&gen);
		bulk_enable(VGR_BULK_MIN_GENERATOR);
		break;
	}
	return result;
}

#ifdef VGR_TESTING
static void (*during_setup)(void);
static unsigned long setups;
void vgr_test_backend_during_setup(void (*fn)(void))
{
	during_setup = fn;
}
unsigned long vgr_test_backend_setups(void)
{
	return __atomic_load_n(&setups, __ATOMIC_RELAXED);
}
#define DURING_SETUP()                                                   \
	do {                                                             \
		__atomic_add_fetch(&setups, 1, __ATOMIC_RELAXED);        \
		if (during_setup)                                        \
			during_setup();                                  \
	} while (0)
#else
#define DURING_SETUP() ((void)0)
#endif

__attribute__((constructor)) static void prepare_at_load(void)
{
	int expected = UNPREPARED;
	if (__atomic_compare_exchange_n(&phase, &expected, PREPARING, false, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE)) {
		prepare();
		__atomic_store_n(&phase, PREPARED, __ATOMIC_RELEASE);
	}
}

VGR_HOT_PATH bool backend_defer_first(size_t len)
{
	if (len > FIRST_DRAW_MAX || __atomic_load_n(&chosen, __ATOMIC_ACQUIRE))
		return false;
	if (__builtin_expect(__atomic_load_n(&phase, __ATOMIC_ACQUIRE) == UNPREPARED, 0))
		prepare_at_load(); /* another library's constructor draws first */
	/* Where the setup needs no probe, do it.  The environment is not read
	 * here, even to see whether the system call was asked for: reading it
	 * faults in pages that cost several system calls' worth, so the
	 * syscall backend's first request too is told as a 'first'. */
	if (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) < PREPARED || secondary || !have_states)
		return false;
	return __atomic_exchange_n(&first_claimed, 1, __ATOMIC_RELAXED) == 0;
}

int backend_start(void)
{
	int b = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
	if (__builtin_expect(b != 0, 1))
		return b;
	/* A draw before the constructor ran (another library's constructor
	 * drawing first): step one now. */
	prepare_at_load();
	int expected = PREPARED;
	if (!__atomic_compare_exchange_n(&phase, &expected, FINISHING, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		return __atomic_load_n(&chosen, __ATOMIC_ACQUIRE); /* 0: under way */
	finishing_here = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	DURING_SETUP(); /* as a signal handler would, at the worst moment */
	b = finish();
	__atomic_store_n(&chosen, b, __ATOMIC_RELEASE);
	__atomic_store_n(&phase, CHOSEN, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	finishing_here = false;
	return b;
}

enum vgr_backend backend_current(void)
{
	int b = backend_start();
	while (b == 0) {
		/* Under way.  Below this thread's own step two (a handler
		 * interrupted it) waiting would never end: the probes give
		 * the answer the step will publish.  Elsewhere it ends soon. */
		if (finishing_here) {
			bool vdso_ok;
			struct vdso_getrandom v;
			struct vgr_provider gen;
			return (enum vgr_backend)decide(&vdso_ok, &v, &gen, NULL);
		}
		sched_yield();
		b = backend_start();
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
	enum vgr_backend b = backend_current();

	if (b == VGR_BACKEND_HYBRID)
		return chacha_impl()->hybrid_name;
	if (b == VGR_BACKEND_CHACHA)
		return chacha_impl()->generator_name;
	if (b == VGR_BACKEND_SYSCALL && syscall_path_saw_enosys())
		return "urandom";
	return requests[b];
}
