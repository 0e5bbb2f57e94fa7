/* SPDX-License-Identifier: MIT */
/*
 * The backend is set up lazily (lib/backend.c): the process's first small
 * request is served by the system call and sets nothing up; the next one,
 * a large first one, or the first query of the name does the setup, and
 * they can come from anywhere.  Each case runs in a fresh process (this
 * program again, with the case's name), because the setup happens once per
 * process:
 *
 *   deferred     the first 16-byte request is a 'first' fallback to the
 *                system call and sets nothing up, on every backend; the
 *                second sets up and is served by the backend;
 *   large        a first request of 4 KiB sets up at once;
 *   handler      the first two requests of the process, the second of
 *                which sets up, are made in a signal handler;
 *   interrupted  a signal handler that draws and asks for the backend's
 *                name interrupts the setup itself (a testing hook raises
 *                the signal inside it): the system call serves the draw,
 *                and the name is the one the setup then publishes;
 *   threads      64 threads released at once make their first requests
 *                together;
 *   fork         another thread forks while the setup is under way in this
 *                one (the hook holds it there): the child sets up again
 *                and serves;
 *   errno        the first request, the one that sets up, and the first
 *                query of the name, leave errno as it was, as a successful
 *                system call does (the setup's probes fail on purpose).
 *
 * Where a case needs a request to do the setup, it makes the process's
 * first request before (first_request()).
 *
 * In every case: each request returns its bytes, no two 32-byte outputs are
 * equal (two equal random 32-byte strings: never), the setup ran once in
 * the process, and the backend's name is the same as in a process where
 * nothing raced (the case "name", run the same way).
 * Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "syscall_path.h"
#include "vgetrandom.h"

#define NTHREADS 64
#define N 32

static unsigned char out[NTHREADS + 4][N];
static volatile sig_atomic_t handler_ok;
static const char *volatile handler_name;
static int fails;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	fails += !ok;
}

static int draws_ok(int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (memcmp(out[i], out[j], N) == 0)
				return 0;
	return 1;
}

/* The process's first request, which every backend serves before its
 * setup (which backend was asked for is read by the setup), so that the
 * next one sets up; into out's last row. */
static void first_request(void)
{
	unsigned long before = vgr_test_syscall_fallbacks();
	check(vgetrandom(out[NTHREADS + 3], N, 0) == N, "the process's first request got its bytes");
	check(vgr_test_backend_setups() == 0 && vgr_test_syscall_fallbacks() == before + 1,
	      "from the system call, as a fallback, with no setup");
}

/* deferred: the first request puts the setup off to the second. */
static int case_deferred(void)
{
	first_request();
	unsigned long before = vgr_test_syscall_fallbacks();
	check(vgetrandom(out[0], N, 0) == N &&
	      memcmp(out[0], out[NTHREADS + 3], N) != 0, "the next request got distinct bytes");
	check(vgr_test_backend_setups() == 1, "and set the backend up");
	check(vgr_test_syscall_fallbacks() == before, "and was no fallback");
	printf("name %s\n", vgetrandom_backend());
	return vgr_test_backend_setups() == 1 ? 0 : 1;
}

/* large: a first request of 4 KiB is not put off. */
static int case_large(void)
{
	static unsigned char big[2][4096];
	unsigned long before = vgr_test_syscall_fallbacks();
	check(vgetrandom(big[0], sizeof(big[0]), 0) == (ssize_t)sizeof(big[0]) &&
	      vgr_test_backend_setups() == 1 && vgr_test_syscall_fallbacks() == before,
	      "a first request of 4 KiB set the backend up, and was no fallback");
	check(vgetrandom(big[1], sizeof(big[1]), 0) == (ssize_t)sizeof(big[1]) &&
	      memcmp(big[0], big[1], sizeof(big[0])) != 0, "the next one got distinct bytes");
	printf("name %s\n", vgetrandom_backend());
	return vgr_test_backend_setups() == 1 ? 0 : 1;
}

static void on_signal(int sig)
{
	(void)sig;
	handler_ok = vgetrandom(out[0], N, 0) == N;
	handler_name = vgetrandom_backend();
}

static void on_signal_twice(int sig)
{
	(void)sig;
	handler_ok = vgetrandom(out[2], N, 0) == N && vgetrandom(out[0], N, 0) == N;
	handler_name = vgetrandom_backend();
}

/* handler: the first requests, the setup among them, in a handler. */
static int case_handler(void)
{
	signal(SIGUSR1, on_signal_twice);
	raise(SIGUSR1);
	check(handler_ok, "the first two requests of the process, in a handler, got their bytes");
	check(vgetrandom(out[1], N, 0) == N && draws_ok(3), "and the next one outside");
	printf("name %s\n", vgetrandom_backend());
	return vgr_test_backend_setups() == 1 ? 0 : (printf("FAIL setups %lu\n", vgr_test_backend_setups()), 1);
}

/* interrupted: the handler runs inside the setup. */
static void raise_usr1(void)
{
	raise(SIGUSR1);
}

static int case_interrupted(void)
{
	first_request();
	signal(SIGUSR1, on_signal);
	vgr_test_backend_during_setup(raise_usr1);
	unsigned long before = vgr_test_syscall_fallbacks();
	int r = vgetrandom(out[1], N, 0) == N;
	check(handler_ok, "a handler interrupting the setup got its bytes");
	check(vgr_test_syscall_fallbacks() == before + 1,
	      "from the system call (a 'starting' fallback)");
	check(r && draws_ok(2), "the interrupted request got its own bytes");
	check(handler_name && strcmp(handler_name, vgetrandom_backend()) == 0,
	      "the handler's name for the backend is the one the setup published");
	printf("name %s\n", vgetrandom_backend());
	return vgr_test_backend_setups() == 1 ? 0 : 1;
}

