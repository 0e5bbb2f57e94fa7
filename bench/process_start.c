/* SPDX-License-Identifier: MIT */
/*
 * What a process pays for the library at start: posix_spawn + wait of a
 * program that never draws, one that draws 16 bytes once, and one that
 * draws 16 bytes 1,000 times (libc's getrandom, as an unmodified program
 * calls it), each run
 *   plain         no preload;
 *   empty         an empty library preloaded: what any preload costs;
 *   libvgetrandom this library preloaded;
 *   glibc-2.41    under glibc 2.41's loader, where bench/run.sh fetched it
 *                 (VGR_BENCH_GLIBC241), with no preload.
 * The configurations run interleaved, a batch of spawns each per round, in
 * an order rotated every round; the table shows the median over rounds of
 * the mean time per spawn in a batch, its min-max, and the ratio to the
 * empty preload.  Then that ratio again for the first two programs, from
 * single spawns paired back to back (the finer measure: batches drift
 * apart on a noisy machine).  Then what the first, second and third draws of a fresh
 * process cost, timed inside it (the first includes libc's lazy binding of
 * the name, in every way; the library's setup is in its second): the
 * median over processes spawned in turn.  Then the system calls one such
 * process makes (strace -f -c, where strace is installed), and the memory
 * a process that has drawn once holds (Pss, Private_Dirty from
 * /proc/PID/smaps_rollup).
 *
 *   bench-start [--quick] [--rounds N]   (VGR_BENCH_LIBRARY=PATH: preload
 *                                         that build of the library instead)
 *   bench-start --draw N [--hold]   (internal: the program spawned)
 *   bench-start --draw-timed        (internal: times its first three draws)
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#ifndef VGR_EMPTY_PATH
#define VGR_EMPTY_PATH "libempty-preload.so"
#endif

extern char **environ;

static const char *self;
static const char *const draws[] = { "0", "1", "1000" };
static const char *const draw_names[] = { "never draws", "draws 16 B once", "draws 16 B x1000" };
enum { PLAIN, EMPTY, LIB, GLIBC41, WAYS };
static const char *const way_names[WAYS] = { "plain", "empty preload", "libvgetrandom", "glibc 2.41" };
static char loader[512], libdir[512];

/* The spawned program: n draws, then (with --hold) wait for stdin to
 * close, so that its memory can be read. */
static int child(long n, int hold)
{
	unsigned char b[16];
	for (long i = 0; i < n; i++)
		if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
			return 1;
	if (hold) {
		char c;
		if (write(STDOUT_FILENO, "r", 1) != 1)
			return 1;
		while (read(STDIN_FILENO, &c, 1) > 0)
			;
	}
	return 0;
}

/* The spawned program for the draw costs: three 16-byte draws, each
 * timed, written to stdout as "ns ns ns". */
static int timed_child(void)
{
	unsigned char b[16];
	double t[4];
	t[0] = now_ns();
	for (int i = 0; i < 3; i++) {
		if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
			return 1;
		t[i + 1] = now_ns();
	}
	printf("%.0f %.0f %.0f\n", t[1] - t[0], t[2] - t[1], t[3] - t[2]);
	return 0;
}

/* argv and envp for one configuration; the environment without any
 * LD_PRELOAD or VGETRANDOM_ setting of the caller's. */
static void command(int way, int d, int hold, char **argv, char **envp, char *pre, size_t n)
{
	int a = 0, e = 0;
	if (way == GLIBC41) {
		argv[a++] = loader;
		argv[a++] = "--library-path";
		argv[a++] = libdir;
	}
	argv[a++] = (char *)self;
	if (d < 0) {
		argv[a++] = "--draw-timed";
	} else {
		argv[a++] = "--draw";
		argv[a++] = (char *)draws[d];
	}
	if (hold)
		argv[a++] = "--hold";
	argv[a] = NULL;
	for (char **v = environ; *v && e < 500; v++)
		if (strncmp(*v, "LD_PRELOAD=", 11) && strncmp(*v, "VGETRANDOM_", 11))
			envp[e++] = *v;
	if (way == EMPTY || way == LIB) {
		snprintf(pre, n, "LD_PRELOAD=%s", way == EMPTY ? VGR_EMPTY_PATH : bench_library());
		envp[e++] = pre;
	}
	envp[e] = NULL;
}

