/* SPDX-License-Identifier: MIT */
/*
 * The report: the tables on stdout, every figure in CSV and JSON, and the
 * plot (bench/plot.gp, run by gnuplot when it is installed).
 */
#include <errno.h>
#include <gnu/libc-version.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

#ifndef VGR_PLOT_SCRIPT
#define VGR_PLOT_SCRIPT "bench/plot.gp"
#endif

void stats(const double *v, int n, double *med, double *lo, double *hi)
{
	double t[64];
	memcpy(t, v, sizeof(double) * (size_t)n);
	*med = median_of(t, n); /* sorts t */
	*lo = t[0];
	*hi = t[n - 1];
}

/* The same ratio measured paired in one process (run_paired), which this
 * VM's drift between rounds does not reach: the figure to read for small
 * requests.  The child prints the lines. */
static void paired_summary(const struct source *lib)
{
	char *extra[] = { "--paired", NULL };

	if (spawn(lib, extra, 0, NULL, NULL, 0) != 0)
		printf("vgetrandom / raw-vdso paired in one process: failed\n");
}

static void size_label(size_t s, char *out, size_t len)
{
	if (s >= (1u << 20))
		snprintf(out, len, "%zuM", s >> 20);
	else if (s >= 1024)
		snprintf(out, len, "%zuK", s >> 10);
	else
		snprintf(out, len, "%zu", s);
}

