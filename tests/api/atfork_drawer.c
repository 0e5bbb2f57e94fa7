/* SPDX-License-Identifier: MIT */
/*
 * A library like many others: its constructor registers pthread_atfork
 * handlers, and those handlers draw random bytes (reseeding their own
 * generator, say).  Loaded before libvgetrandom, its prepare handler runs
 * after the library's and its parent and child handlers before: inside
 * the window where the library keeps its arena locked across fork().
 * It calls the libc name, getrandom(), as such a library would.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

int drawer_prepare_ok, drawer_parent_ok, drawer_child_ok;

/* 1 if getrandom filled 32 bytes that are not all zero (chance 2^-256). */
static int draw_ok(void)
{
	uint8_t b[32];
	static const uint8_t zero[32];

	memset(b, 0, sizeof(b));
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return 0;
	return memcmp(b, zero, sizeof(b)) != 0;
}

static void prepare(void) { drawer_prepare_ok = draw_ok(); }
static void parent(void) { drawer_parent_ok = draw_ok(); }
static void child(void) { drawer_child_ok = draw_ok(); }

__attribute__((constructor)) static void register_handlers(void)
{
	pthread_atfork(prepare, parent, child);
}