/* Mean ns per spawn + wait over count spawns; -1 on failure. */
static double batch(int way, int d, int count)
{
	char *argv[8], *envp[512], pre[600];
	command(way, d, 0, argv, envp, pre, sizeof(pre));
	double t0 = now_ns();
	for (int i = 0; i < count; i++) {
		pid_t pid;
		int st;
		if (posix_spawn(&pid, argv[0], NULL, NULL, argv, envp) != 0 ||
		    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return -1;
	}
	return (now_ns() - t0) / count;
}

/* The first three draws' ns of one fresh process of a configuration, in
 * t[0..2]; 0 on failure. */
static int draw_costs(int way, double *t)
{
	char *argv[8], *envp[512], pre[600];
	int out[2], ok = 0;
	pid_t pid;
	command(way, -1, 0, argv, envp, pre, sizeof(pre));
	if (pipe(out) != 0)
		return 0;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (err == 0) {
		char line[128];
		ssize_t got = read(out[0], line, sizeof(line) - 1);
		int st;
		if (got > 0) {
			line[got] = 0;
			ok = sscanf(line, "%lf %lf %lf", &t[0], &t[1], &t[2]) == 3;
		}
		ok &= waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	close(out[0]);
	return ok;
}

/* The ratio the goal is stated in, measured as finely as spawns allow:
 * single spawns of the library and of the empty preload, back to back,
 * which one first alternating, so that drift and noise hit both sides of a
 * pair alike.  The median of the pairs' ratios in r[0], its quartiles in
 * r[1] and r[2]; 0 on failure. */
static int paired(int d, int pairs, double *r)
{
	static double ratio[4096];
	if (pairs > 4096)
		pairs = 4096;
	for (int i = 0; i < pairs; i++) {
		double e, l;
		if (i & 1) {
			l = batch(LIB, d, 1);
			e = batch(EMPTY, d, 1);
		} else {
			e = batch(EMPTY, d, 1);
			l = batch(LIB, d, 1);
		}
		if (e <= 0 || l <= 0)
			return 0;
		ratio[i] = l / e;
	}
	r[0] = median_of(ratio, pairs); /* sorts */
	r[1] = ratio[pairs / 4];
	r[2] = ratio[pairs * 3 / 4];
	return 1;
}

/* strace -f -c's total number of calls for one process of a
 * configuration, or -1. */
static long syscalls(int way, int d)
{
	char *argv[8], *envp[512], pre[600], out[] = "/tmp/vgr-start-XXXXXX";
	int fd = mkstemp(out);
	if (fd < 0)
		return -1;
	close(fd);
	command(way, d, 0, argv, envp, pre, sizeof(pre));
	char *sargv[16] = { "strace", "-f", "-c", "-o", out };
	int a = 5;
	for (int i = 0; argv[i] && a < 15; i++)
		sargv[a++] = argv[i];
	sargv[a] = NULL;
	pid_t pid;
	int st;
	long total = -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "strace", &fa, NULL, sargv, envp) == 0 && waitpid(pid, &st, 0) == pid &&
	    WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		FILE *f = fopen(out, "r");
		char line[256];
		while (f && fgets(line, sizeof(line), f)) {
			long calls;
			/* the total line: "100.00  t  us  CALLS  [ERRORS]  total" */
			if (strstr(line, " total") && sscanf(line, "%*f %*f %*d %ld", &calls) == 1)
				total = calls;
		}
		if (f)
			fclose(f);
	}
	posix_spawn_file_actions_destroy(&fa);
	unlink(out);
	return total;
}

/* Pss and Private_Dirty (kB) of a process that has drawn once. */
static int memory(int way, long *pss, long *dirty)
{
	char *argv[8], *envp[512], pre[600], line[256], c;
	int in[2], out[2], ok = 0;
	pid_t pid;
	command(way, 1, 1, argv, envp, pre, sizeof(pre));
	if (pipe(in) != 0 || pipe(out) != 0)
		return 0;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (err == 0 && read(out[0], &c, 1) == 1) {
		snprintf(line, sizeof(line), "/proc/%d/smaps_rollup", (int)pid);
		FILE *f = fopen(line, "r");
		*pss = *dirty = -1;
		while (f && fgets(line, sizeof(line), f)) {
			sscanf(line, "Pss: %ld", pss);
			sscanf(line, "Private_Dirty: %ld", dirty);
		}
		if (f)
			fclose(f);
		ok = *pss >= 0 && *dirty >= 0;
	}
	close(in[1]);
	close(out[0]);
	if (err == 0)
		waitpid(pid, NULL, 0);
	return ok;
}