void machine_facts(FILE *out, const char *prefix)
{
	struct utsname u;
	char line[256], cpu[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');
			snprintf(cpu, sizeof(cpu), "%s", c ? c + 2 : line);
			cpu[strcspn(cpu, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	fprintf(out, "%sCPU: %s, %ld online CPUs\n", prefix, cpu, sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(out, "%skernel: %s %s %s; libc: glibc %s\n", prefix, u.sysname, u.release,
	        u.machine, gnu_get_libc_version());
}

/* The series a reader compares (the syscall, the raw vDSO, the peers, the
 * library and its generator): the plot's top panel, drawn bold. */
static int is_headline(const char *name, const char *generator)
{
	static const char *const headline[] = { "syscall", "raw-vdso", "glibc-2.41-getrandom",
		"go-1.24-crypto/rand", "vgetrandom" };
	for (size_t i = 0; i < sizeof(headline) / sizeof(headline[0]); i++)
		if (!strcmp(name, headline[i]))
			return 1;
	return generator && !strcmp(name, generator);
}

/* bench/plot.gp draws the CSV; this names its files and which series go
 * in which panel. */
static void plot(const char *csv_path)
{
	char png[300], cmd[2048], main_list[700] = "", rest[700] = "";
	const char *generator = NULL;
	size_t mn = 0, rn = 0;

	snprintf(png, sizeof(png), "%.*s.png", (int)(strlen(csv_path) - 4), csv_path);
	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		printf("plot: skipped (gnuplot not installed)\n");
		return;
	}
	for (int i = 0; i < nsrc && !generator; i++)
		if (!src[i].skipped && !strncmp(src[i].name, "vgetrandom-chacha-", 18))
			generator = src[i].name; /* the fastest kernel is listed first */
	for (int i = 0; i < nsrc; i++) {
		if (src[i].skipped)
			continue;
		if (is_headline(src[i].name, generator))
			mn += (size_t)snprintf(main_list + mn, mn < sizeof(main_list) ? sizeof(main_list) - mn : 0,
			                       "%s ", src[i].name);
		else
			rn += (size_t)snprintf(rest + rn, rn < sizeof(rest) ? sizeof(rest) - rn : 0,
			                       "%s ", src[i].name);
	}
	if (mn >= sizeof(main_list) || rn >= sizeof(rest) ||
	    snprintf(cmd, sizeof(cmd), "gnuplot -e \"csv='%s'; png='%s'; main='%s'; rest='%s'\" '%s'",
	             csv_path, png, main_list, rest, VGR_PLOT_SCRIPT) >= (int)sizeof(cmd)) {
		printf("plot: skipped (too many sources for the command line)\n");
		return;
	}
	if (system(cmd) == 0)
		printf("wrote %s\n", png);
	else
		printf("plot: gnuplot failed\n");
}

int report_sizes(int rounds, const char *csv_path, const char *json_path)
{
	/* Rows by name: any of them may have been skipped. */
	int sys = source_index("syscall"), raw = source_index("raw-vdso"),
	    lib = source_index("vgetrandom");
	double med[32][NSIZES], lo[32][NSIZES], hi[32][NSIZES];
	for (int i = 0; i < nsrc; i++)
		for (size_t z = 0; z < NSIZES; z++)
			if (!src[i].skipped)
				stats(src[i].ns[z], rounds, &med[i][z], &lo[i][z], &hi[i][z]);

	const char *titles[] = { "ns per call (median)", "speed-up over the getrandom syscall (median ns ratio)",
	                         "MB/s (median)" };
	for (int tbl = 0; tbl < 3; tbl++) {
		printf("\n%s\n%-24s", titles[tbl], "source \\ bytes");
		for (size_t z = 0; z < NSIZES; z++) {
			char l[16];
			size_label(sizes[z], l, sizeof(l));
			printf(" %8s", l);
		}
		printf("\n");
		for (int i = 0; i < nsrc; i++) {
			if (src[i].skipped)
				continue;
			printf("%-24s", src[i].name);
			for (size_t z = 0; z < NSIZES; z++) {
				if (tbl == 1 && sys < 0) {
					printf(" %8s", "-");
					continue;
				}
				double v = tbl == 0 ? med[i][z]
				         : tbl == 1 ? med[sys][z] / med[i][z]
				                    : (double)sizes[z] * 1e3 / med[i][z];
				printf(tbl == 1 ? " %7.1fx" : " %8.1f", v);
			}
			printf("\n");
		}
	}
	printf("\nbackends as the library reported them: ");
	for (int i = 0; i < nsrc; i++)
		if (!src[i].skipped && !strncmp(src[i].name, "vgetrandom", 10))
			printf("%s=%s ", src[i].name, src[i].backend);
	printf("\nskipped (not installed or not supported here): ");
	for (int i = 0; i < nsrc; i++)
		if (src[i].skipped)
			printf("%s ", src[i].name);
	if (source_index("glibc-2.41-getrandom") < 0)
		printf("glibc-2.41 (%s) ", peers_skipped);
	if (source_index("go-1.24-crypto/rand") < 0)
		printf("go-1.24 (%s) ", peers_skipped[0] ? peers_skipped : "not built");
	printf("\n");
	int g = source_index("glibc-2.41-getrandom");
	if (g >= 0 && lib >= 0) {
		/* The peer a user would upgrade to: its time over ours. */
		printf("vgetrandom against glibc 2.41's getrandom (its time / ours):");
		for (size_t q = 0; q < NSIZES; q++)
			if (sizes[q] == 1 || sizes[q] == 16 || sizes[q] == 256 || sizes[q] == 4096 ||
			    sizes[q] == (1 << 20))
				printf(" %zu B %.2fx", sizes[q], med[g][q] / med[lib][q]);
		printf("\n");
	}
	if (raw >= 0 && lib >= 0) {
		printf("vgetrandom / raw-vdso: 1 B %.2fx, 4 B %.2fx the time (medians of the rounds)\n",
		       med[lib][0] / med[raw][0], med[lib][1] / med[raw][1]);
		paired_summary(&src[lib]);
		/* The bulk path's figures against the vDSO alone. */
		printf("vgetrandom speed-up over raw-vdso:");
		for (size_t q = 0; q < NSIZES; q++)
			if (sizes[q] == 200 || sizes[q] == 256 || sizes[q] == 4096 ||
			    sizes[q] == (1 << 20))
				printf(" %zu B %.2fx", sizes[q], med[raw][q] / med[lib][q]);
		printf("\n");
	}

	/* CSV and JSON with every figure. */
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", csv_path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		mkdir(dir, 0755);
	} else {
		snprintf(dir, sizeof(dir), ".");
	}
	FILE *csv = fopen(csv_path, "w");
	FILE *json = fopen(json_path, "w");
	if (!csv || !json) {
		fprintf(stderr, "cannot write %s or %s: %s\n", csv_path, json_path, strerror(errno));
		if (csv)
			fclose(csv);
		if (json)
			fclose(json);
		return 1;
	}
	fprintf(csv, "source,backend,bytes,ns_median,ns_min,ns_max,mb_per_s,speedup_vs_syscall,rounds\n");
	fprintf(json, "{\n  \"rounds\": %d,\n  \"results\": [\n", rounds);
	int first = 1;
	for (int i = 0; i < nsrc; i++) {
		if (src[i].skipped)
			continue;
		for (size_t z = 0; z < NSIZES; z++) {
			fprintf(csv, "%s,%s,%zu,%.3f,%.3f,%.3f,%.2f,%.3f,%d\n", src[i].name,
			        src[i].backend, sizes[z], med[i][z], lo[i][z], hi[i][z],
			        (double)sizes[z] * 1e3 / med[i][z], sys >= 0 ? med[sys][z] / med[i][z] : NAN,
			        rounds);
			fprintf(json, "%s    {\"source\": \"%s\", \"backend\": \"%s\", \"bytes\": %zu, "
			        "\"ns_median\": %.3f, \"ns_min\": %.3f, \"ns_max\": %.3f}",
			        first ? "" : ",\n", src[i].name, src[i].backend, sizes[z],
			        med[i][z], lo[i][z], hi[i][z]);
			first = 0;
		}
	}
	fprintf(json, "\n  ]\n}\n");
	fclose(csv);
	fclose(json);
	printf("wrote %s and %s\n", csv_path, json_path);

	plot(csv_path);
	return 0;
}

void report_threads(const struct thread_results *t, const char *dir)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/bench-threads.csv", dir);
	FILE *csv = fopen(path, "w");
	printf("\nthread scaling: ns per call per thread, median of %d (aggregate MB/s)\n%-24s %6s",
	       t->rounds, "source", "bytes");
	for (int n = 1; n <= t->ncpu; n++)
		printf("   %2d thread%s       ", n, n > 1 ? "s" : " ");
	printf("\n");
	if (csv)
		fprintf(csv, "source,bytes,threads,ns_per_call_per_thread,aggregate_mb_per_s,rounds\n");
	for (int k = 0; k < THREAD_SOURCES; k++) {
		if (!t->names[k])
			continue;
		for (int z = 0; z < THREAD_SIZES; z++) {
			printf("%-24s %6zu", t->names[k], t->tsizes[z]);
			for (int n = 1; n <= t->ncpu; n++) {
				double med, lo, hi, mbs;
				stats(t->scaling[k][z][n], t->rounds, &med, &lo, &hi);
				mbs = (double)t->tsizes[z] * n * 1e3 / med;
				printf(" %9.1f (%7.0f)", med, mbs);
				if (csv)
					fprintf(csv, "%s,%zu,%d,%.3f,%.1f,%d\n", t->names[k], t->tsizes[z], n,
					        med, mbs, t->rounds);
			}
			printf("\n");
		}
	}
	if (csv)
		fclose(csv);

	const char *clabel[CH_ROWS] = { [CH_BARE] = "create/join only",
	                                [CH_CONTROL_SPIN] = "control: 100 ns of work",
	                                [CH_CONTROL_HOOK] = "control: an exit hook" };
	snprintf(path, sizeof(path), "%s/bench-churn.csv", dir);
	csv = fopen(path, "w");
	printf("\nthread churn: ns per pthread_create + one 16-byte call + pthread_join, median of %d (min-max)\n"
	       "  \"paired\": in one process, blocks of 16 cycles with and without the call alternated,\n"
	       "  the median difference per cycle; \"first\"/\"later\": a new thread's first and second\n"
	       "  call, timed inside it (medians); the controls do 100 ns of work, or arm a\n"
	       "  thread-exit hook (pthread_setspecific, a destructor that does nothing), instead of a call\n",
	       t->rounds);
	if (csv)
		fprintf(csv, "source,ns_per_cycle_median,ns_min,ns_max,paired_added_ns,first_call_ns,"
		             "later_call_ns,rounds\n");
	double base = 0, base41 = 0, lo41 = 0, hi41 = 0;
	bool have41 = t->cmeasured[CH_BARE41];
	if (have41)
		stats(t->cycle[CH_BARE41], t->rounds, &base41, &lo41, &hi41);
	for (int k = 0; k < CH_BARE41; k++) {
		double med, lo, hi, pm = 0, plo = 0, phi = 0, fm = 0, lm = 0, x, y;
		bool under41 = k == CH_GLIBC41;
		if (!t->cmeasured[k])
			continue;
		stats(t->cycle[k], t->rounds, &med, &lo, &hi);
		if (k == CH_BARE)
			base = med;
		printf("%-28s %9.0f (%.0f-%.0f)", clabel[k] ? clabel[k] : t->cnames[k], med, lo, hi);
		if (k != CH_BARE) {
			stats(t->paired[k], t->rounds, &pm, &plo, &phi);
			stats(t->first[k], t->rounds, &fm, &x, &y);
			stats(t->later[k], t->rounds, &lm, &x, &y);
			printf("   %+.0f ns against create/join alone%s (%.0f); paired %+.0f ns (%+.0f to %+.0f);"
			       " first %.0f ns, later %.0f ns",
			       under41 ? med - base41 : med - base, under41 ? " under glibc 2.41" : "",
			       under41 ? base41 : base, pm, plo, phi, fm, lm);
		}
		printf("\n");
		if (csv)
			fprintf(csv, "%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%d\n",
			        k == CH_BARE ? "create-join-only" : t->cnames[k], med, lo, hi, pm, fm, lm,
			        t->rounds);
	}
	if (csv && have41)
		fprintf(csv, "create-join-only-glibc-2.41,%.1f,%.1f,%.1f,,,,%d\n", base41, lo41, hi41,
		        t->rounds);
	if (csv)
		fclose(csv);
	printf("wrote %s/bench-threads.csv and %s/bench-churn.csv\n", dir, dir);
}
