/* SPDX-License-Identifier: MIT */
/*
 * vgetrandom system status|enable [LIBRARY]|disable: the library in
 * /etc/ld.so.preload, which ld.so reads before starting any dynamically
 * linked program, setuid ones included.
 *
 * The file is shared with whatever else an operator preloads, so: other
 * entries are kept byte for byte; a change is written to a temporary file
 * in /etc and renamed over the old one (a process starting meanwhile reads
 * the old list or the new, never half of one); edits are serialised with a
 * lock on /etc itself, so no lock file is left behind; and a library is
 * listed only after `vgetrandom self-test` passed in a child process that
 * had it preloaded, since a library that breaks there breaks every program
 * on the machine.
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
/* ld.so splits the file's entries at these. */
#define SEPARATORS " \t\n:"
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

/* Replace the file by CONTENT (NULL: remove it), atomically. */
static int write_preload(const char *content)
{
	char tmp[] = PRELOAD_DIR "/.ld.so.preload.XXXXXX";
	struct stat st;
	mode_t mode = 0644;
	int dir;

	if (!content) {
		if (unlink(PRELOAD_FILE) != 0 && errno != ENOENT)
			goto fail;
	} else {
		if (stat(PRELOAD_FILE, &st) == 0)
			mode = st.st_mode & 07777;
		if (replace_file(PRELOAD_FILE, tmp, content, strlen(content), mode) != 0)
			goto fail;
	}
	dir = open(PRELOAD_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		fsync(dir);
		close(dir);
	}
	return 0;
fail:
	fprintf(stderr, "%s system: cannot update %s: %s\n", prog, PRELOAD_FILE, strerror(errno));
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

static int cmd_status(void)
{
	const char *lib = library_path();
	char *content = read_preload(), *save = NULL;
	const char *listed = NULL;
	int others = 0;

	if (!content)
		return 1;
	if (access(PRELOAD_FILE, F_OK) != 0)
		printf("%s: absent\n", PRELOAD_FILE);
	for (char *e = strtok_r(content, SEPARATORS, &save); e; e = strtok_r(NULL, SEPARATORS, &save)) {
		bool ours = is_ours(e, lib);
		struct stat st;
		/* Every user's programs read it: root's access() would say yes to
		 * a file only root can read. */
		bool readable = stat(e, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IROTH);
		printf("entry:   %s%s%s\n", e, ours ? " (libvgetrandom)" : "",
		       readable ? "" : " (missing or unreadable: ld.so prints an error in "
		                       "programs that cannot load it and runs them without it)");
		if (ours && !listed)
			listed = e;
		others += !ours;
	}
	if (listed)
		printf("libvgetrandom: enabled system-wide (%s)\n", listed);
	else
		printf("libvgetrandom: not enabled system-wide\n");
	printf("other entries: %d\n", others);
	free(content);
	return listed ? 0 : 3;
}

static int cmd_enable(const char *lib)
{
	char *content, *copy, *save = NULL, *next;
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
	if (self_test_in_child(lib) != 0) {
		fprintf(stderr, "%s system enable: refusing %s: its self-test failed; %s is unchanged\n",
		        prog, lib, PRELOAD_FILE);
		return 1;
	}
	if (lock_preload_dir() != 0 || !(content = read_preload()))
		return 1;
	copy = strdup(content);
	for (char *e = copy ? strtok_r(copy, SEPARATORS, &save) : NULL; e;
	     e = strtok_r(NULL, SEPARATORS, &save)) {
		if (same_file(e, lib) || !strcmp(e, lib)) {
			printf("already enabled: %s is listed in %s\n", e, PRELOAD_FILE);
			rc = 0;
			goto out;
		}
		if (is_ours(e, lib)) {
			fprintf(stderr, "%s system enable: %s already lists another libvgetrandom, %s; "
			        "run '%s system disable' first\n", prog, PRELOAD_FILE, e, prog);
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
	free(copy);
	free(content);
	return rc;
}

/* Keep every line that names none of our entries byte for byte; drop ours
 * from the others, and a line that held only ours.  No entry left: the
 * file goes, as it was before anyone enabled anything. */
static int cmd_disable(void)
{
	const char *lib = library_path();
	char *content, *out = NULL;
	size_t out_len = 0;
	int removed = 0, kept = 0, rc = 1;
	FILE *m;

	if (need_root("disable") != 0 || lock_preload_dir() != 0 || !(content = read_preload()))
		return 1;
	m = open_memstream(&out, &out_len);
	if (!m)
		goto done;
	for (char *line = content; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		char *copy = strndup(line, len), *save = NULL, *joined = NULL;
		size_t joined_len = 0;
		FILE *j = open_memstream(&joined, &joined_len);
		int ours = 0, theirs = 0;

		if (!copy || !j)
			goto done_line;
		for (char *e = strtok_r(copy, SEPARATORS, &save); e; e = strtok_r(NULL, SEPARATORS, &save)) {
			if (is_ours(e, lib)) {
				printf("removed: %s\n", e);
				ours++;
			} else {
				fprintf(j, "%s%s", theirs ? " " : "", e);
				theirs++;
			}
		}
		fclose(j);
		j = NULL;
		if (!ours)
			fwrite(line, 1, len, m);
		else if (theirs)
			fprintf(m, "%s\n", joined);
		removed += ours;
		kept += theirs;
done_line:
		if (j)
			fclose(j);
		free(joined);
		free(copy);
		line += len;
	}
	if (fclose(m) != 0)
		goto done;
	if (!removed) {
		printf("not enabled: %s lists no libvgetrandom\n", PRELOAD_FILE);
		rc = 0;
	} else if (write_preload(kept ? out : NULL) == 0) {
		printf("disabled: programs started from now on do not load libvgetrandom%s\n",
		       kept ? "" : " (nothing else was listed: " PRELOAD_FILE " removed)");
		rc = 0;
	}
done:
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
	return -1; /* a usage error: main says so */
}
