/* SPDX-License-Identifier: MIT */
/*
 * vgetrandom(1): what the library does on this machine, random bytes on
 * stdout, and a wrapper that runs a program with the library preloaded.
 *
 *   vgetrandom info
 *   vgetrandom bytes N[k|M|G]
 *   vgetrandom exec CMD [ARGS...]
 *   vgetrandom self-test [LIBRARY]
 *   vgetrandom system status|enable [LIBRARY]|disable
 *   vgetrandom stat [-o FILE] [--] CMD [ARGS...]
 */
#include <dlfcn.h>
#include <errno.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tool.h"
#include "vdso_abi.h"
#include "vgetrandom.h"

/* Independent of the library: does the vDSO export vgetrandom, and what
 * state size does it ask for? */
static void describe_vdso(void)
{
	static const struct vdso_getrandom_symbol syms[] = { VDSO_GETRANDOM_SYMBOLS };
	void *h = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (!h) /* s390x and powerpc64 name it so */
		h = dlopen("linux-vdso64.so.1", RTLD_NOW | RTLD_NOLOAD);
	for (size_t i = 0; h && i < sizeof(syms) / sizeof(syms[0]); i++) {
#ifdef __GLIBC__
		void *sym = dlvsym(h, syms[i].name, syms[i].version);
#else
		void *sym = dlsym(h, syms[i].name); /* no symbol versions here */
#endif
		vdso_getrandom_fn fn = (vdso_getrandom_fn)(uintptr_t)sym;
		struct vdso_getrandom_params p;
		if (!fn)
			continue;
		printf("vdso symbol:     %s@%s\n", syms[i].name, syms[i].version);
		if (fn(NULL, 0, 0, &p, VDSO_GETRANDOM_PARAMS_LEN) == 0)
			printf("vdso state:      %u bytes, mmap prot %#x flags %#x\n",
			       p.size_of_opaque_state, p.mmap_prot, p.mmap_flags);
		return;
	}
	if (vgetrandom_provider() == VGETRANDOM_PROVIDER_VDSO)
		printf("vdso symbol:     in use by the library (this libc cannot look the vDSO up by name)\n");
	else
		printf("vdso symbol:     none (kernel older than 6.11, or no vDSO here)\n");
}

static int cmd_info(void)
{
	struct utsname u;
	const char *lib = library_path();
	const char *b = vgetrandom_backend();
	const char *k = vgetrandom_chacha_kernel();
	int major = 0, minor = 0;

	uname(&u);
#ifdef __GLIBC__
	sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor);
#endif
	printf("backend:         %s\n", b);
	printf("chacha20 impl:   %s\n", k ? k : "none in use (VGETRANDOM_BACKEND=chacha or hybrid uses one)");
	printf("chacha20 impls:  ");
	for (unsigned i = 0; vgetrandom_chacha_kernels(i); i++)
		printf("%s%s", i ? " " : "", vgetrandom_chacha_kernels(i));
	printf(" (this build and CPU; VGETRANDOM_CHACHA picks one)\n");
	describe_vdso();
	printf("kernel:          %s %s %s\n", u.sysname, u.release, u.machine);
#ifdef __GLIBC__
	printf("libc:            glibc %s (%s)\n", gnu_get_libc_version(),
	       major > 2 || (major == 2 && minor >= 41)
	               ? "its getrandom already uses the vDSO; preloading still speeds up large requests"
	               : "its getrandom, getentropy and arc4random make a system call each time");
#else
	(void)major;
	(void)minor;
	printf("libc:            not glibc (its getrandom makes a system call each time)\n");
#endif
	printf("library:         %s\n", lib ? lib : "unknown");
	return 0;
}

