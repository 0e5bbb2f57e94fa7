/* SPDX-License-Identifier: MIT */
/* LD_PRELOAD for the commands that run a program with a library (tool.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

int preload_prepend(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	size_t n = strlen(lib) + (old ? strlen(old) : 0) + 2;
	char *value = malloc(n);
	int r;

	if (!value)
		return -1;
	/* First, so that its names bind before any other preloaded one's. */
	snprintf(value, n, "%s%s%s", lib, old && *old ? ":" : "", old && *old ? old : "");
	r = setenv("LD_PRELOAD", value, 1);
	free(value);
	return r;
}
