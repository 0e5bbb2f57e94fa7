/* SPDX-License-Identifier: MIT */
/* What the parts of vgetrandom(1) share. */
#ifndef VGR_TOOL_H
#define VGR_TOOL_H

extern const char *prog;

/* The file this process loaded libvgetrandom from, as ld.so found it. */
const char *library_path(void);

/* vgetrandom self-test [LIBRARY] */
int cmd_self_test(int argc, char **argv);

/* vgetrandom system status|enable [LIBRARY]|disable */
int cmd_system(int argc, char **argv);

/* vgetrandom stat [-o FILE] [--] CMD [ARGS...]; -1 for a usage error */
int cmd_stat(int argc, char **argv);

#endif
