/* SPDX-License-Identifier: MIT */
/*
 * What the parts of vgetrandom-bench share.  The program is one binary in
 * two roles: the driver (driver.c) spawns one measuring child per source
 * and round (child.c), interleaving them; sources.c knows every source on
 * both sides; report.c prints the tables and writes CSV, JSON and, with
 * bench/plot.gp, the plot.
 *
 * The child protocol, on the child's stdout: "backend NAME", then one
 * "SIZE NS" line per request size, or "skip" when the source is not
 * available here, or "error ..." on failure; a line starting "= " is a
 * summary the driver prints as it is.  bench/go/randbench.go speaks it too.
 */
#ifndef VGR_BENCH_H
#define VGR_BENCH_H

#include <stddef.h>
#include <stdio.h>

#include "bench_util.h"

/* The request sizes of the size table (200: not a whole number of blocks). */
#define NSIZES 12
extern const size_t sizes[NSIZES];
#define MAXBUF (1u << 20)

/* One way to get n random bytes into buf; 1 when it did. */
typedef int (*fill_fn)(void *buf, size_t len);

/* sources.c, the child's side: the named source set up in this process
 * (NULL: not available here), and how many calls one fill makes. */
fill_fn child_source(const char *name);
extern int calls_per_fill;
/* The library, loaded privately; its vgetrandom and vgetrandom_backend. */
int load_library(void);
extern ssize_t (*vgr_fn)(void *, size_t, unsigned int);
extern const char *(*vgr_backend_fn)(void);

/* sources.c, the driver's side: every source, in table order. */
struct source {
	char name[40];
	char env[2][64]; /* VAR=value to set in the child, "" for none */
	char exe[256];   /* another program speaking the child protocol */
	char loader[256], libdir[256]; /* run this program under that ld.so */
	int skipped;
	char backend[48];
	double ns[NSIZES][64]; /* per round */
};
extern struct source src[32];
extern int nsrc;
extern char peers_skipped[200];
void register_sources(void);
/* The index of a source that was not skipped, or -1. */
int source_index(const char *name);

/* child.c: the measuring modes, selected by the --child options. */
int child_main(const char *name, int argc, char **argv, int from);

/* driver.c */
extern const char *self_path;
/* Run the source's child with extra arguments; its "SIZE NS" lines go to
 * out[] by size index, its backend line to backend.  0 done, 1 skipped,
 * -1 failed. */
int spawn(const struct source *s, char *const *extra, double target_ms, double out[NSIZES],
          char *backend, size_t blen);
void progress(const char *stage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void progress_done(void);

/* The thread tables' figures, measured by driver.c, printed by report.c. */
#define THREAD_SOURCES 4
#define THREAD_SIZES 2
enum { CH_BARE, CH_GLIBC41 = 4, CH_CONTROL_SPIN, CH_CONTROL_HOOK, CH_BARE41, CH_ROWS };
struct thread_results {
	const char *names[THREAD_SOURCES]; /* NULL: not measured */
	size_t tsizes[THREAD_SIZES];
	int ncpu, rounds;
	double scaling[THREAD_SOURCES][THREAD_SIZES][65][64];
	const char *cnames[CH_ROWS];
	int cmeasured[CH_ROWS];
	double cycle[CH_ROWS][64], paired[CH_ROWS][64], first[CH_ROWS][64], later[CH_ROWS][64];
};
void measure_threads(int quick, int rounds, struct thread_results *t);

/* report.c */
void stats(const double *v, int n, double *med, double *lo, double *hi);
void machine_facts(FILE *out, const char *prefix);
/* The size tables, the summary lines, CSV and JSON, and the plot. */
int report_sizes(int rounds, const char *csv_path, const char *json_path);
void report_threads(const struct thread_results *t, const char *dir);

#endif
