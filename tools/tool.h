/* SPDX-License-Identifier: MIT */
/* What the parts of vgetrandom(1) share. */
#ifndef VGR_TOOL_H
#define VGR_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

extern const char *prog;

/* The file this process loaded libvgetrandom from, as ld.so found it. */
const char *library_path(void);

/* file_util.c.  Whether two paths name one file (symlinks followed). */
bool same_file(const char *a, const char *b);
/* All of buf, across short writes and EINTR; -1 with errno otherwise. */
int write_all(int fd, const void *buf, size_t len);
/* Replace path by text, never leaving half of it: write a temporary file
 * made from tmpl (a mkostemp template, rewritten) with the mode, fsync it
 * and rename it over path.  -1 with errno on failure, the temporary gone. */
int replace_file(const char *path, char *tmpl, const void *text, size_t len, mode_t mode);

/* preload_env.c.  Put lib first in LD_PRELOAD, keeping what it held;
 * -1 with errno on failure. */
int preload_prepend(const char *lib);

/* vgetrandom self-test [LIBRARY] */
int cmd_self_test(int argc, char **argv);

/* vgetrandom system status|enable [LIBRARY]|disable */
int cmd_system(int argc, char **argv);

/* vgetrandom stat [-o FILE] [--] CMD [ARGS...]; for a usage error -1 (no
 * command) or -2 (-o without its FILE) */
int cmd_stat(int argc, char **argv);

#endif
