/* SPDX-License-Identifier: MIT */
/*
 * A draw from a signal handler that interrupts its own thread's growth of
 * the arena returns bytes (from the system call) instead of waiting on the
 * growth.  Growth used to take a lock with every signal blocked; where the
 * mask could not be set (a seccomp policy answering rt_sigprocmask with
 * EPERM), such a handler deadlocked on the lock its thread held.  The
 * testing build's hook calls the "handler" inside the growth, after its
 * mmap and before the group is published: the worst moment, every time.
 * The process's first draw grows the arena (it starts empty).
 * Standalone: exit 0 pass, 1 fail.
 */
#include <stdio.h>
#include <string.h>

#include "state_arena.h"
#include "test_util.h"
#include "vgetrandom.h"

static int hook_ran;
static ssize_t nested_r;
static unsigned char nested[16];

static void handler_draws(void)
{
	vgr_test_arena_during_grow(NULL);
	hook_ran = 1;
	nested_r = vgetrandom(nested, sizeof(nested), 0);
}

int main(void)
{
	unsigned char outer[16];
	/* The process's first request sets nothing up (lib/backend.c); the
	 * next one, below, sets up and grows the arena. */
	if (vgetrandom(outer, sizeof(outer), 0) != (ssize_t)sizeof(outer))
		return 1;
	vgr_test_arena_during_grow(handler_draws);
	ssize_t r = vgetrandom(outer, sizeof(outer), 0);
	vgr_test_arena_during_grow(NULL);
	if (!hook_ran) {
		/* The syscall backend has no arena. */
		printf("%s: no growth on this backend\n", vgetrandom_backend());
		return strcmp(vgetrandom_backend(), "syscall") == 0 ? 0 : 1;
	}
	int ok = r == 16 && nested_r == 16 && memcmp(outer, nested, 16) != 0;
	printf("%s: %s, a draw inside the thread's own growth returned %zd, the growing draw %zd\n",
	       ok ? "ok" : "FAIL", vgetrandom_backend(), nested_r, r);
	return ok ? 0 : 1;
}
