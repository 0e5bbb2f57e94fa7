/* SPDX-License-Identifier: MIT */
/*
 * VGETRANDOM_HYBRID_MIN is decimal digits, 1 to MAX_RW_COUNT; anything
 * else prints the one message and keeps the default threshold (128).
 * Each value runs in a fresh process (the variable is read once, at setup), this
 * program again with VGETRANDOM_BACKEND=hybrid; it reports on stdout which
 * of two lengths took the bulk path.  Exit 0 pass, 1 fail, 77 skip (no
 * vDSO here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulk.h"
#include "test_util.h"
#include "vgetrandom.h"

/* Child: did a request of len bytes take the bulk path? */
static int child(size_t len)
{
	static unsigned char buf[256];
	unsigned long before = vgr_test_bulk_calls();

	if (vgetrandom_provider() != VGETRANDOM_PROVIDER_VDSO || !vgetrandom_chacha_kernel()) {
		printf("nohybrid\n");
		return 0;
	}
	if (vgetrandom(buf, len, 0) != (ssize_t)len)
		return 1;
	printf("%s\n", vgr_test_bulk_calls() > before ? "bulk" : "state");
	return 0;
}

/* Run this program with VGETRANDOM_HYBRID_MIN=value (NULL: unset) asking
 * about len; out gets its stdout, err its stderr. */
static int ask(const char *self, const char *value, size_t len,
               char *out, size_t outsz, char *err, size_t errsz)
{
	int o[2], e[2];
	char lenarg[32];

	snprintf(lenarg, sizeof(lenarg), "%zu", len);
	if (pipe(o) || pipe(e))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		setenv("VGETRANDOM_BACKEND", "hybrid", 1);
		if (value)
			setenv("VGETRANDOM_HYBRID_MIN", value, 1);
		else
			unsetenv("VGETRANDOM_HYBRID_MIN");
		execl(self, self, "child", lenarg, (char *)NULL);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	ssize_t n = read(o[0], out, outsz - 1);
	out[n > 0 ? n : 0] = 0;
	n = read(e[0], err, errsz - 1);
	err[n > 0 ? n : 0] = 0;
	close(o[0]);
	close(e[0]);
	return child_ok(pid) ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "child") == 0)
		return child(strtoul(argv[2], NULL, 10));

	static const char *const bad[] = {
		" 7", "+9", " -5", "-5", "7 ", "7x", "0x10", "0", "",
		"2147479553", "99999999999999999999999",
	};
	char out[64], err[512];
	int fails = 0;

	if (ask(argv[0], NULL, 128, out, sizeof(out), err, sizeof(err)) != 0)
		return 1;
	if (strcmp(out, "nohybrid\n") == 0) {
		printf("SKIP: no vDSO here, so no bulk path\n");
		return SKIP_EXIT;
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out2[64];
		int ok = ask(argv[0], bad[i], 128, out, sizeof(out), err, sizeof(err)) == 0 &&
		         ask(argv[0], bad[i], 127, out2, sizeof(out2), err, sizeof(err)) == 0;
		/* The empty value means unset: no message. */
		int want_msg = bad[i][0] != 0;
		int msg = strstr(err, "VGETRANDOM_HYBRID_MIN") != NULL;
		if (!ok || strcmp(out, "bulk\n") != 0 || strcmp(out2, "state\n") != 0 ||
		    msg != want_msg) {
			printf("FAIL: VGETRANDOM_HYBRID_MIN=\"%s\": 128 B -> %s, 127 B -> %s, "
			       "stderr: %s\n", bad[i], out, out2, err);
			fails++;
		}
	}
	/* A valid value moves the threshold, silently. */
	char out2[64];
	if (ask(argv[0], "7", 7, out, sizeof(out), err, sizeof(err)) != 0 ||
	    ask(argv[0], "7", 6, out2, sizeof(out2), err, sizeof(err)) != 0 ||
	    strcmp(out, "bulk\n") != 0 || strcmp(out2, "state\n") != 0 || err[0]) {
		printf("FAIL: VGETRANDOM_HYBRID_MIN=7: 7 B -> %s, 6 B -> %s, stderr: %s\n",
		       out, out2, err);
		fails++;
	}
	return fails ? 1 : 0;
}