/* N with an optional k, M or G suffix (powers of 1024). */
static int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v, mult = 1;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mult = 1ull << 10; break;
		case 'm': case 'M': mult = 1ull << 20; break;
		case 'g': case 'G': mult = 1ull << 30; break;
		default: return -1;
		}
		if (end[1] && !(end[1] == 'i' && end[2] == 'B' && !end[3]) &&
		    !(end[1] == 'B' && !end[2]))
			return -1;
	}
	if (v > ULLONG_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int cmd_bytes(const char *arg)
{
	static unsigned char buf[1 << 16];
	unsigned long long left;

	if (parse_size(arg, &left) != 0) {
		fprintf(stderr, "%s bytes: '%s' is not a byte count (a number, optionally "
		        "followed by k, M or G)\n", prog, arg);
		return 2;
	}
	/* A closed pipe is reported, not a silent death by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	while (left) {
		size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		if (vgetrandom(buf, n, 0) != (ssize_t)n) {
			fprintf(stderr, "%s bytes: %s\n", prog, strerror(errno));
			return 1;
		}
		if (write_all(STDOUT_FILENO, buf, n) != 0) {
			fprintf(stderr, "%s bytes: cannot write to standard output: %s\n",
			        prog, strerror(errno));
			return 1;
		}
		left -= n;
	}
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int cmd_exec(char **argv)
{
	const char *lib = library_path();

	if (!lib) {
		fprintf(stderr, "%s exec: cannot find the library's own path\n", prog);
		return 127;
	}
	if (preload_prepend(lib) != 0) {
		fprintf(stderr, "%s exec: %s\n", prog, strerror(errno));
		return 127;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "%s exec: %s: %s\n", prog, argv[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

static int run_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cmd_info();
}

static int run_bytes(int argc, char **argv)
{
	(void)argc;
	return cmd_bytes(argv[0]);
}

static int run_exec(int argc, char **argv)
{
	(void)argc;
	return cmd_exec(argv);
}

/* The commands, each named once: dispatch and usage both read this. */
static const struct command {
	const char *name, *args, *help;
	int min_args, max_args;
	int (*run)(int argc, char **argv); /* < 0: a usage error (see misuse) */
} commands[] = {
	{ "info", "", NULL, 0, 0, run_info },
	{ "bytes", " N", "write N random bytes to stdout\n"
	  "(N may end in k, M or G: powers of 1024)", 1, 1, run_bytes },
	{ "exec", " CMD [ARGS...]", "run CMD with libvgetrandom preloaded", 1, INT_MAX, run_exec },
	{ "self-test", " [LIBRARY]", "check the library serving this process", 0, 1, cmd_self_test },
	{ "system", " status | enable [LIBRARY] | disable",
	  "the library in /etc/ld.so.preload (root)", 1, INT_MAX, cmd_system },
	{ "stat", " [-o FILE] [--] CMD [ARGS...]", "run CMD and report, per process, what the\n"
	  "library served and the system calls it avoided", 1, INT_MAX, cmd_stat },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *out, int code)
{
	fprintf(out, "usage: %s --help | --version\n", prog);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		fprintf(out, "       %s %s%s\n", prog, c->name, c->args);
		for (const char *h = c->help; h && *h;) {
			size_t n = strcspn(h, "\n");
			fprintf(out, "                          %.*s\n", (int)n, h);
			h += n + (h[n] == '\n');
		}
	}
	return code;
}

/* A usage error: say what was wrong, then how to call it, on stderr. */
static int misuse(const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s%s\n", prog, what, arg ? " '" : "", arg ? arg : "",
	        arg ? "'" : "");
	return usage(stderr, 2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return misuse("no command given", NULL);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout, 0);
	if (!strcmp(argv[1], "--version")) {
		printf("%s (libvgetrandom) %s\n", prog, VGR_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		int n = argc - 2;
		if (strcmp(argv[1], c->name) != 0)
			continue;
		if (n < c->min_args || n > c->max_args)
			return misuse("wrong number of arguments for", c->name);
		int r = c->run(n, argv + 2);
		if (r == TOOL_USAGE_NO_FILE)
			return misuse("-o needs a FILE in", c->name);
		if (r == TOOL_USAGE_NO_COMMAND)
			return misuse("no command given to", c->name);
		if (r < 0)
			return misuse("wrong arguments for", c->name);
		return r;
	}
	return misuse("unknown command", argv[1]);
}
