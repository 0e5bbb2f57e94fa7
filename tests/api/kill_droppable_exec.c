/* SPDX-License-Identifier: MIT */
/*
 * kill-droppable-exec CMD [ARGS...]: run CMD under a seccomp filter that
 * kills the process at any mmap asking for MAP_DROPPABLE, as older
 * Chromium-based sandboxes and QtWebEngine do.  Exits 77 where seccomp
 * filters cannot be installed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "seccomp_filter.h"

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		SECCOMP_LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3]) + LOW_WORD),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_DROPPABLE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: kill-droppable-exec CMD [ARGS...]\n");
		return 2;
	}
	if (install_seccomp_filter(f, sizeof(f) / sizeof(f[0]), 0) < 0) {
		printf("skip: no seccomp here (%s)\n", strerror(errno));
		return 77;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
