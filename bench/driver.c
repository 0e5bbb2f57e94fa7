/* SPDX-License-Identifier: MIT */
/*
 * The benchmark users run first: ns per call of every random-byte source
 * on this machine, for request sizes from 1 byte to 1 MiB, side by side.
 *
 * This is the driver.  Each source is measured in a child process of its
 * own (child.c), and the children run interleaved: round 1 of every
 * source, then round 2, with the order rotated each round.  The tables
 * (report.c) show the median over the rounds; the CSV also has min and max.
 *
 *   vgetrandom-bench [--quick] [--rounds N] [--skip SOURCE]... [--csv FILE]
 *                    [--json FILE]   (--skip: leave a source out, as skipped)
 *   vgetrandom-bench --child SOURCE [--target-ms T] [MODE]   (internal)
 *
 * The peers a user would otherwise upgrade to, when bench/run.sh fetched
 * them (else listed as skipped, with the reason it gave):
 *   VGR_BENCH_GLIBC241=DIR  glibc 2.41's loader and libc.so.6: this same
 *                           program runs under that loader, its getrandom
 *                           and arc4random_buf being glibc 2.41's
 *   VGR_BENCH_GO=PROGRAM    bench/go/randbench.go built with Go 1.24,
 *                           which speaks the child protocol (bench.h)
 *   VGR_BENCH_PEERS_SKIPPED=REASON  why they are missing
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;
const char *self_path;

/* Run "self --child NAME --target-ms T [EXTRA...]" with the source's
 * environment and parse its "size ns" lines into out[] (by size index).
 * Returns 0 on success, 1 if the source is not available, -1 on error. */
