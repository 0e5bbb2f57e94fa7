/* SPDX-License-Identifier: MIT */
/*
 * vgetrandom system status|enable [LIBRARY]|disable: the library in
 * /etc/ld.so.preload, which ld.so reads before starting any dynamically
 * linked program, setuid ones included.
 *
 * The file is shared with whatever else an operator preloads, so: it is
 * read with ld.so's own rules (preload_list.c); an edit removes or adds
 * only this library's entry and keeps every other byte; a change is
 * written to a temporary file beside it (beside the target of a symbolic
 * link, which stays a link) and renamed over it (a process starting meanwhile reads
 * the old list or the new, never half of one); edits are serialised with a
 * lock on /etc itself, so no lock file is left behind; and a library is
 * listed only after `vgetrandom self-test` passed in a child process that
 * had it preloaded, since a library that breaks there breaks every program
 * on the machine.  Nor is a library listed that anyone but root could
 * replace: setuid programs load it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define PRELOAD_DIR "/etc"
#define PRELOAD_FILE PRELOAD_DIR "/ld.so.preload"
#define SELF_TEST_SECONDS 60

#ifndef VGR_BINDIR
#define VGR_BINDIR "/usr/local/bin"
#endif

/* An entry that names this library: the same file, or any copy of it. */
static bool is_ours(const char *entry, const char *lib)
{
	const char *base = strrchr(entry, '/');
	base = base ? base + 1 : entry;
	return (lib && same_file(entry, lib)) || strncmp(base, "libvgetrandom.so", 16) == 0;
}

/* The whole file, NUL-terminated; "" when it does not exist. */
static char *read_preload(void)
{
	FILE *f = fopen(PRELOAD_FILE, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f) {
		if (errno != ENOENT) {
			fprintf(stderr, "%s system: cannot read %s: %s\n", prog, PRELOAD_FILE,
			        strerror(errno));
			return NULL;
		}
		return strdup("");
	}
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while (m && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	bool bad = ferror(f) || !m;
	fclose(f);
	if (m)
		fclose(m);
	if (bad || memchr(buf, '\0', len)) {
		fprintf(stderr, "%s system: cannot read %s\n", prog, PRELOAD_FILE);
		free(buf);
		return NULL;
	}
	return buf;
}

/* The file to rewrite: /etc/ld.so.preload, or the file its symbolic link
 * names (renaming over the link would leave its target with the old list
 * and the link replaced).  0, or -1 having said why. */
static int preload_target(char *path, size_t size)
{
	struct stat st;

	if (lstat(PRELOAD_FILE, &st) != 0 || !S_ISLNK(st.st_mode)) {
		snprintf(path, size, "%s", PRELOAD_FILE);
		return 0;
	}
	if (size < PATH_MAX || !realpath(PRELOAD_FILE, path)) {
		fprintf(stderr, "%s system: %s is a symbolic link to nothing that exists; "
		        "leaving it alone\n", prog, PRELOAD_FILE);
		return -1;
	}
	return 0;
}

/* Replace the file by CONTENT ("" and not a link: remove it), atomically. */
static int write_preload(const char *content)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32], dirpath[PATH_MAX];
	struct stat st;
	mode_t mode = 0644;
	int dir;

	if (preload_target(path, sizeof(path)) != 0)
		return -1;
	snprintf(dirpath, sizeof(dirpath), "%s", path);
	char *slash = strrchr(dirpath, '/');
	if (slash)
		*slash = '\0';
	snprintf(tmp, sizeof(tmp), "%s/.ld.so.preload.XXXXXX", dirpath[0] ? dirpath : "/");
	if (!*content && strcmp(path, PRELOAD_FILE) == 0) {
		if (unlink(path) != 0 && errno != ENOENT)
			goto fail;
	} else {
		if (stat(path, &st) == 0)
			mode = st.st_mode & 07777;
		if (replace_file(path, tmp, content, strlen(content), mode) != 0)
			goto fail;
	}
	dir = open(dirpath[0] ? dirpath : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		fsync(dir);
		close(dir);
	}
	return 0;
