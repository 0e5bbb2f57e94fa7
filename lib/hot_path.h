/* SPDX-License-Identifier: MIT */
#ifndef VGR_HOT_PATH_H
#define VGR_HOT_PATH_H

/*
 * The functions a request passes through on its way to the system call
 * when the process's first request is served before any setup
 * (backend_defer_first()): the libc name, vgr_getrandom(),
 * thread_state_slow(), backend_defer_first() and the system call path.
 * They would otherwise lie on five pages of the library's text, and in a
 * fresh process each page is a TLB miss with a cold page walk, which in a
 * virtual machine costs more than the system call itself (bench-start's
 * "draws of a fresh process").  The linker gathers .text.hot.* input
 * sections together, so they end up on one page, two at worst.
 */
#define VGR_HOT_PATH __attribute__((section(".text.hot.vgetrandom")))

/*
 * What the constructor runs in every process, drawing or not.  The linker
 * puts .text.startup.* (where GCC puts constructors) next to .text.hot.*,
 * so loading touches as few pages of the library as it can: each is a
 * page fault in every process on a machine with the library in
 * /etc/ld.so.preload.
 */
#define VGR_LOAD_PATH __attribute__((section(".text.startup.vgetrandom")))

#endif