int spawn(const struct source *s, char *const *extra, double target_ms,
                 double out[NSIZES], char *backend, size_t blen)
{
	char *envp[512];
	char *argv[16];
	int n = 0, a = 0, fds[2];
	char target[32];
	pid_t pid;

	for (char **e = environ; *e && n < 500; e++)
		if (strncmp(*e, "VGETRANDOM_", 11) != 0)
			envp[n++] = *e;
	for (int i = 0; i < 2; i++)
		if (s->env[i][0])
			envp[n++] = (char *)s->env[i];
	envp[n] = NULL;
	snprintf(target, sizeof(target), "%g", target_ms);
	const char *prog = self_path;
	if (s->exe[0]) {
		prog = s->exe;
	} else if (s->loader[0]) {
		/* ld.so --library-path DIR PROGRAM: this program, that libc */
		prog = s->loader;
		argv[a++] = (char *)s->loader;
		argv[a++] = "--library-path";
		argv[a++] = (char *)s->libdir;
	}
	argv[a++] = s->exe[0] ? (char *)s->exe : (char *)self_path;
	argv[a++] = "--child";
	argv[a++] = (char *)s->name;
	argv[a++] = "--target-ms";
	argv[a++] = target;
	for (int i = 0; extra && extra[i] && a < 15; i++)
		argv[a++] = extra[i];
	argv[a] = NULL;

	if (pipe(fds) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (backend) /* the probe: the library's complaints about kernels this
	              * CPU lacks are expected there */
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int err = posix_spawn(&pid, prog, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err != 0) {
		close(fds[0]);
		return -1;
	}

	FILE *f = fdopen(fds[0], "r");
	char line[256];
	int rc = 0, got = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t size;
		double ns;
		if (!strncmp(line, "skip", 4)) {
			rc = 1;
		} else if (!strncmp(line, "backend ", 8)) {
			if (backend) {
				size_t m = strcspn(line + 8, "\n");
				m = m < blen ? m : blen - 1;
				memcpy(backend, line + 8, m);
				backend[m] = 0;
			}
		} else if (!strncmp(line, "= ", 2)) {
			fputs(line + 2, stdout); /* a summary line the child wrote */
			got++;
		} else if (sscanf(line, "%zu %lf", &size, &ns) == 2) {
			for (size_t i = 0; i < NSIZES; i++)
				if (sizes[i] == size && out)
					out[i] = ns, got++;
		} else {
			fprintf(stderr, "%s: %s", s->name, line);
			rc = -1;
		}
	}
	fclose(f);
	int st;
	waitpid(pid, &st, 0);
	if (rc == 0 && (got == 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
		rc = -1;
	return rc;
}

static const char *progress_stage;
void progress(const char *stage, const char *fmt, ...)
{
	static int tty = -1;
	va_list ap;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty) {
		if (progress_stage != stage)
			fprintf(stderr, "%s...\n", stage);
		progress_stage = stage;
		return;
	}
	progress_stage = stage;
	fprintf(stderr, "\r%s ", stage);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
void progress_done(void)
{
	if (progress_stage && isatty(STDERR_FILENO))
		fprintf(stderr, "\r%78s\r", "");
	progress_stage = NULL;
}

/* Thread scaling and thread churn, for the syscall, the library's default
 * backend, its userspace generator with the fastest kernel, and libbsd. */
void measure_threads(int quick, int rounds, struct thread_results *t)
{
	const char *names[THREAD_SOURCES] = { "syscall", "vgetrandom", NULL, "libbsd-arc4random" };
	double ms = quick ? 20 : 100;
	char arg_t[16], arg_s[24];

	*t = (struct thread_results){ .tsizes = { 16, 4096 } };
	t->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	t->rounds = quick ? 1 : (rounds < 5 ? rounds : 5);
	for (int i = 0; i < nsrc; i++)
		if (!src[i].skipped && !strncmp(src[i].name, "vgetrandom-chacha-", 18)) {
			names[2] = src[i].name; /* the first listed is the fastest kernel */
			break;
		}
	for (int k = 0; k < THREAD_SOURCES; k++)
		t->names[k] = names[k] && source_index(names[k]) >= 0 ? names[k] : NULL;
	if (t->ncpu < 1)
		t->ncpu = 1;
	if (t->ncpu > 64)
		t->ncpu = 64;

	for (int r = 0; r < t->rounds; r++)
		for (int k = 0; k < THREAD_SOURCES; k++) {
			if (!t->names[k])
				continue;
			int si = source_index(t->names[k]);
			for (int z = 0; z < THREAD_SIZES; z++)
				for (int n = 1; n <= t->ncpu; n++) {
					double got[NSIZES] = { 0 };
					snprintf(arg_t, sizeof(arg_t), "%d", n);
					snprintf(arg_s, sizeof(arg_s), "%zu", t->tsizes[z]);
					char *extra[] = { "--threads", arg_t, "--size", arg_s, NULL };
					progress("scaling", "%d/%d: %-24s %5zu B %d threads ", r + 1,
					         t->rounds, t->names[k], t->tsizes[z], n);
					spawn(&src[si], extra, ms, got, NULL, 0);
					for (size_t q = 0; q < NSIZES; q++)
						if (sizes[q] == t->tsizes[z])
							t->scaling[k][z][n][r] = got[q];
				}
		}
	progress_done();

	/* Churn.  Rows: create/join alone, four sources, the two controls
	 * (child.c's spin-100ns and exit-hook), and create/join under glibc
	 * 2.41, which glibc 2.41's row is measured against: its
	 * pthread_create is not 2.36's. */
	const char *cnames[CH_ROWS] = { "none", "syscall", "vgetrandom", names[2],
	                                "glibc-2.41-getrandom", "spin-100ns", "exit-hook", "none" };
	struct source spin = { .name = "spin-100ns" };
	struct source hook = { .name = "exit-hook" };
	struct source bare = { .name = "none" };
	int g41 = source_index("glibc-2.41-getrandom");
	struct source bare41 = g41 >= 0 ? src[g41] : bare;
	snprintf(bare41.name, sizeof(bare41.name), "none");
	/* The child each row spawns; NULL: a source not measured here. */
	const struct source *crow[CH_ROWS] = { [CH_BARE] = &bare, [CH_CONTROL_SPIN] = &spin,
	                                       [CH_CONTROL_HOOK] = &hook,
	                                       [CH_BARE41] = g41 >= 0 ? &bare41 : NULL };
	for (int k = 1; k < CH_CONTROL_SPIN; k++) {
		int si = cnames[k] ? source_index(cnames[k]) : -1;
		crow[k] = si >= 0 ? &src[si] : NULL;
	}
	for (int k = 0; k < CH_ROWS; k++) {
		t->cnames[k] = cnames[k];
		t->cmeasured[k] = crow[k] != NULL;
	}
	for (int r = 0; r < t->rounds; r++)
		for (int k = 0; k < CH_ROWS; k++) {
			if (!crow[k])
				continue;
			double got[NSIZES] = { 0 };
			char *extra[] = { "--churn", NULL };
			progress("churn", "%d/%d: %-24s", r + 1, t->rounds, cnames[k]);
			spawn(crow[k], extra, ms, got, NULL, 0);
			/* by size index: 1, 4, 16, 32 bytes are run_churn's keys */
			t->paired[k][r] = got[0];
			t->first[k][r] = got[1];
			t->cycle[k][r] = got[2];
			t->later[k][r] = got[3];
		}
	progress_done();
}

int main(int argc, char **argv)
{
	int rounds = 11, quick = 0;
	double target_ms = 20;
	const char *leave_out[16];
	int nleave = 0;
	const char *csv_path = "bench-results/bench.csv";
	const char *json_path = "bench-results/bench.json";

	self_path = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--child") && i + 1 < argc) {
			return child_main(argv[i + 1], argc, argv, i + 2);
		} else if (!strcmp(argv[i], "--quick")) {
			quick = 1;
		} else if (!strcmp(argv[i], "--skip") && i + 1 < argc && nleave < 16) {
			leave_out[nleave++] = argv[++i];
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--csv") && i + 1 < argc) {
			csv_path = argv[++i];
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json_path = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--quick] [--rounds N] [--skip SOURCE]... [--csv FILE] "
			        "[--json FILE]\n", argv[0]);
			return 2;
		}
	}
	if (quick) {
		rounds = rounds == 11 ? 3 : rounds;
		target_ms = 2;
	}
	if (rounds < 1 || rounds > 64) {
		fprintf(stderr, "--rounds must be 1..64\n");
		return 2;
	}
	register_sources();

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("libvgetrandom bench: ns per call, median of %d interleaved rounds%s\n",
	       rounds, quick ? " (--quick)" : "");
	machine_facts(stdout, "");

	/* Probe each source once (and drop a ChaCha kernel source whose
	 * child did not run that kernel: it would be a row under a wrong
	 * name). */
	for (int i = 0; i < nsrc; i++) {
		double probe[NSIZES];
		int left_out = 0;
		for (int k = 0; k < nleave; k++)
			left_out |= !strcmp(src[i].name, leave_out[k]);
		if (left_out) {
			src[i].skipped = 1;
			continue;
		}
		int r = spawn(&src[i], NULL, 0.05, probe, src[i].backend, sizeof(src[i].backend));
		const char *k = strstr(src[i].name, "chacha-");
		if (r == 0 && k && strcmp(src[i].backend, k) != 0)
			r = 1;
		if (r != 0)
			src[i].skipped = 1;
		if (r < 0)
			fprintf(stderr, "%s failed; skipped\n", src[i].name);
	}

	for (int r = 0; r < rounds; r++)
		for (int j = 0; j < nsrc; j++) {
			struct source *s = &src[(j + r) % nsrc];
			if (s->skipped)
				continue;
			progress("sizes", "round %d/%d: %-24s", r + 1, rounds, s->name);
			double got[NSIZES];
			if (spawn(s, NULL, target_ms, got, NULL, 0) != 0) {
				fprintf(stderr, "\n%s failed in round %d\n", s->name, r + 1);
				return 1;
			}
			for (size_t z = 0; z < NSIZES; z++)
				s->ns[z][r] = got[z];
		}
	progress_done();

	if (report_sizes(rounds, csv_path, json_path) != 0)
		return 1;
	static struct thread_results threads;
	measure_threads(quick, rounds, &threads);
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", csv_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	report_threads(&threads, dir);
	return 0;
}
