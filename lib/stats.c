/* SPDX-License-Identifier: MIT */
/*
 * The stat build's counters (stats.h): where they live.  Compiled into the
 * stat build only; the library everyone else loads has no such code.
 */
#ifdef VGR_STATS
#include "stats.h"
#include "backend.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Until a file is open (or when none can be), counts stay here. */
static struct vgr_stat_file unshared;
struct vgr_stat_file *vgr_stat = &unshared;

/* <dir>/<pid>, or <pid>.<n> when a program this pid ran before exec
 * left its own file. */
static void open_file(void)
{
	const char *dir = config_string("VGETRANDOM_STAT_DIR");
	char path[PATH_MAX];
	int fd = -1;

	if (!dir)
		return;
	for (int n = 0; n < 64 && fd < 0; n++) {
		int len = n ? snprintf(path, sizeof(path), "%s/%ld.%d", dir, (long)getpid(), n)
		            : snprintf(path, sizeof(path), "%s/%ld", dir, (long)getpid());
		if (len < 0 || (size_t)len >= sizeof(path))
			return;
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return;
	}
	if (fd < 0)
		return;
	if (ftruncate(fd, sizeof(struct vgr_stat_file)) != 0) {
		close(fd);
		unlink(path);
		return;
	}
	struct vgr_stat_file *f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (f == MAP_FAILED) {
		unlink(path);
		return;
	}
	f->pid = (uint64_t)getpid();
	f->ppid = (uint64_t)getppid();
	snprintf(f->program, sizeof(f->program), "%s", program_invocation_short_name);
	/* Counted in the file from here: naming the backend sets it up, and
	 * the setup's probes make system calls of their own. */
	vgr_stat = f;
	snprintf(f->backend, sizeof(f->backend), "%s", backend_name());
	f->provider = (uint32_t)backend_provider();
	__atomic_store_n(&f->magic, VGR_STAT_MAGIC, __ATOMIC_RELEASE);
}

/* In a forked child: the parent's file is the parent's. */
static void stat_fork_child(void)
{
	if (vgr_stat != &unshared)
		munmap(vgr_stat, sizeof(*vgr_stat));
	memset(&unshared, 0, sizeof(unshared));
	vgr_stat = &unshared;
	open_file();
}

/* First of the library's constructors, so that this child handler runs
 * before backend.c's (child handlers run in the order registered) and
 * the child's fork reclaim is counted in the child's file. */
__attribute__((constructor(101))) static void stat_at_load(void)
{
	pthread_atfork(NULL, NULL, stat_fork_child);
	open_file();
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int vgr_stats_not_built;
#endif
