/* SPDX-License-Identifier: MIT */
#ifndef VGR_SYSCALL_PATH_H
#define VGR_SYSCALL_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* getrandom(2) itself; on kernels without it (ENOSYS), /dev/urandom.
 * Returns bytes written or -1 with errno set as the system call would. */
ssize_t syscall_getrandom(void *buf, size_t len, unsigned int flags);

/* Has this process had to read /dev/urandom because getrandom is missing? */
bool syscall_path_saw_enosys(void);

#endif
