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

#endif
