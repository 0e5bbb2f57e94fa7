/* SPDX-License-Identifier: MIT */
/*
 * /etc/ld.so.preload as ld.so reads it (tool.h), for `vgetrandom system`.
 *
 * glibc's rtld (elf/rtld.c, unchanged from 2.x to at least 2.41) turns
 * comments into spaces, then splits what is left at ' ', '\t', '\n' and
 * ':'; every other byte, a '\r' included, belongs to an entry.  Its
 * comment loop searches for each '#' from the start of the file but within
 * a window that shrinks by every byte it has passed, so only the first
 * comment is sure to be blanked to the end of its line: a later one may be
 * blanked in part or not at all, and its words are then entries that
 * ld.so tries to load.  preload_parse() runs that same loop, so what it
 * calls entries are the names ld.so opens (tests/system compares them).
 * Entries are spans of the file's own bytes, so an edit can remove one
 * entry and keep every other byte as it was.
 *
 * ld.so loads each entry into every program, setuid ones included: whoever
 * can replace the file, or rename anything in a directory above it, runs
 * code as root.  preload_unsafe() says so before such a file is listed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

static bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ':';
}

/* rtld's comment loop on a copy of the text: which bytes it blanks. */
static void blank_comments(char *t, size_t size)
{
	char *from = t; /* never advanced, as in rtld */
	size_t rest = size;

	while (rest > 0) {
		char *c = memchr(from, '#', rest);
		if (!c)
			break;
		rest -= (size_t)(c - from);
		do
			*c = ' ';
		while (--rest > 0 && *++c != '\n');
	}
}

size_t preload_parse(const char *text, struct preload_entry **out)
{
	struct preload_entry *all = NULL;
	size_t n = 0, i = 0, len = strlen(text);
	char *t = strdup(text);

	*out = NULL;
	if (!t)
		return (size_t)-1;
	blank_comments(t, len);
	while (i < len) {
		if (is_separator(t[i])) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && !is_separator(t[i]))
			i++;
		struct preload_entry *grown = realloc(all, (n + 1) * sizeof(*all));
		if (!grown) {
			free(all);
			free(t);
			return (size_t)-1;
		}
		all = grown;
		all[n++] = (struct preload_entry){ start, i - start };
	}
	free(t);
	*out = all;
	return n;
}

char *preload_entry_text(const char *text, const struct preload_entry *e)
{
	return strndup(text + e->start, e->len);
}

char *preload_without(const char *text, const struct preload_entry *drop, size_t ndrop)
{
	size_t len = strlen(text);
	char *gone = calloc(len + 1, 1), *out = malloc(len + 1);
	size_t o = 0;

	if (!gone || !out) {
		free(gone);
		free(out);
		return NULL;
	}
	for (size_t k = 0; k < ndrop; k++) {
		size_t s = drop[k].start, e = s + drop[k].len;
		/* With one separator of its line, the one after it if any. */
		if (e < len && text[e] != '\n' && is_separator(text[e]))
			e++;
		else if (s > 0 && text[s - 1] != '\n' && is_separator(text[s - 1]))
			s--;
		memset(gone + s, 1, e - s);
	}
	/* Line by line: a line that lost an entry and holds nothing but
	 * separators now goes whole, its newline too. */
	for (size_t line = 0; line < len;) {
		size_t end = line;
		while (end < len && text[end] != '\n')
			end++;
		size_t next = end < len ? end + 1 : end;
		bool lost = false, left = false;
		for (size_t i = line; i < end; i++) {
			lost |= gone[i];
			left |= !gone[i] && !is_separator(text[i]);
		}
		if (!lost || left)
			for (size_t i = line; i < next; i++)
				if (!gone[i])
					out[o++] = text[i];
		line = next;
	}
	out[o] = '\0';
	free(gone);
	return out;
}

/* One file or directory on the way: owned by root, writable by nobody
 * else.  lstat: a symbolic link is judged by its owner (its mode means
 * nothing), the directory it sits in by the step before. */
static bool step_unsafe(const char *name, char *why, size_t size)
{
	struct stat st;

	if (lstat(name, &st) != 0) {
		snprintf(why, size, "%s cannot be checked", name);
		return true;
	}
	if (st.st_uid != 0) {
		snprintf(why, size, "%s is owned by uid %u, not root", name, (unsigned)st.st_uid);
		return true;
	}
	if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(why, size, "%s is writable by %s", name,
		         st.st_mode & S_IWOTH ? "every user" : "its group");
		return true;
	}
	return false;
}

/* An absolute path, component by component: /, every directory on the
 * way, then the file itself. */
static bool path_unsafe(const char *path, char *why, size_t size)
{
	char prefix[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(prefix)) {
		snprintf(why, size, "the path is too long to check");
		return true;
	}
	if (step_unsafe("/", why, size))
		return true;
	for (size_t i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		if (step_unsafe(prefix, why, size))
			return true;
	}
	return false;
}

bool preload_unsafe(const char *path, char *why, size_t size)
{
	char resolved[PATH_MAX];

	if (path[0] != '/') {
		snprintf(why, size, "not an absolute path");
		return true;
	}
	if (path_unsafe(path, why, size))
		return true;
	if (!realpath(path, resolved)) {
		snprintf(why, size, "it does not resolve to a file");
		return true;
	}
	return strcmp(resolved, path) != 0 && path_unsafe(resolved, why, size);
}
