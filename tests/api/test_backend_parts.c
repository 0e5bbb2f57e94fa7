/* SPDX-License-Identifier: MIT */
/*
 * vgetrandom_backend()'s parts: vgetrandom_provider() and
 * vgetrandom_chacha_kernel() name exactly what the string names, and
 * vgetrandom_chacha_kernels() lists the kernels VGETRANDOM_CHACHA accepts:
 * each one, asked for on the generator, is the kernel that runs.
 *
 * usage: test-backend-parts   (exit 0 pass, 1 fail; run per backend)
 *        test-backend-parts --kernel   (prints the kernel in use)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vgetrandom.h"

static int fails;

static void check(int ok, const char *what, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, detail ? ": " : "", detail ? detail : "");
	fails += !ok;
}

/* The name the parts make. */
static void compose(char *out, size_t n)
{
	const char *k = vgetrandom_chacha_kernel();
	switch (vgetrandom_provider()) {
	case VGETRANDOM_PROVIDER_VDSO:
		snprintf(out, n, k ? "vdso+chacha-%s" : "vdso", k);
		break;
	case VGETRANDOM_PROVIDER_GENERATOR:
		snprintf(out, n, "chacha-%s", k ? k : "(null)");
		break;
	case VGETRANDOM_PROVIDER_SYSCALL:
		snprintf(out, n, "%s", k ? "syscall with a kernel?" : "syscall");
		break;
	case VGETRANDOM_PROVIDER_URANDOM:
		snprintf(out, n, "%s", k ? "urandom with a kernel?" : "urandom");
		break;
	default:
		snprintf(out, n, "provider %d?", vgetrandom_provider());
	}
}

/* The kernel a child on the generator runs with VGETRANDOM_CHACHA=name. */
static int child_kernel(const char *self, const char *name, char *out, size_t n)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		setenv("VGETRANDOM_BACKEND", "chacha", 1);
		setenv("VGETRANDOM_CHACHA", name, 1);
		execl(self, self, "--kernel", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	ssize_t r = read(fd[0], out, n - 1);
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	out[r > 0 ? r : 0] = 0;
	out[strcspn(out, "\n")] = 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	char made[160], got[64];
	unsigned char b[16];

	if (argc > 1 && strcmp(argv[1], "--kernel") == 0) {
		const char *k = vgetrandom_chacha_kernel();
		printf("%s\n", vgetrandom_provider() == VGETRANDOM_PROVIDER_GENERATOR && k ? k : "-");
		return 0;
	}
	compose(made, sizeof(made));
	check(strcmp(made, vgetrandom_backend()) == 0, "the parts make the name", made);
	if (vgetrandom(b, sizeof(b), 0) == (ssize_t)sizeof(b)) {
		compose(made, sizeof(made)); /* a first draw may find no getrandom: urandom */
		check(strcmp(made, vgetrandom_backend()) == 0, "after a draw too", made);
	}

	unsigned n = 0, portable = 0, dup = 0;
	for (; vgetrandom_chacha_kernels(n); n++) {
		portable |= strcmp(vgetrandom_chacha_kernels(n), "portable") == 0;
		for (unsigned j = 0; j < n; j++)
			dup |= strcmp(vgetrandom_chacha_kernels(j), vgetrandom_chacha_kernels(n)) == 0;
	}
	snprintf(made, sizeof(made), "%u kernels", n);
	check(n > 0 && portable && !dup, "the kernel list holds portable, once each", made);
	check(vgetrandom_chacha_kernels(n + 1) == NULL, "NULL past the last", NULL);

	/* Each listed kernel runs when asked for, where the generator can
	 * serve at all (not under qemu-user: no verified MADV_WIPEONFORK). */
	if (child_kernel(argv[0], "portable", got, sizeof(got)) != 0 || strcmp(got, "-") == 0) {
		printf("skip the kernel choice: no generator here\n");
	} else {
		for (unsigned i = 0; i < n; i++) {
			const char *k = vgetrandom_chacha_kernels(i);
			int r = child_kernel(argv[0], k, got, sizeof(got));
			snprintf(made, sizeof(made), "%s asked, %s ran", k, r == 0 ? got : "(child failed)");
			check(r == 0 && strcmp(got, k) == 0, "VGETRANDOM_CHACHA", made);
		}
	}
	return fails ? 1 : 0;
}
