/* SPDX-License-Identifier: MIT */
/*
 * Thread churn for tests/api/check-first-call.sh: after one warm-up thread
 * (which maps the arena and seeds a state), argv[1] threads are created
 * and joined one after another; with argv[2] = "draw" each makes one
 * 16-byte call, with "idle" none.  The script compares the system calls
 * of the two runs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vgetrandom.h>

static int draw;

static void *one(void *arg)
{
	unsigned char b[16];
	(void)arg;
	if (draw && vgetrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return (void *)1;
	return NULL;
}

static int run(int n)
{
	for (int i = 0; i < n; i++) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, one, NULL) != 0 || pthread_join(t, &r) != 0 || r)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	draw = 1;
	if (run(1)) /* warm-up, in both modes */
		return 1;
	draw = strcmp(argv[2], "draw") == 0;
	return run(atoi(argv[1]));
}
