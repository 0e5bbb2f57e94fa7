/* SPDX-License-Identifier: MIT */
/* Installing a test's seccomp filter on the calling thread (and the
 * threads it creates later): no_new_privs, then the filter.  Returns the
 * seccomp(2) result: 0, a listener fd with SECCOMP_FILTER_FLAG_NEW_LISTENER,
 * or -1 with errno (the test then skips: no seccomp here). */
#ifndef VGR_TEST_SECCOMP_FILTER_H
#define VGR_TEST_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int install_seccomp_filter(struct sock_filter *f, size_t n, unsigned flags)
{
	struct sock_fprog prog = { (unsigned short)n, f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* For filters on mmap's flags: MAP_DROPPABLE (Linux 6.11; older headers
 * lack it), and where the low 32 bits of a 64-bit argument sit. */
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LOW_WORD 4
#else
#define LOW_WORD 0
#endif
#define SECCOMP_LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))

#endif
