/* SPDX-License-Identifier: MIT */
/*
 * vgetrandom stat [-o FILE] [--] CMD [ARGS...]: run CMD (and whatever it
 * forks and execs) with the stat build of the library preloaded, and when
 * it exits, report per process what the library did: calls and bytes by
 * path, the system calls it made and why, states, reseeds, and the
 * getrandom system calls it avoided.
 *
 * The counting lives in the stat build only (lib/stats.h), so no other
 * process pays for it.  Each process counts into its own file in a private
 * directory, mapped shared, so even a process killed by a signal leaves
 * its counts.  The command writes nothing to CMD's output: the report goes
 * to this command's standard error, or with -o to FILE, written to a
 * temporary file beside it and renamed (never a half report), whatever
 * way CMD ended.  Exits with CMD's status (128 + N when killed by signal N).
 *
 * The command is a child subreaper (PR_SET_CHILD_SUBREAPER): whatever CMD
 * leaves running when it exits is reparented here, and the report waits
 * for every descendant, so a child still drawing is counted whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "events.h"
#include "vgetrandom.h"
#include "stats.h"
#include "tool.h"

#define VGR_NAME(id, code, name, meaning) [code] = name,
static const char *const path_names[] = { VGR_PATHS(VGR_NAME) };
static const char *const fallback_names[] = { VGR_FALLBACKS(VGR_NAME) };
static const char *const reseed_names[] = { VGR_RESEEDS(VGR_NAME) };
#undef VGR_NAME
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(COUNT_OF(path_names) <= VGR_STAT_SLOTS && COUNT_OF(fallback_names) <= VGR_STAT_SLOTS &&
               COUNT_OF(reseed_names) <= VGR_STAT_SLOTS,
               "every code of events.h has its slot in the stat file");

/* The stat build, found beside the library this command loaded; an
 * absolute path, since CMD may change directory before it execs. */
