/* SPDX-License-Identifier: MIT */
/* File helpers the parts of vgetrandom(1) share (tool.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int replace_file(const char *path, char *tmpl, const void *text, size_t len, mode_t mode)
{
	int fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return -1;
	bool written = write_all(fd, text, len) == 0 && fchmod(fd, mode) == 0 && fsync(fd) == 0;
	int e = errno;
	if (close(fd) != 0 && written) {
		written = false;
		e = errno;
	}
	if (written && rename(tmpl, path) == 0)
		return 0;
	if (written)
		e = errno;
	unlink(tmpl);
	errno = e;
	return -1;
}
