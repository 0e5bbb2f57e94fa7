/* SPDX-License-Identifier: MIT */
/*
 * A copy of the library in a namespace of its own (dlmopen LM_ID_NEWLM):
 * glibc never runs pthread key destructors registered through a secondary
 * namespace's libc, so per-thread states there would never come back from
 * exited threads.  The copy serves through the system call instead.  2,000
 * threads, one after another, each draw 16 bytes from the copy; the state
 * memory of the process (mappings marked droppable or locked in smaps)
 * must not grow by more than one page group (16 KiB) while they do.
 * usage: test-dlmopen LIBRARY   (exit 0 pass, 1 fail, 77 skip)
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ssize_t (*draw)(void *, size_t, unsigned);
static int bad;

/* kB of mappings whose VmFlags say droppable (dp) or locked (lo). */
static unsigned long state_kb(void)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long kb = 0, size = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %lu kB", &size) == 1)
			continue;
		if (!strncmp(line, "VmFlags:", 8) && (strstr(line, " dp") || strstr(line, " lo")))
			kb += size;
	}
	fclose(f);
	return kb;
}

static void *one_draw(void *arg)
{
	unsigned char b[16] = { 0 };
	(void)arg;
	if (draw(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		__atomic_store_n(&bad, 1, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 1;
	if (getenv("VGR_UNDER_SANITIZER") || getenv("VGR_UNDER_VALGRIND")) {
		/* A second namespace has a libc of its own, and a sanitizer's
		 * runtime (or valgrind's preloads) is there only once. */
		printf("skip: a second namespace under a sanitizer or valgrind\n");
		return 77;
	}
	void *h = dlmopen(LM_ID_NEWLM, argv[1], RTLD_NOW);
	if (!h) {
		printf("skip: dlmopen: %s\n", dlerror());
		return 77;
	}
	draw = (ssize_t (*)(void *, size_t, unsigned))(uintptr_t)dlsym(h, "vgetrandom");
	const char *(*backend)(void) = (const char *(*)(void))(uintptr_t)dlsym(h, "vgetrandom_backend");
	if (!draw || !backend)
		return 1;
	unsigned long before = state_kb();
	for (int i = 0; i < 2000; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, one_draw, NULL) != 0 || pthread_join(t, NULL) != 0)
			return 1;
	}
	unsigned long after = state_kb();
	int ok = !bad && after <= before + 16 && strcmp(backend(), "syscall") == 0;
	printf("%s: the dlmopen'd copy: backend %s, state memory %lu kB before 2000 threads, "
	       "%lu kB after%s\n", ok ? "ok" : "FAIL", backend(), before, after,
	       bad ? ", a draw failed" : "");
	return ok ? 0 : 1;
}
