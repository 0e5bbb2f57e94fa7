/* SPDX-License-Identifier: MIT */
/* What the parts of vgetrandom(1) share. */
#ifndef VGR_TOOL_H
#define VGR_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* library_path.c.  The command's name for messages, and the file this
 * process loaded libvgetrandom from, as ld.so found it. */
extern const char *prog;
const char *library_path(void);

/* What a command returns for a usage error; vgetrandom.c says which. */
#define TOOL_USAGE_ERROR (-1)      /* wrong arguments */
#define TOOL_USAGE_NO_COMMAND (-2) /* no CMD after the options */
#define TOOL_USAGE_NO_FILE (-3)    /* -o without its FILE */

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

/* preload_list.c: /etc/ld.so.preload read with ld.so's rules.  An entry
 * is the span [start, start + len) of the file's text. */
struct preload_entry {
	size_t start, len;
};
/* The entries of text into *out (free it); (size_t)-1 when out of memory. */
size_t preload_parse(const char *text, struct preload_entry **out);
/* One entry as ld.so would open it (malloc'd; NULL when out of memory). */
char *preload_entry_text(const char *text, const struct preload_entry *e);
/* text without the ndrop entries in drop, every other byte kept; a line
 * left with nothing but separators goes whole (malloc'd, or NULL). */
char *preload_without(const char *text, const struct preload_entry *drop, size_t ndrop);
/* Whether listing path would let someone other than root choose what
 * setuid programs load: why in why[size] when so. */
bool preload_unsafe(const char *path, char *why, size_t size);

/* vgetrandom self-test [LIBRARY] */
int cmd_self_test(int argc, char **argv);

/* vgetrandom system status|enable [LIBRARY]|disable */
int cmd_system(int argc, char **argv);

/* vgetrandom stat [-o FILE] [--] CMD [ARGS...] */
int cmd_stat(int argc, char **argv);

#endif