static int find_stat_library(char *out, size_t size)
{
	const char *lib = library_path();
	char dir[PATH_MAX], candidate[PATH_MAX];
	static const char *const where[] = { "vgetrandom/stat", "stat" };

	if (!lib || !realpath(lib, dir) || size < PATH_MAX)
		return -1;
	dirname(dir);
	for (size_t i = 0; i < COUNT_OF(where); i++) {
		int n = snprintf(candidate, sizeof(candidate), "%s/%s/libvgetrandom.so.0", dir, where[i]);
		if (n > 0 && (size_t)n < sizeof(candidate) && realpath(candidate, out) &&
		    access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

static int by_pid(const void *a, const void *b)
{
	const struct vgr_stat_file *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Every process's counts; removes the files and the directory. */
static struct vgr_stat_file *collect(const char *dir, size_t *n)
{
	struct vgr_stat_file *all = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;

	*n = 0;
	while (d && (e = readdir(d))) {
		char path[PATH_MAX];
		struct vgr_stat_file f;
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t got = fd >= 0 ? read(fd, &f, sizeof(f)) : -1;
		if (fd >= 0)
			close(fd);
		unlink(path);
		if (got != (ssize_t)sizeof(f) || f.magic != VGR_STAT_MAGIC)
			continue;
		struct vgr_stat_file *grown = realloc(all, (*n + 1) * sizeof(*all));
		if (!grown)
			break;
		all = grown;
		f.program[sizeof(f.program) - 1] = '\0';
		f.backend[sizeof(f.backend) - 1] = '\0';
		all[(*n)++] = f;
	}
	if (d)
		closedir(d);
	rmdir(dir);
	if (*n)
		qsort(all, *n, sizeof(*all), by_pid);
	return all;
}

/* System calls the library made for f: its fallbacks, the generator's
 * reseeds, and the vDSO's own (a key for each new, zeroed or wiped state,
 * and after each kernel reseed). */
static uint64_t syscalls_made(const struct vgr_stat_file *f)
{
	return f->syscalls + f->vdso_rekeys;
}

static uint64_t calls_of(const struct vgr_stat_file *f)
{
	uint64_t c = 0;
	for (size_t i = 1; i < VGR_STAT_SLOTS; i++)
		c += f->calls[i];
	return c;
}

static void report(FILE *out, const struct vgr_stat_file *all, size_t n, const char *cmd,
                   int status)
{
	uint64_t calls = 0, made = 0;
	for (size_t i = 0; i < n; i++) {
		calls += calls_of(&all[i]);
		made += syscalls_made(&all[i]);
	}
	fprintf(out, "vgetrandom stat: %s ", cmd);
	if (WIFSIGNALED(status))
		fprintf(out, "was killed by signal %d", WTERMSIG(status));
	else
		fprintf(out, "exited with status %d", WEXITSTATUS(status));
	fprintf(out, "\n%zu process%s, %llu calls, %llu getrandom system calls made, "
	        "%llu avoided\n", n, n == 1 ? "" : "es", (unsigned long long)calls,
	        (unsigned long long)made, (unsigned long long)(calls > made ? calls - made : 0));
	size_t idle = 0;
	for (size_t i = 0; i < n; i++)
		idle += calls_of(&all[i]) == 0;
	if (idle)
		fprintf(out, "%zu of them made no calls (not listed)\n", idle);
	for (size_t i = 0; i < n; i++) {
		const struct vgr_stat_file *f = &all[i];
		uint64_t c = calls_of(f), m = syscalls_made(f);
		if (c == 0)
			continue;
		fprintf(out, "\npid %llu (%s), parent %llu, backend %s\n", (unsigned long long)f->pid,
		        f->program, (unsigned long long)f->ppid, f->backend);
		fprintf(out, "  calls:      %llu", (unsigned long long)c);
		for (size_t p = 1; p < COUNT_OF(path_names); p++)
			fprintf(out, "%s %s %llu (%llu bytes)", p == 1 ? " =" : ",", path_names[p],
			        (unsigned long long)f->calls[p], (unsigned long long)f->bytes[p]);
		fprintf(out, "\n  syscalls:   %llu made = %llu served by the system call",
		        (unsigned long long)m, (unsigned long long)f->calls[VGR_PATH_SYSCALL]);
		uint64_t fb = 0;
		for (size_t r = 1; r < COUNT_OF(fallback_names); r++)
			fb += f->fallbacks[r];
		if (fb) {
			fprintf(out, " (fallbacks:");
			for (size_t r = 1; r < COUNT_OF(fallback_names); r++)
				if (f->fallbacks[r])
					fprintf(out, " %s %llu", fallback_names[r],
					        (unsigned long long)f->fallbacks[r]);
			fprintf(out, ")");
		}
		uint64_t rs = 0;
		for (size_t r = 1; r < COUNT_OF(reseed_names); r++)
			rs += f->reseeds[r];
		fprintf(out, " + %llu generator reseeds", (unsigned long long)rs);
		if (f->provider == VGETRANDOM_PROVIDER_VDSO)
			fprintf(out, " + %llu vDSO rekeys", (unsigned long long)f->vdso_rekeys);
		uint64_t more = m - f->calls[VGR_PATH_SYSCALL] - rs - f->vdso_rekeys;
		if (more && m >= f->calls[VGR_PATH_SYSCALL] + rs + f->vdso_rekeys)
			fprintf(out, " + %llu for bulk keys or seeds that failed",
			        (unsigned long long)more);
		fprintf(out, "; %llu avoided\n", (unsigned long long)(c > m ? c - m : 0));
		fprintf(out, "  states:     %llu taken, %llu returned, %llu fork reclaims\n",
		        (unsigned long long)f->states_taken, (unsigned long long)f->states_given,
		        (unsigned long long)f->fork_reclaims);
		fprintf(out, "  reseeds:   ");
		for (size_t r = 1; r < COUNT_OF(reseed_names); r++)
			fprintf(out, " %s %llu%s", reseed_names[r], (unsigned long long)f->reseeds[r],
			        r + 1 < COUNT_OF(reseed_names) ? "," : "\n");
	}
}

/* Write text to path through a temporary file beside it and a rename. */
static int write_atomically(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return replace_file(path, tmp, text, len, 0644);
}

int cmd_stat(int argc, char **argv)
{
	const char *outfile = NULL;
	char lib[PATH_MAX], dir[PATH_MAX], *text = NULL;
	size_t text_len = 0, n;
	int i = 0, status = 0;

	if (i < argc && !strcmp(argv[i], "-o")) {
		if (i + 1 >= argc)
			return TOOL_USAGE_NO_FILE;
		outfile = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		return TOOL_USAGE_NO_COMMAND;
	if (find_stat_library(lib, sizeof(lib)) != 0) {
		fprintf(stderr, "%s stat: cannot find the stat build of the library beside %s\n",
		        prog, library_path() ? library_path() : "the library");
		return 127;
	}
	const char *tmpdir = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/vgetrandom-stat.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "%s stat: cannot create %s: %s\n", prog, dir, strerror(errno));
		return 127;
	}

	/* As system(3) does: a ^C or ^\ meant for CMD does not cost its report. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		fprintf(stderr, "%s stat: cannot wait for CMD's orphans (%s): processes still "
		        "running when CMD exits may be counted in part\n", prog, strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		if (preload_prepend(lib) != 0 || setenv("VGETRANDOM_STAT_DIR", dir, 1) != 0) {
			fprintf(stderr, "%s stat: %s\n", prog, strerror(errno));
			_exit(127);
		}
		execvp(argv[i], argv + i);
		fprintf(stderr, "%s stat: %s: %s\n", prog, argv[i], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (pid < 0) {
		fprintf(stderr, "%s stat: fork: %s\n", prog, strerror(errno));
		rmdir(dir);
		return 127;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Its descendants, now ours; until none is left. */
	while (wait(NULL) > 0 || errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);

	struct vgr_stat_file *all = collect(dir, &n);
	FILE *m = open_memstream(&text, &text_len);
	if (m) {
		report(m, all, n, argv[i], status);
		fclose(m);
	}
	free(all);
	if (!text) {
		fprintf(stderr, "%s stat: out of memory\n", prog);
	} else if (outfile) {
		if (write_atomically(outfile, text, text_len) != 0)
			fprintf(stderr, "%s stat: cannot write %s: %s\n", prog, outfile, strerror(errno));
	} else {
		fputs(text, stderr);
	}
	free(text);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
