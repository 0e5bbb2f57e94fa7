/* SPDX-License-Identifier: MIT */
/*
 * unlist-preload: 'vgetrandom system disable' for a package's removal
 * script.  The library's package runs it before its files go, so that no
 * program is left loading a listed file that no longer exists (ld.so
 * prints an error in every process then).  The command itself lives in
 * another package, which may already be gone; this is the same code
 * (system_preload.c), installed beside the library's private files.
 *
 *   unlist-preload   (root; exit 0 also when nothing was listed)
 */
#include "tool.h"

int main(void)
{
	char *args[] = { "disable", NULL };
	prog = "unlist-preload";
	return cmd_system(1, args);
}
