/* SPDX-License-Identifier: MIT */
/*
 * When MAP_DROPPABLE is refused, the library says so and serves well.
 *
 * A seccomp filter (as a sandbox might install) makes every mmap with
 * MAP_DROPPABLE fail with EINVAL, the way a kernel with a backported vDSO
 * but no MAP_DROPPABLE would; then this program runs itself again under
 * it, so the library chooses its backend there.  The vDSO's states cannot
 * exist, so the backend must be the generator (on its verified
 * MADV_WIPEONFORK memory), not a vDSO name over system calls: the name says
 * "chacha-", draws need no system call per request, and a forked child's
 * output differs from its parent's.  Exit 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_filter.h"
#include "test_util.h"
#include "syscall_path.h"
#include "thread_state.h"
#include "vgetrandom.h"


static int refuse_droppable(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		         offsetof(struct seccomp_data, args[3]) + LOW_WORD),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_DROPPABLE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int run(void)
{
	unsigned char a[16], b[16];
	int p[2];

	printf("backend under the filter: %s\n", vgetrandom_backend());
	if (vgetrandom_provider() != VGETRANDOM_PROVIDER_GENERATOR) {
		printf("FAIL: expected the generator\n");
		return 1;
	}
	for (int i = 0; i < 1000; i++)
		if (vgetrandom(a, sizeof(a), 0) != (ssize_t)sizeof(a))
			return 1;
	if (vgr_test_syscall_fallbacks() != 0) {
		printf("FAIL: %lu requests went to the system call\n",
		       vgr_test_syscall_fallbacks());
		return 1;
	}
	if (pipe(p) != 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		vgetrandom(b, sizeof(b), 0);
		_exit(write_full(p[1], b, sizeof(b)) == 0 ? 0 : 1);
	}
	vgetrandom(a, sizeof(a), 0);
	if (read_full(p[0], b, sizeof(b)) != 0 || !child_ok(pid))
		return 1;
	if (memcmp(a, b, sizeof(a)) == 0) { /* chance 2^-128 */
		printf("FAIL: the child repeated its parent's output\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return run();
	if (strcmp(vgetrandom_backend(), "syscall") == 0) {
		printf("SKIP: the test needs a backend with states\n");
		return SKIP_EXIT;
	}
	if (refuse_droppable() != 0) {
		printf("SKIP: cannot install a seccomp filter: %s\n", strerror(errno));
		return SKIP_EXIT;
	}
	execl("/proc/self/exe", argv[0], "run", (char *)NULL);
	perror("execl");
	return 1;
}