fail:
	fprintf(stderr, "%s system: cannot update %s: %s\n", prog, path, strerror(errno));
	return -1;
}

/* Serialise edits: an exclusive lock on the directory, released on exit. */
static int lock_preload_dir(void)
{
	int dir = open(PRELOAD_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || flock(dir, LOCK_EX) != 0) {
		fprintf(stderr, "%s system: cannot lock %s: %s\n", prog, PRELOAD_DIR, strerror(errno));
		return -1;
	}
	return 0;
}

static int need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr, "%s system %s: only root may change %s\n", prog, what, PRELOAD_FILE);
	return -1;
}

/* This program's own file, to run it again as the self-test child. */
static const char *own_executable(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n > 0) {
		path[n] = '\0';
		return path;
	}
	return VGR_BINDIR "/vgetrandom"; /* no /proc: where it was installed */
}

/* Run `vgetrandom self-test LIB` with LIB preloaded; 0 when it passed. */
static int self_test_in_child(const char *lib)
{
	const char *exe = own_executable();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *args[] = { (char *)"vgetrandom", (char *)"self-test", (char *)lib, NULL };
		dup2(STDERR_FILENO, STDOUT_FILENO);
		setenv("LD_PRELOAD", lib, 1);
		execv(exe, args);
		fprintf(stderr, "%s system: cannot run %s: %s\n", prog, exe, strerror(errno));
		_exit(127);
	}
	for (int waited_ms = 0;; waited_ms += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited_ms >= SELF_TEST_SECONDS * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "%s system: the self-test did not finish in %d s\n", prog,
			        SELF_TEST_SECONDS);
			return -1;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (WIFSIGNALED(status))
		fprintf(stderr, "%s system: the self-test was killed by signal %d\n", prog,
		        WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* What status says of one entry beyond its name; whether ld.so loads it. */
static bool describe_entry(const char *e, bool ours)
{
	struct stat st;
	char why[PATH_MAX + 64];
	size_t len = strlen(e);
	/* Every user's programs read it: root's access() would say yes to a
	 * file only root can read. */
	bool loads = stat(e, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IROTH);

	printf("entry:   %s%s", e, ours ? " (libvgetrandom)" : "");
	if (len && e[len - 1] == '\r')
		printf(" (ends in a carriage return, which ld.so keeps in the name: "
		       "a CRLF file)");
	if (!loads)
		printf(" (missing or unreadable: ld.so prints an error in programs that "
		       "cannot load it and runs them without it)");
	else if (preload_unsafe(e, why, sizeof(why)))
		printf(" (UNSAFE: %s, so it can choose what setuid programs run)", why);
	printf("\n");
	return loads;
}

static int cmd_status(void)
{
	const char *lib = library_path();
	char *content = read_preload(), *listed = NULL;
	struct preload_entry *entries = NULL;
	size_t n;
	int others = 0;

	if (!content)
		return 1;
	if (access(PRELOAD_FILE, F_OK) != 0)
		printf("%s: absent\n", PRELOAD_FILE);
	n = preload_parse(content, &entries);
	for (size_t i = 0; n != (size_t)-1 && i < n; i++) {
		char *e = preload_entry_text(content, &entries[i]);
		if (!e)
			break;
		bool ours = is_ours(e, lib);
		if (describe_entry(e, ours) && ours && !listed)
			listed = strdup(e);
		others += !ours;
		free(e);
	}
	if (listed)
		printf("libvgetrandom: enabled system-wide (%s)\n", listed);
	else
		printf("libvgetrandom: not enabled system-wide\n");
	printf("other entries: %d\n", others);
	free(listed);
	free(entries);
	free(content);
	return listed ? 0 : 3;
}

static int cmd_enable(const char *lib)
{
	char *content, *next, why[PATH_MAX + 64];
	struct preload_entry *entries = NULL;
	size_t n;
	int rc = 1;

	if (need_root("enable") != 0)
		return 1;
	if (!lib) {
		fprintf(stderr, "%s system enable: cannot find the library's own file; name it\n", prog);
		return 1;
	}
	if (lib[0] != '/') {
		fprintf(stderr, "%s system enable: '%s' is not an absolute path\n", prog, lib);
		return 1;
	}
	if (access(lib, R_OK) != 0) {
		fprintf(stderr, "%s system enable: %s: %s\n", prog, lib, strerror(errno));
		return 1;
	}
	if (preload_unsafe(lib, why, sizeof(why))) {
		fprintf(stderr, "%s system enable: refusing %s: %s, so someone other than root "
		        "could replace what every setuid program loads; %s is unchanged\n",
		        prog, lib, why, PRELOAD_FILE);
		return 1;
	}
	if (self_test_in_child(lib) != 0) {
		fprintf(stderr, "%s system enable: refusing %s: its self-test failed; %s is unchanged\n",
		        prog, lib, PRELOAD_FILE);
		return 1;
	}
	if (lock_preload_dir() != 0 || !(content = read_preload()))
		return 1;
	n = preload_parse(content, &entries);
	if (n == (size_t)-1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char *e = preload_entry_text(content, &entries[i]);
		if (!e)
			goto out;
		bool same = same_file(e, lib) || !strcmp(e, lib), ours = is_ours(e, lib);
		if (same)
			printf("already enabled: %s is listed in %s\n", e, PRELOAD_FILE);
		else if (ours)
			fprintf(stderr, "%s system enable: %s already lists another libvgetrandom, "
			        "%s; run '%s system disable' first\n", prog, PRELOAD_FILE, e, prog);
		free(e);
		if (same || ours) {
			rc = same ? 0 : 1;
			goto out;
		}
	}
	size_t len = strlen(content);
	if (asprintf(&next, "%s%s%s\n", content, len && content[len - 1] != '\n' ? "\n" : "",
	             lib) < 0)
		goto out;
	if (write_preload(next) == 0) {
		printf("enabled: %s is listed in %s; programs started from now on load it\n", lib,
		       PRELOAD_FILE);
		rc = 0;
	}
	free(next);
out:
	free(entries);
	free(content);
	return rc;
}

/* Remove this library's entries and nothing else: every other byte of the
 * file stays (comments, other entries, line endings); a line that held
 * only ours goes.  Nothing left at all: the file goes, as it was before
 * anyone enabled anything (a symbolic link's target is emptied instead). */
static int cmd_disable(void)
{
	const char *lib = library_path();
	char *content, *out = NULL;
	struct preload_entry *entries = NULL;
	size_t n, removed = 0;
	int rc = 1;

	if (need_root("disable") != 0 || lock_preload_dir() != 0 || !(content = read_preload()))
		return 1;
	n = preload_parse(content, &entries);
	if (n == (size_t)-1)
		goto done;
	/* Ours to the front of the array, in order. */
	for (size_t i = 0; i < n; i++) {
		char *e = preload_entry_text(content, &entries[i]);
		if (!e)
			goto done;
		if (is_ours(e, lib)) {
			printf("removed: %s\n", e);
			entries[removed++] = entries[i];
		}
		free(e);
	}
	if (!removed) {
		printf("not enabled: %s lists no libvgetrandom\n", PRELOAD_FILE);
		rc = 0;
		goto done;
	}
	out = preload_without(content, entries, removed);
	if (out && write_preload(out) == 0) {
		printf("disabled: programs started from now on do not load libvgetrandom%s\n",
		       *out ? "" : " (nothing else was listed: " PRELOAD_FILE " removed)");
		rc = 0;
	}
done:
	free(entries);
	free(content);
	free(out);
	return rc;
}

int cmd_system(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "status"))
		return cmd_status();
	if ((argc == 1 || argc == 2) && !strcmp(argv[0], "enable"))
		return cmd_enable(argc == 2 ? argv[1] : library_path());
	if (argc == 1 && !strcmp(argv[0], "disable"))
		return cmd_disable();
	return TOOL_USAGE_ERROR;
}
