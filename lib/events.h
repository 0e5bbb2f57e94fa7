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
 * The codes are ABI for scripts and for `vgetrandom stat` (lib/stats.h):
 * append, never renumber.  Built without <sys/sdt.h> (-Dprobes=disabled, or
 * the header missing), every event compiles to nothing.
 */
#ifndef VGR_EVENTS_H
#define VGR_EVENTS_H

/*
 * The codes and their names, each defined once here.  X(ID, code, name,
 * meaning): the enums below, tools/stat.c's report and the bpftrace script
 * (generated from these lines by tools/gen-bt-names.py) all read them.
 * Names are one word or dash-joined, so a script can key a map on them.
 */
#define VGR_PATHS(X)                                                             \
	X(VDSO, 1, "vdso", "the vDSO, with the thread's state")                  \
	X(BULK, 2, "bulk", "a fresh key expanded with ChaCha20 in this call")     \
	X(GENERATOR, 3, "generator", "the userspace ChaCha20 generator")          \
	X(SYSCALL, 4, "syscall", "the getrandom system call")

#define VGR_FALLBACKS(X)                                                         \
	X(NESTED, 1, "nested", "both of the thread's states in use")              \
	X(EXITED, 2, "exited-thread", "the thread is past its exit destructor")   \
	X(NO_STATE, 3, "no-state", "no state could be had (memory, TLS key)")     \
	X(VDSO_ERROR, 4, "vdso-error", "the vDSO had no system call to fall back on") \
	X(REFUSED, 5, "refused", "state memory refused (seccomp, policy)")        \
	X(NOT_SEEDED, 6, "not-seeded", "GRND_INSECURE before the generator could seed") \
	X(REDONE, 7, "redone", "a bulk request remade too often (forks, dropped pages)") \
	X(STARTING, 8, "starting", "the backend being set up (another thread, or below this handler)") \
	X(FIRST, 9, "first", "the process's first small request, served before any setup")

#define VGR_RESEEDS(X)                                                           \
	X(NEW, 1, "new", "a fresh or zeroed state")                               \
	X(FORK, 2, "fork", "in a forked child")                                   \
	X(BUDGET, 3, "budget", "its byte budget ran out")                         \
	X(TIME, 4, "time", "its time budget ran out")                             \
	X(EXPLICIT, 5, "explicit", "vgetrandom_reseed()")

#define VGR_ENUM_PATH(id, code, name, meaning) VGR_PATH_##id = code,
#define VGR_ENUM_FALLBACK(id, code, name, meaning) VGR_FALLBACK_##id = code,
#define VGR_ENUM_RESEED(id, code, name, meaning) VGR_RESEED_##id = code,
enum vgr_path { VGR_PATHS(VGR_ENUM_PATH) };
enum vgr_fallback { VGR_FALLBACKS(VGR_ENUM_FALLBACK) };
enum vgr_reseed { VGR_RESEEDS(VGR_ENUM_RESEED) };
#undef VGR_ENUM_PATH
#undef VGR_ENUM_FALLBACK
#undef VGR_ENUM_RESEED

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