int main(int argc, char **argv)
{
	int rounds = 11, count = 40;
	static double t[3][WAYS][64];

	self = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--draw-timed"))
			return timed_child();
		if (!strcmp(argv[i], "--draw") && i + 1 < argc)
			return child(atol(argv[i + 1]), i + 2 < argc && !strcmp(argv[i + 2], "--hold"));
		if (!strcmp(argv[i], "--quick")) {
			rounds = 3;
			count = 10;
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [--quick] [--rounds N]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > 64) {
		fprintf(stderr, "--rounds must be 1..64\n");
		return 2;
	}
	const char *g = getenv("VGR_BENCH_GLIBC241");
	int ways = WAYS;
	if (!g || !*g ||
	    snprintf(loader, sizeof(loader), "%s/ld-linux-x86-64.so.2", g) >= (int)sizeof(loader) ||
	    access(loader, X_OK) != 0)
		ways = GLIBC41; /* not fetched: that column is left out, and said */
	snprintf(libdir, sizeof(libdir), "%s", g ? g : "");

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("process start: ns per posix_spawn + wait, median of %d interleaved rounds of %d "
	       "spawns (min-max)%s\n", rounds, count,
	       ways < WAYS ? "; glibc 2.41: not fetched (run bench/run.sh)" : "");
	for (int r = 0; r < rounds; r++)
		for (int j = 0; j < 3 * ways; j++) {
			int k = (j + r) % (3 * ways), d = k / ways, w = k % ways;
			double v = batch(w, d, count);
			if (v < 0) {
				fprintf(stderr, "%s, %s: the program failed\n", draw_names[d], way_names[w]);
				return 1;
			}
			t[d][w][r] = v;
		}
	printf("%-20s", "program");
	for (int w = 0; w < ways; w++)
		printf(" %24s", way_names[w]);
	printf("   libvgetrandom / empty\n");
	for (int d = 0; d < 3; d++) {
		double med[WAYS];
		printf("%-20s", draw_names[d]);
		for (int w = 0; w < ways; w++) {
			double v[64];
			memcpy(v, t[d][w], sizeof(double) * (size_t)rounds);
			med[w] = median_of(v, rounds);
			char cell[64];
			snprintf(cell, sizeof(cell), "%.0f (%.0f-%.0f)", med[w], v[0], v[rounds - 1]);
			printf(" %24s", cell);
		}
		/* The ratio per round, then its median: both columns of a
		 * round ran side by side. */
		double ratio[64];
		for (int r = 0; r < rounds; r++)
			ratio[r] = t[d][LIB][r] / t[d][EMPTY][r];
		double rm = median_of(ratio, rounds);
		printf("   %.3fx (%.3f-%.3f)\n", rm, ratio[0], ratio[rounds - 1]);
	}

	/* Pair ratios spread about +-8% here (quartiles); the median of n has
	 * a standard error of about 0.15/sqrt(n): 1,650 pairs (11 rounds)
	 * tell 1.02x from 1.03x, 660 did not. */
	int pairs = rounds * 150;
	printf("paired single spawns, libvgetrandom / empty preload: median of %d pair ratios "
	       "(quartiles)\n", pairs);
	for (int d = 0; d < 2; d++) {
		double r[3];
		if (!paired(d, pairs, r)) {
			fprintf(stderr, "%s, paired: the program failed\n", draw_names[d]);
			return 1;
		}
		printf("%-20s %.3fx (%.3f-%.3f)\n", draw_names[d], r[0], r[1], r[2]);
	}

	/* Processes of every way in turn, so that drift hits all alike. */
	int procs = rounds * 10 + 1;
	static double dc[WAYS][3][64 * 10 + 1];
	for (int p = 0; p < procs; p++)
		for (int w = 0; w < ways; w++) {
			double one[3];
			if (!draw_costs(w, one)) {
				fprintf(stderr, "draw costs, %s: the program failed\n", way_names[w]);
				return 1;
			}
			for (int k = 0; k < 3; k++)
				dc[w][k][p] = one[k];
		}
	printf("draws of a fresh process: ns, median of %d processes (min-max)\n%-20s", procs,
	       "draw");
	for (int w = 0; w < ways; w++)
		printf(" %24s", way_names[w]);
	printf("\n");
	static const char *const nth[] = { "first (16 B)", "second", "third" };
	for (int k = 0; k < 3; k++) {
		printf("%-20s", nth[k]);
		for (int w = 0; w < ways; w++) {
			double *v = dc[w][k];
			double m = median_of(v, procs);
			char cell[64];
			snprintf(cell, sizeof(cell), "%.0f (%.0f-%.0f)", m, v[0], v[procs - 1]);
			printf(" %24s", cell);
		}
		printf("\n");
	}

	printf("system calls per process (strace -f -c):\n%-20s", "program");
	for (int w = 0; w < ways; w++)
		printf(" %15s", way_names[w]);
	printf("\n");
	for (int d = 0; d < 3; d++) {
		printf("%-20s", draw_names[d]);
		for (int w = 0; w < ways; w++) {
			long n = syscalls(w, d);
			if (n < 0)
				printf(" %15s", "no strace");
			else
				printf(" %15ld", n);
		}
		printf("\n");
	}

	printf("memory of a process that has drawn once (kB, /proc/PID/smaps_rollup):\n");
	long pss_empty = -1, dirty_empty = -1;
	for (int w = 0; w < ways; w++) {
		long pss, dirty;
		if (!memory(w, &pss, &dirty)) {
			printf("%-20s unavailable\n", way_names[w]);
			continue;
		}
		if (w == EMPTY) {
			pss_empty = pss;
			dirty_empty = dirty;
		}
		printf("%-20s Pss %5ld, Private_Dirty %5ld", way_names[w], pss, dirty);
		if (w == LIB && pss_empty >= 0)
			printf("   (against the empty preload: Pss %+ld, Private_Dirty %+ld)",
			       pss - pss_empty, dirty - dirty_empty);
		printf("\n");
	}
	return 0;
}
