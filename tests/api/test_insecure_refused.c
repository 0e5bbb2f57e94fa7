/* SPDX-License-Identifier: MIT */
/*
 * A kernel older than Linux 5.6 refuses GRND_INSECURE with EINVAL (Debian
 * 10's 4.19, RHEL 8's 4.18), and the library must refuse it too: its
 * generator, which serves on such kernels, must not accept a flag the
 * running kernel does not.  A seccomp filter answers getrandom(2) as 5.4
 * would (EINVAL for any flags word with GRND_INSECURE), installed before
 * the library sets itself up; then every flags word 0 to 7, and 8, is
 * asked of vgetrandom() and of the system call, twice (the process's first
 * request is served before the setup, the rest after it): the same return
 * value and the same errno each time.  Other flags still get bytes.
 * Run on the chacha and syscall backends; the others skip, since the vDSO
 * exists only on kernels that accept the flag (and asking which backend
 * serves would set the library up before the filter is in place).
 * Exit 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_filter.h"
#include "vgetrandom.h"

int main(void)
{
	const char *b = getenv("VGETRANDOM_BACKEND");
	if (!b || (strcmp(b, "chacha") && strcmp(b, "syscall"))) {
		printf("skip: the vDSO exists only on kernels that accept GRND_INSECURE\n");
		return 77;
	}
	struct sock_filter f[] = {
		SECCOMP_LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2]) + LOW_WORD),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, GRND_INSECURE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	if (install_seccomp_filter(f, sizeof(f) / sizeof(f[0]), 0) != 0) {
		printf("skip: no seccomp filter here (%s)\n", strerror(errno));
		return 77;
	}
	int fails = 0;
	for (int round = 0; round < 2; round++)
		for (unsigned int flags = 0; flags <= 8; flags++) {
			unsigned char a[16], k[16];
			errno = 0;
			long want = syscall(SYS_getrandom, k, sizeof(k), flags);
			int want_errno = want < 0 ? errno : 0;
			errno = 0;
			ssize_t got = vgetrandom(a, sizeof(a), flags);
			int got_errno = got < 0 ? errno : 0;
			int ok = got == want && got_errno == want_errno;
			printf("%s round %d flags %u: vgetrandom %zd (%s), system call %ld (%s)\n",
			       ok ? "ok  " : "FAIL", round, flags, got, strerror(got_errno), want,
			       strerror(want_errno));
			fails += !ok;
		}
	printf("backend %s\n", vgetrandom_backend());
	return fails ? 1 : 0;
}
