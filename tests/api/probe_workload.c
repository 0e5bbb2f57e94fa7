/* SPDX-License-Identifier: MIT */
/*
 * A known workload for tests/api/test_bpftrace.sh: 1000 16-byte calls,
 * 100 4-KiB calls, vgetrandom_reseed() and one more 16-byte call, then a
 * forked child makes one 16-byte call.  Prints the backend and the child's
 * own pid and the child's ("backend B pid P child C"), so the script
 * knows which paths to expect and which processes are the workload's.
 * "probe-workload threads": 8 threads make 10 16-byte calls each.
 * "probe-workload churn N": N threads, one after another, make one
 * 16-byte call each (tests/api/test_churn_syscalls.sh).
 * "probe-workload forks N": N children, one after another, each make one
 * 16-byte call; "probe-workload orphans N": N children that make 10 calls
 * each after the parent has exited (tests/api/test_stat.sh).
 * "probe-workload refused": after one call, a seccomp filter refuses
 * mmap with MAP_DROPPABLE (EPERM), then 64 threads, alive at once, each
 * make one 16-byte call: those that find no free state cannot get one.
 * "probe-workload ping": named vgr-ping, prints its backend, then until
 * killed fires every probe the test counts: a new thread's call (a state
 * taken), vgetrandom_reseed(), a forked child's call (its reclaim).  The
 * test starts its workload only once its tracer has seen each of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_filter.h"
#include "vgetrandom.h"

static void *one_call(void *arg)
{
	unsigned char b[16];
	if (vgetrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		*(int *)arg = 0;
	return NULL;
}

static pthread_barrier_t all_alive;

static void *call_while_all_alive(void *arg)
{
	one_call(arg);
	pthread_barrier_wait(&all_alive);
	return NULL;
}

/* mmap with MAP_DROPPABLE (0x08) answered EPERM, from now on. */
static int refuse_droppable(void)
{
	struct sock_filter f[] = {
		SECCOMP_LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x08, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	return install_seccomp_filter(f, sizeof(f) / sizeof(f[0]), 0);
}

static void *ten_calls(void *arg)
{
	unsigned char b[16];
	for (int i = 0; i < 10; i++)
		if (vgetrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
			*(int *)arg = 0;
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned char small[16], big[4096];
	int ok = 1;

	if (argc > 2 && !strcmp(argv[1], "churn")) {
		int n = atoi(argv[2]);
		ok &= vgetrandom(small, sizeof(small), 0) == (ssize_t)sizeof(small);
		for (int i = 0; i < n; i++) {
			pthread_t t;
			int one = 1;
			ok &= pthread_create(&t, NULL, one_call, &one) == 0 && pthread_join(t, NULL) == 0;
			ok &= one;
		}
		return ok ? 0 : 1;
	}
	if (argc > 2 && (!strcmp(argv[1], "forks") || !strcmp(argv[1], "orphans"))) {
		int n = atoi(argv[2]), orphans = !strcmp(argv[1], "orphans");
		for (int i = 0; i < n; i++) {
			pid_t child = fork();
			if (child == 0) {
				if (orphans)
					usleep(300000);
				for (int k = 0; k < (orphans ? 10 : 1); k++)
					if (vgetrandom(small, sizeof(small), 0) != (ssize_t)sizeof(small))
						_exit(1);
				_exit(0);
			}
			int status = 1;
			if (child < 0 || (!orphans && (waitpid(child, &status, 0) != child || status != 0)))
				return 1;
		}
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "refused")) {
		enum { N = 64 };
		pthread_t t[N];
		ok &= vgetrandom(small, sizeof(small), 0) == (ssize_t)sizeof(small);
		if (refuse_droppable() != 0)
			return 77;
		pthread_barrier_init(&all_alive, NULL, N);
		for (int i = 0; i < N; i++)
			ok &= pthread_create(&t[i], NULL, call_while_all_alive, &ok) == 0;
		for (int i = 0; i < N; i++)
			pthread_join(t[i], NULL);
		return ok ? 0 : 1;
	}
	if (argc > 1 && !strcmp(argv[1], "ping")) {
		prctl(PR_SET_NAME, "vgr-ping", 0, 0, 0);
		printf("backend %s\n", vgetrandom_backend());
		fflush(stdout);
		for (;;) {
			pthread_t t;
			int one = 1;
			if (pthread_create(&t, NULL, one_call, &one) != 0 || pthread_join(t, NULL) != 0 ||
			    !one)
				return 1;
			vgetrandom_reseed();
			pid_t child = fork();
			if (child == 0)
				_exit(vgetrandom(small, sizeof(small), 0) == (ssize_t)sizeof(small) ? 0 : 1);
			if (child < 0 || waitpid(child, NULL, 0) != child)
				return 1;
			usleep(20000);
		}
	}
	if (argc > 1 && !strcmp(argv[1], "threads")) {
		pthread_t t[8];
		for (int i = 0; i < 8; i++)
			ok &= pthread_create(&t[i], NULL, ten_calls, &ok) == 0;
		for (int i = 0; i < 8; i++)
			pthread_join(t[i], NULL);
		return ok ? 0 : 1;
	}

	for (int i = 0; i < 1000; i++)
		ok &= vgetrandom(small, sizeof(small), 0) == (ssize_t)sizeof(small);
	for (int i = 0; i < 100; i++)
		ok &= vgetrandom(big, sizeof(big), 0) == (ssize_t)sizeof(big);
	vgetrandom_reseed();
	ok &= vgetrandom(small, sizeof(small), 0) == (ssize_t)sizeof(small);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(vgetrandom(small, sizeof(small), 0) == (ssize_t)sizeof(small) ? 0 : 1);
	int status = 1;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		ok = 0;
	printf("backend %s pid %d child %d\n", vgetrandom_backend(), (int)getpid(), (int)pid);
	return ok ? 0 : 1;
}
