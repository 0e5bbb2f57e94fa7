/* SPDX-License-Identifier: MIT */
#include "bulk.h"
#include "chacha.h"
#include "limits_internal.h"
#include "thread_state.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

size_t vgr_bulk_min = SIZE_MAX;

void bulk_enable(size_t min)
{
	vgr_bulk_min = min;
}

#ifdef VGR_TESTING
/* Per thread: one counter shared by every thread would put a contended
 * cache line on the bulk path of every thread.  Initial-exec, like the
 * thread's state word, so reaching it is one %fs-relative access. */
static __thread unsigned long calls __attribute__((tls_model("initial-exec")));

unsigned long bulk_call_count(void)
{
	return calls;
}
#define COUNT_CALL() (calls++)
#else
#define COUNT_CALL() ((void)0)
#endif

ssize_t bulk_getrandom(void *buf, size_t len, unsigned int flags)
{
	uint32_t key[8];

	COUNT_CALL();
	if (len > VGR_MAX_RW_COUNT)
		len = VGR_MAX_RW_COUNT;
	ssize_t r = thread_state_key(key, sizeof(key), flags, len);

	if (r != (ssize_t)sizeof(key)) {
		explicit_bzero(key, sizeof(key));
		if (r >= 0)
			errno = EIO; /* a short key: never expected, never used */
		return -1;
	}
	/* A fresh key, so the counter starts at 0 and the DJB nonce is 0. */
	chacha_stream(chacha_impl(), buf, len, key, 0);
	explicit_bzero(key, sizeof(key));
	VGR_EVENT3(request, len, flags, VGR_PATH_BULK);
	return (ssize_t)len;
}
