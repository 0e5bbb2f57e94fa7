/* SPDX-License-Identifier: MIT */
/*
 * A thread's first draw needs no rt_sigprocmask.  Sandboxes trap it
 * (dhcpcd's privsep filter: SECCOMP_RET_TRAP, so SIGSYS kills the process
 * unless handled); glibc 2.41 dies there at a new thread's first
 * arc4random.  Here 64 threads each install such a filter on themselves and
 * then draw 16 bytes at once, so the arena grows under them (the first
 * state, and every new page group).  A SIGSYS handler notes a trap that
 * comes while the thread is inside vgetrandom() (glibc's own thread start
 * and exit may trap too; those are not ours and are ignored).  Pass: no
 * trap inside a draw, 64 draws of 16 bytes, all different.
 * Exit 0 pass, 1 fail, 77 skip (no seccomp).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_filter.h"
#include "vgetrandom.h"

#define THREADS 64

static __thread volatile sig_atomic_t in_draw;
static int trapped_in_draw, no_seccomp;
static pthread_barrier_t start;

struct result {
	unsigned char bytes[16];
	ssize_t r;
};
static struct result results[THREADS];

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	if (in_draw)
		__atomic_store_n(&trapped_in_draw, 1, __ATOMIC_RELAXED);
}

static int trap_sigprocmask(void)
{
	struct sock_filter f[] = {
		SECCOMP_LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigprocmask, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	return install_seccomp_filter(f, sizeof(f) / sizeof(f[0]), 0);
}

static void *drawer(void *arg)
{
	struct result *res = arg;
	if (trap_sigprocmask() != 0)
		__atomic_store_n(&no_seccomp, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&start);
	in_draw = 1;
	res->r = vgetrandom(res->bytes, sizeof(res->bytes), 0);
	in_draw = 0;
	return NULL;
}

int main(void)
{
	if (getenv("VGR_UNDER_SANITIZER") || getenv("VGR_UNDER_VALGRIND")) {
		/* Their runtimes block signals in every thread themselves. */
		printf("skip: under a sanitizer or valgrind\n");
		return 77;
	}
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
	pthread_barrier_init(&start, NULL, THREADS);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, drawer, &results[i]) != 0)
			return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	if (no_seccomp) {
		printf("skip: no seccomp here\n");
		return 77;
	}
	int bad = 0, same = 0;
	for (int i = 0; i < THREADS; i++) {
		bad += results[i].r != 16;
		for (int j = 0; j < i; j++)
			same += memcmp(results[i].bytes, results[j].bytes, 16) == 0;
	}
	int fail = trapped_in_draw || bad || same;
	printf("%s: %s, %d threads under a filter that traps rt_sigprocmask: %s inside a draw, "
	       "%d short draws, %d equal pairs\n", fail ? "FAIL" : "ok", vgetrandom_backend(),
	       THREADS, trapped_in_draw ? "trapped" : "no trap", bad, same);
	return fail ? 1 : 0;
}
