/* SPDX-License-Identifier: MIT */
/*
 * Programs shaped like the awkward corners of a real userland, for the
 * system-wide test (tests/system/): each links libc only and draws through
 * the libc names, so /etc/ld.so.preload decides who serves it.
 *
 *   userland-probe vfork      the vfork child draws into the parent's memory
 *   userland-probe atfork     pthread_atfork handlers draw around fork()
 *   userland-probe seccomp    a filter makes mmap(MAP_DROPPABLE) fail first
 *   userland-probe closefds   every descriptor closed before the first draw
 *   userland-probe threads    32 short-lived threads draw at once
 *
 * Prints "ok MODE" and exits 0 when every draw returned the full length,
 * differed from every other draw and was not all zero; otherwise says what
 * went wrong and exits 1.  "closefds" cannot print: it writes its verdict
 * to the file named by its second argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRAW 32
#define MAX_DRAWS 64

static unsigned char draws[MAX_DRAWS][DRAW];
static int ndraws;
static const char *failure;

/* Record one draw made elsewhere (a child, a thread) or made here. */
static void keep(const unsigned char *b)
{
	if (ndraws < MAX_DRAWS)
		memcpy(draws[ndraws++], b, DRAW);
}

static void draw_here(void)
{
	unsigned char b[DRAW];
	if (getrandom(b, DRAW, 0) != DRAW) {
		failure = "getrandom returned short or failed";
		return;
	}
	keep(b);
	arc4random_buf(b, DRAW);
	keep(b);
}

/* No two draws equal and none all zero: false alarm odds 64^2 / 2^256. */
static int verdict(void)
{
	static const unsigned char zero[DRAW];
	if (failure)
		return 0;
	for (int i = 0; i < ndraws; i++) {
		if (!memcmp(draws[i], zero, DRAW)) {
			failure = "an all-zero draw";
			return 0;
		}
		for (int j = 0; j < i; j++)
			if (!memcmp(draws[i], draws[j], DRAW)) {
				failure = "two draws were equal";
				return 0;
			}
	}
	return 1;
}

static int mode_vfork(void)
{
	/* The child shares our memory (and our thread's state) until it
	 * exits: it writes straight into the table. */
	static volatile int child_ok;
	draw_here();
	pid_t pid = vfork();
	if (pid == 0) {
		unsigned char b[DRAW];
		child_ok = getrandom(b, DRAW, 0) == DRAW;
		if (child_ok)
			keep(b);
		_exit(0);
	}
	if (pid < 0) {
		failure = "vfork failed";
		return 0;
	}
	waitpid(pid, NULL, 0);
	if (!child_ok)
		failure = "the vfork child's getrandom failed";
	draw_here();
	return 1;
}

static int pipe_fds[2];

static void prepare(void) { draw_here(); }
static void parent(void) { draw_here(); }
static void child(void)
{
	unsigned char b[DRAW];
	if (getrandom(b, DRAW, 0) == DRAW)
		(void)!write(pipe_fds[1], b, DRAW);
}

static int mode_atfork(void)
{
	unsigned char b[DRAW];
	if (pipe(pipe_fds) != 0 || pthread_atfork(prepare, parent, child) != 0) {
		failure = "setup failed";
		return 0;
	}
	draw_here();
	for (int round = 0; round < 4; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			unsigned char c[DRAW];
			if (getrandom(c, DRAW, 0) == DRAW)
				(void)!write(pipe_fds[1], c, DRAW);
			_exit(0);
		}
		if (pid < 0) {
			failure = "fork failed";
			return 0;
		}
		/* one draw from the child's atfork handler, one from its body */
		for (int k = 0; k < 2; k++) {
			if (read(pipe_fds[0], b, DRAW) != DRAW) {
				failure = "a child did not report its draw";
				return 0;
			}
			keep(b);
		}
		waitpid(pid, NULL, 0);
		draw_here();
	}
	return 1;
}

static int mode_seccomp(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
	/* mmap's flags are argument 3; the low 32 bits are enough. */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x08 /* MAP_DROPPABLE */, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		failure = "cannot install the seccomp filter";
		return 0;
	}
	/* The filter must bite: a droppable mapping is now refused. */
	if (mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | 0x08, -1, 0) != MAP_FAILED) {
		failure = "the filter did not refuse MAP_DROPPABLE";
		return 0;
	}
#endif
	for (int i = 0; i < 8; i++)
		draw_here();
	return 1;
}

static int mode_closefds(const char *out)
{
	for (int fd = 0; fd < 1024; fd++)
		close(fd);
	for (int i = 0; i < 4; i++)
		draw_here();
	int ok = verdict();
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	dprintf(fd, ok ? "ok closefds\n" : "FAIL closefds: %s\n", failure);
	close(fd);
	return ok ? 0 : 1;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *thread_draw(void *arg)
{
	unsigned char b[DRAW];
	(void)arg;
	int ok = getrandom(b, DRAW, 0) == DRAW;
	pthread_mutex_lock(&lock);
	if (ok)
		keep(b);
	else
		failure = "a thread's getrandom failed";
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int mode_threads(void)
{
	pthread_t t[32];
	for (int i = 0; i < 32; i++)
		if (pthread_create(&t[i], NULL, thread_draw, NULL) != 0) {
			failure = "pthread_create failed";
			return 0;
		}
	for (int i = 0; i < 32; i++)
		pthread_join(t[i], NULL);
	return 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int ran;

	if (!strcmp(mode, "closefds") && argc == 3)
		return mode_closefds(argv[2]);
	if (!strcmp(mode, "vfork"))
		ran = mode_vfork();
	else if (!strcmp(mode, "atfork"))
		ran = mode_atfork();
	else if (!strcmp(mode, "seccomp"))
		ran = mode_seccomp();
	else if (!strcmp(mode, "threads"))
		ran = mode_threads();
	else {
		fprintf(stderr, "usage: userland-probe vfork|atfork|seccomp|threads|closefds FILE\n");
		return 2;
	}
	if (ran && verdict()) {
		printf("ok %s (%d draws)\n", mode, ndraws);
		return 0;
	}
	printf("FAIL %s: %s\n", mode, failure ? failure : "did not run");
	return 1;
}
