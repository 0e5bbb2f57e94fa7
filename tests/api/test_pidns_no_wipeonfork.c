/* SPDX-License-Identifier: MIT */
/*
 * Where MADV_WIPEONFORK is refused (here by a seccomp filter), nothing
 * keeps a generator state from surviving into a child, and the process ID
 * does not tell a child from its parent: a process that is PID 1 of a PID
 * namespace and a child it clones into a new one (clone(CLONE_NEWPID) with
 * no atfork handlers, PID 1 there too) must still draw different bytes.
 * The library is loaded (dlopen) after the filter, with the generator
 * asked for: it must not use it ("syscall"), and the two 32-byte draws
 * must differ.  (Equal by chance: 2^-256.)
 *
 * usage: test-pidns-no-wipeonfork LIBRARY   (root for the namespaces;
 *        exit 0 pass, 1 fail, 77 skip)
 */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "seccomp_filter.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

static int refuse_wipeonfork(void)
{
	struct sock_filter f[] = {
		SECCOMP_LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_madvise, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MADV_WIPEONFORK, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	return install_seccomp_filter(f, sizeof(f) / sizeof(f[0]), 0);
}

/* In the namespace's PID 1: load, draw, clone a PID 1 of a new namespace,
 * both draw 32 bytes into the pipe.  Exit status: 0 written, 1 failed. */
static int pid1(const char *lib, int out)
{
	void *h = dlopen(lib, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	ssize_t (*draw)(void *, size_t, unsigned) =
		(ssize_t (*)(void *, size_t, unsigned))(uintptr_t)dlsym(h, "vgetrandom");
	const char *(*backend)(void) = (const char *(*)(void))(uintptr_t)dlsym(h, "vgetrandom_backend");
	unsigned char warm[16], mine[32];
	char name[64] = { 0 };
	if (!draw || !backend || draw(warm, sizeof(warm), 0) != (ssize_t)sizeof(warm))
		return 1;
	snprintf(name, sizeof(name), "%s", backend());
	long c = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
	if (c < 0) {
		perror("clone(CLONE_NEWPID)");
		return 1;
	}
	if (draw(mine, sizeof(mine), 0) != (ssize_t)sizeof(mine))
		_exit(1);
	if (c == 0) {
		/* Written after the parent's: the parent waits for us first. */
		_exit(getpid() == 1 && write(out, mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
	}
	int status;
	if (waitpid((pid_t)c, &status, 0) != c || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return getpid() == 1 && write(out, name, sizeof(name)) == sizeof(name) &&
	       write(out, mine, sizeof(mine)) == sizeof(mine) ? 0 : 1;
}

int main(int argc, char **argv)
{
	int p[2];
	if (argc != 2 || pipe(p) != 0)
		return 1;
	if (getenv("VGR_UNDER_VALGRIND")) {
		printf("skip: valgrind does not run clone(CLONE_NEWPID)\n");
		return 77;
	}
	setenv("VGETRANDOM_BACKEND", "chacha", 1);
	if (refuse_wipeonfork() != 0) {
		printf("skip: no seccomp here (%s)\n", strerror(errno));
		return 77;
	}
	if (unshare(CLONE_NEWPID) != 0) {
		printf("skip: cannot make a PID namespace (%s)\n", strerror(errno));
		return 77;
	}
	pid_t pid = fork();
	if (pid == 0)
		_exit(pid1(argv[1], p[1]));
	close(p[1]);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("FAIL: the namespace's processes failed\n");
		return 1;
	}
	unsigned char child[32], parent[32];
	char name[64];
	if (read(p[0], child, 32) != 32 || read(p[0], name, 64) != 64 || read(p[0], parent, 32) != 32) {
		printf("FAIL: short output\n");
		return 1;
	}
	name[63] = '\0';
	int same = memcmp(child, parent, 32) == 0;
	int generator = strncmp(name, "chacha-", 7) == 0;
	printf("%s: backend %s without MADV_WIPEONFORK; PID 1 and its PID 1 child drew %s bytes\n",
	       same || generator ? "FAIL" : "ok", name, same ? "the same" : "different");
	return same || generator ? 1 : 0;
}
