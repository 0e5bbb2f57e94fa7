/* SPDX-License-Identifier: MIT */
/* Where this command's library lives (tool.h). */
#include <dlfcn.h>
#include <stdint.h>

#include "tool.h"
#include "vgetrandom.h"

const char *prog = "vgetrandom";

const char *library_path(void)
{
	Dl_info info;
	if (dladdr((void *)(uintptr_t)vgetrandom, &info) && info.dli_fname)
		return info.dli_fname;
	return NULL;
}
