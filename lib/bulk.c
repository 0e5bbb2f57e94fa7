/* SPDX-License-Identifier: MIT */
#include "bulk.h"
#include "getrandom_abi.h"
#include "chacha.h"
#include "state_arena.h"
#include "syscall_path.h"
#include "thread_state.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

size_t vgr_bulk_above = VGR_MAX_RW_COUNT;

void bulk_enable(size_t min)
{
	vgr_bulk_above = min - 1;
}

#ifdef VGR_TESTING
/* Per thread: one counter shared by every thread would put a contended
 * cache line on the bulk path of every thread.  Initial-exec, like the
 * thread's state word, so reaching it is one %fs-relative access. */
static __thread unsigned long calls __attribute__((tls_model("initial-exec")));

unsigned long vgr_test_bulk_calls(void)
{
	return calls;
}
#define COUNT_CALL() (calls++)
#else
#define COUNT_CALL() ((void)0)
#endif

/*
 * A fork in the middle of an expansion (fork() from a signal handler that
 * interrupted it) leaves parent and child expanding the same key: the rest
 * of the request would be the same bytes in both.  The provider's state is
 * wiped in the child, but the key was taken from it before.  So the
 * expansion runs in chunks, and after each one a canary is checked: a word
 * in a page the child gets zeroed, mapped the way the provider's states
 * are (arena_map_page(): MAP_DROPPABLE, or MADV_WIPEONFORK).  A request records the
 * canary's value when it starts; a changed value means this process is a
 * child forked since, and the whole request is made again with a fresh key
 * (the child's own state, rekeyed).  The page may also be dropped under
 * memory pressure: that costs a needless redo, never a repeat.  Values come
 * from a counter in ordinary memory, so a child that arms the page again
 * always writes a value greater than any a request recorded before the
 * fork.  Where no such page can be had, the request goes to the provider
 * whole (its own fork rules apply).
 */
#define CHUNK (64u * 1024u) /* a check per 64 KiB: noise beside the expansion */
#define MAX_REDOS 4          /* then the system call, for a page dropped again and again */

static uint64_t *canary_page; /* NULL until the first bulk request; MAP_FAILED: none */
static uint64_t canary_epoch;

static uint64_t *canary(void)
{
	uint64_t *page = __atomic_load_n(&canary_page, __ATOMIC_ACQUIRE);
	if (page)
		return page == MAP_FAILED ? NULL : page;

	uint64_t *m = arena_map_page();
	if (!m)
		m = MAP_FAILED;
	uint64_t *expected = NULL;
	/* Another thread, or a handler on this one, may have won. */
	if (!__atomic_compare_exchange_n(&canary_page, &expected, m, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE)) {
		if (m != MAP_FAILED)
			munmap(m, (size_t)sysconf(_SC_PAGESIZE));
		return canary();
	}
	return m == MAP_FAILED ? NULL : m;
}

/* The canary's value now, armed if it reads zero (new, wiped or dropped). */
static uint64_t canary_arm(uint64_t *c)
{
	uint64_t v = __atomic_load_n(c, __ATOMIC_ACQUIRE), zero = 0;
	if (v)
		return v;
	uint64_t mine = __atomic_add_fetch(&canary_epoch, 1, __ATOMIC_RELAXED);
	if (__atomic_compare_exchange_n(c, &zero, mine, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return mine;
	return zero; /* armed meanwhile: its value */
}

/* One expansion of len bytes from a fresh key: 1 done, 0 a fork (or a
 * dropped page) was seen and buf is to be made again, -1 with errno. */
static int expand_once(void *buf, size_t len, unsigned int flags, uint64_t *c)
{
	uint32_t key[8];
	uint64_t armed = canary_arm(c);
	ssize_t r = thread_state_key(key, sizeof(key), flags, len);

	if (r != (ssize_t)sizeof(key)) {
		explicit_bzero(key, sizeof(key));
		if (r >= 0)
			errno = EIO; /* a short key: never expected, never used */
		return -1;
	}
	/* A fresh key, so the counter starts at 0 and the DJB nonce is 0. */
	const struct chacha_impl *k = chacha_impl();
	unsigned char *out = buf;
	int done = 1;
	for (size_t off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		chacha_stream(k, out + off, n, key, off / 64);
		if (__atomic_load_n(c, __ATOMIC_ACQUIRE) != armed) {
			done = 0;
			break;
		}
	}
	explicit_bzero(key, sizeof(key));
	return done;
}

ssize_t bulk_getrandom(void *buf, size_t len, unsigned int flags)
{
	COUNT_CALL();
	uint64_t *c = canary();
	if (!c)
		return thread_state_getrandom(buf, len, flags);
	for (int tries = 0; tries < MAX_REDOS; tries++) {
		int r = expand_once(buf, len, flags, c);
		if (r < 0)
			return -1;
		if (r) {
			VGR_EVENT3(request, len, flags, VGR_PATH_BULK);
			return (ssize_t)len;
		}
	}
	return syscall_serve(buf, len, flags, VGR_FALLBACK_REDONE, true);
}
