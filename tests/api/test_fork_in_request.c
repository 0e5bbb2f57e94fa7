/* SPDX-License-Identifier: MIT */
/*
 * A fork in the middle of one large request: a SIGALRM handler calls
 * fork() while the main thread is inside vgetrandom(buf, SIZE, 0), and
 * both processes finish the request.  Whatever either made after the fork
 * must differ from the other's.  What was already in the buffer at the
 * fork is the same in both (fork copies memory), so the child notes, in
 * its handler, which 4 KiB blocks were still untouched then (the buffer
 * starts zeroed); only those are compared.  Pass: none of them is equal
 * in parent and child.  (Two equal random 4 KiB blocks by chance: never.)
 *
 * The signal is timed to land inside the request: a helper thread, already
 * running and spinning on another core, sends it half of a request's
 * measured duration after the request starts, and the handler checks it
 * interrupted the request before it forks.  The delays of the tries go
 * from 1/8 to 5/8 of that duration and round again, for up to 20 s; a run
 * where no signal ever landed inside is a skip (exit 77).
 * Requests that return short (the system call, interrupted) are finished
 * by the usual loop; the handler's fork may then fall between calls.
 *
 * usage: test-fork-in-request SIZE_MIB   (exit 0 pass, 1 fail, 77 skip)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vgetrandom.h"

#define BLOCK 4096u

static unsigned char *buf, *fresh_at_fork, *parent_out;
static size_t size, nblocks;
static volatile sig_atomic_t in_request, landed, is_child;
static unsigned request_seq; /* requests started: the helper waits for its own */
static unsigned helper_ready; /* the helper of that try is spinning */
static pid_t child_pid;

static void on_alarm(int sig)
{
	(void)sig;
	if (!in_request)
		return;
	landed = 1;
	/* Blocks still all zero now: made after the fork, if at all. */
	for (size_t b = 0; b < nblocks; b++) {
		const uint64_t *w = (const uint64_t *)(const void *)(buf + b * BLOCK);
		unsigned char untouched = 1;
		for (size_t i = 0; i < BLOCK / 8 && untouched; i++)
			untouched = w[i] == 0;
		fresh_at_fork[b] = untouched;
	}
	pid_t p = fork();
	if (p == 0)
		is_child = 1;
	else
		child_pid = p;
}

struct timer {
	pthread_t main;
	long delay_ns;
	unsigned seq;
};

static double now_ns(void);

static void *send_alarm(void *arg)
{
	const struct timer *t = arg;
	__atomic_store_n(&helper_ready, t->seq, __ATOMIC_RELEASE);
	while (__atomic_load_n(&request_seq, __ATOMIC_ACQUIRE) < t->seq)
		;
	double until = now_ns() + (double)t->delay_ns;
	while (now_ns() < until)
		;
	pthread_kill(t->main, SIGALRM);
	return NULL;
}

static int fill(unsigned char *p, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = vgetrandom(p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One try: 1 a fork landed and was checked (*equal set), 0 it did not land. */
static int one_try(long delay_ns, size_t *equal, size_t *compared)
{
	int to_child[2];
	memset(buf, 0, size);
	landed = 0;
	child_pid = 0;
	if (pipe(to_child) != 0)
		return -1;
	struct timer t = { pthread_self(), delay_ns, request_seq + 1 };
	pthread_t helper;
	if (pthread_create(&helper, NULL, send_alarm, &t) != 0)
		return -1;
	while (__atomic_load_n(&helper_ready, __ATOMIC_ACQUIRE) != t.seq)
		sched_yield();
	in_request = 1;
	__atomic_store_n(&request_seq, t.seq, __ATOMIC_RELEASE);
	int r = fill(buf, size);
	in_request = 0;
	if (is_child) {
		/* Wait for the parent's output, compare, report by exit status:
		 * 0 none equal, 1 some equal, 2 error. */
		char go;
		close(to_child[1]);
		if (r != 0 || read(to_child[0], &go, 1) != 1)
			_exit(2);
		size_t eq = 0;
#ifdef __SANITIZE_THREAD__
		/* The helper is the parent's: ThreadSanitizer's copy of the
		 * thread list would report it as leaked at our exit. */
		pthread_detach(helper);
#endif
		for (size_t b = 0; b < nblocks; b++)
			eq += fresh_at_fork[b] &&
			      memcmp(buf + b * BLOCK, parent_out + b * BLOCK, BLOCK) == 0;
		_exit(eq ? 1 : 0);
	}
	pthread_join(helper, NULL);
	close(to_child[0]);
	if (r != 0) {
		fprintf(stderr, "vgetrandom failed: %s\n", strerror(errno));
		return -1;
	}
	if (!landed) {
		close(to_child[1]);
		return 0;
	}
	memcpy(parent_out, buf, size);
	*compared = 0;
	for (size_t b = 0; b < nblocks; b++)
		*compared += fresh_at_fork[b];
	int status = 0;
	if (write(to_child[1], "g", 1) != 1 || waitpid(child_pid, &status, 0) != child_pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "the child failed (status %d)\n", status);
		return -1;
	}
	close(to_child[1]);
	*equal = WEXITSTATUS(status);
	return 1;
}

int main(int argc, char **argv)
{
	size = (argc > 1 ? (size_t)atol(argv[1]) : 1) << 20;
	nblocks = size / BLOCK;
	buf = malloc(size);
	/* Shared, so the child sees the parent's output. */
	parent_out = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fresh_at_fork = malloc(nblocks);
	if (!buf || parent_out == MAP_FAILED || !fresh_at_fork)
		return 77;
	struct sigaction sa = { .sa_handler = on_alarm };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	/* A request's duration, warm (pages touched, state taken). */
	memset(buf, 1, size);
	double t0 = now_ns();
	if (fill(buf, size) != 0)
		return 1;
	double duration = now_ns() - t0;

	/* On a loaded machine (the test command runs suites side by side on
	 * two cores) the helper may get no core while a request runs, for a
	 * while: keep trying for up to 20 s rather than a fixed count. */
	double deadline = now_ns() + 20e9;
	int tries;
	for (tries = 0; tries < 100000 && now_ns() < deadline; tries++) {
		size_t equal = 0, compared = 0;
		long delay = (long)(duration * (tries % 5 + 1) / 8);
		int r = one_try(delay, &equal, &compared);
		if (r < 0)
			return 1;
		if (r == 0 || compared == 0)
			continue; /* the request ended first, or every block was made */
		printf("%s, %zu MiB: a fork %ld us into the request; %zu blocks made after it, "
		       "%s equal in parent and child\n",
		       vgetrandom_backend(), size >> 20, delay / 1000, compared,
		       equal ? "some" : "none");
		return equal ? 1 : 0;
	}
	printf("skip: no signal landed inside a request in %d tries (20 s)\n", tries);
	return 77;
}
