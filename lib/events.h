/* SPDX-License-Identifier: MIT */
/*
 * What the library tells observers, stated once: USDT probes of provider
 * "vgetrandom", for bpftrace, perf and SystemTap.  With the vDSO, requests
 * never enter the kernel, so strace, audit rules and syscall tracepoints
 * no longer see them; these probes do.  Each is a single nop in the code
 * plus a note in .note.stapsdt; the tracer reads the arguments from
 * registers or the stack only while attached, so an unattached probe costs
 * the nop (bench/ measures it).  No argument is ever output or key
 * material: lengths, flags, small codes, state addresses.
 *
 *   request(len, flags, path)     a request the library answered, by the
 *                                 path that served it (enum vgr_path); a
 *                                 bulk request's own 32-byte key is not one
 *   fallback(reason, len)         a request, or a bulk key, that went to the
 *                                 system call (enum vgr_fallback)
 *   state_take(state)             a thread took a state from the arena
 *   state_give(state)             a state went back (thread exit)
 *   reseed(reason)                a generator state took a fresh key from
 *                                 the kernel (enum vgr_reseed)
 *   fork_reclaim(states_free)     a forked child took back the states of
 *                                 the threads that did not survive
 *
 * The codes are ABI for scripts (tools/vgetrandom.bt.in names them) and
 * for `vgetrandom stat` (lib/stats.h): append, never renumber.  Built without <sys/sdt.h> (-Dprobes=disabled, or the
 * header missing), every event compiles to nothing.
 */
#ifndef VGR_EVENTS_H
#define VGR_EVENTS_H

enum vgr_path {
	VGR_PATH_VDSO = 1,
	VGR_PATH_BULK = 2,
	VGR_PATH_GENERATOR = 3,
	VGR_PATH_SYSCALL = 4,
};

enum vgr_fallback {
	VGR_FALLBACK_NESTED = 1,     /* both of the thread's states in use */
	VGR_FALLBACK_EXITED = 2,     /* the thread is past its exit destructor */
	VGR_FALLBACK_NO_STATE = 3,   /* no state could be had (memory, TLS key) */
	VGR_FALLBACK_VDSO_ERROR = 4, /* the vDSO had no system call to fall back on */
	VGR_FALLBACK_REFUSED = 5,    /* state memory refused (seccomp, policy) */
};

enum vgr_reseed {
	VGR_RESEED_NEW = 1,      /* a fresh or zeroed state */
	VGR_RESEED_FORK = 2,     /* in a forked child */
	VGR_RESEED_BUDGET = 3,   /* its byte budget ran out */
	VGR_RESEED_TIME = 4,     /* its time budget ran out */
	VGR_RESEED_EXPLICIT = 5, /* vgetrandom_reseed() */
};

#ifdef VGR_HAVE_SDT
#include <sys/sdt.h>
#define VGR_PROBE1(name, a) DTRACE_PROBE1(vgetrandom, name, a)
#define VGR_PROBE2(name, a, b) DTRACE_PROBE2(vgetrandom, name, a, b)
#define VGR_PROBE3(name, a, b, c) DTRACE_PROBE3(vgetrandom, name, a, b, c)
#else
/* Arguments still "used": no unused-parameter warnings, no code. */
#define VGR_PROBE1(name, a) ((void)(a))
#define VGR_PROBE2(name, a, b) ((void)(a), (void)(b))
#define VGR_PROBE3(name, a, b, c) ((void)(a), (void)(b), (void)(c))
#endif

/* The stat build (lib/stats.h) also counts each event. */
#ifdef VGR_STATS
#include "stats.h"
#define VGR_COUNT(call) call
#else
#define VGR_COUNT(call) ((void)0)
#endif

#define VGR_EVENT1(name, a) \
	do { VGR_PROBE1(name, a); VGR_COUNT(vgr_stat_##name(a)); } while (0)
#define VGR_EVENT2(name, a, b) \
	do { VGR_PROBE2(name, a, b); VGR_COUNT(vgr_stat_##name(a, b)); } while (0)
#define VGR_EVENT3(name, a, b, c) \
	do { VGR_PROBE3(name, a, b, c); VGR_COUNT(vgr_stat_##name(a, b, c)); } while (0)

#endif