/* threads: 64 first requests at once. */
static pthread_barrier_t start;
static const char *names[NTHREADS];
static int got[NTHREADS];

static void *racer(void *arg)
{
	int i = (int)(long)arg;
	pthread_barrier_wait(&start);
	got[i] = vgetrandom(out[i], N, 0) == N;
	names[i] = vgetrandom_backend();
	return NULL;
}

static int case_threads(void)
{
	pthread_t t[NTHREADS];
	int all = 1, same = 1;
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, racer, (void *)i);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		all &= got[i];
		same &= strcmp(names[i], names[0]) == 0;
	}
	check(all && draws_ok(NTHREADS), "64 racing first requests got distinct bytes");
	check(same, "and all name the same backend");
	printf("name %s\n", vgetrandom_backend());
	return vgr_test_backend_setups() == 1 ? 0 : 1;
}

/* fork: another thread forks while this one is inside the setup. */
static volatile int in_setup, forked;

static void hold_setup(void)
{
	in_setup = 1;
	while (!forked)
		;
}

static void *forker(void *arg)
{
	(void)arg;
	while (!in_setup)
		;
	pid_t pid = fork();
	if (pid == 0) {
		/* Only this thread is here; the setup it interrupted is gone. */
		unsigned char a[N], b[N];
		vgr_test_backend_during_setup(NULL);
		int ok = vgetrandom(a, N, 0) == N && vgetrandom(b, N, 0) == N &&
		         memcmp(a, b, N) != 0 && memcmp(a, out[0], N) != 0;
		printf("child: name %s, setups %lu\n", vgetrandom_backend(), vgr_test_backend_setups());
		fflush(stdout);
		_exit(ok && vgr_test_backend_setups() == 2 ? 0 : 1);
	}
	forked = 1;
	int st;
	waitpid(pid, &st, 0);
	return (void *)(long)(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int case_fork(void)
{
	pthread_t t;
	void *child_ok;
	first_request();
	vgr_test_backend_during_setup(hold_setup);
	pthread_create(&t, NULL, forker, NULL);
	check(vgetrandom(out[0], N, 0) == N, "the request whose setup a fork interrupted got its bytes");
	pthread_join(t, &child_ok);
	check(child_ok != NULL, "the child set up again and drew distinct bytes");
	printf("name %s\n", vgetrandom_backend());
	return vgr_test_backend_setups() == 1 ? 0 : 1;
}

/* errno: untouched by the first request's setup, or the first query's. */
static int case_errno(void)
{
	errno = 12345;
	check(vgetrandom(out[0], 16, 0) == 16 && errno == 12345,
	      "the first request leaves errno alone");
	check(vgetrandom(out[1], 16, 0) == 16 && errno == 12345 && vgr_test_backend_setups() == 1,
	      "so does the one that sets up");
	printf("name %s\n", vgetrandom_backend());
	return vgr_test_backend_setups() == 1 ? 0 : 1;
}

static int case_errno_query(void)
{
	errno = 12345;
	const char *name = vgetrandom_backend();
	check(errno == 12345, "the first query of the name leaves errno alone");
	printf("name %s\n", name);
	return 0;
}

/* Run this program on one case; its "name" line into name. */
static int run_case(const char *self, const char *c, char *name, size_t n)
{
	char cmd[4200], line[256];
	snprintf(cmd, sizeof(cmd), "'%s' %s", self, c);
	FILE *p = popen(cmd, "r");
	name[0] = 0;
	while (p && fgets(line, sizeof(line), p)) {
		fputs(line, stdout);
		if (!strncmp(line, "name ", 5))
			snprintf(name, n, "%.*s", (int)strcspn(line + 5, "\n"), line + 5);
	}
	int st = p ? pclose(p) : -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		int r = !strcmp(argv[1], "deferred")      ? case_deferred()
		      : !strcmp(argv[1], "large")       ? case_large()
		      : !strcmp(argv[1], "handler")     ? case_handler()
		      : !strcmp(argv[1], "interrupted") ? case_interrupted()
		      : !strcmp(argv[1], "threads")     ? case_threads()
		      : !strcmp(argv[1], "fork")        ? case_fork()
		      : !strcmp(argv[1], "errno")       ? case_errno()
		      : !strcmp(argv[1], "errno-query") ? case_errno_query()
		      : !strcmp(argv[1], "name")        ? printf("name %s\n", vgetrandom_backend()) < 0
		                                        : 2;
		fflush(stdout);
		return r || fails ? 1 : 0;
	}
	static const char *const cases[] = { "deferred", "large", "handler", "interrupted", "threads", "fork", "errno",
		                             "errno-query" };
	/* The name in a process where nothing raced, run the same way as the
	 * cases (not under valgrind, say, when this one is). */
	char expected[64];
	if (run_case(argv[0], "name", expected, sizeof(expected)) != 0 || !expected[0])
		return 1;
	int rc = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];
		int r = run_case(argv[0], cases[i], name, sizeof(name));
		int ok = r == 0 && strcmp(name, expected) == 0;
		printf("%s case %s: exit %d, backend %s (want %s)\n", ok ? "ok  " : "FAIL", cases[i], r,
		       name, expected);
		rc |= !ok;
	}
	return rc;
}
