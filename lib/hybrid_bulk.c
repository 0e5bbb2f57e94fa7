/* SPDX-License-Identifier: MIT */
#include "hybrid_bulk.h"
#include "chacha.h"
#include "limits_internal.h"
#include "thread_state.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* Per thread: one counter shared by every thread would put a contended
 * cache line on the bulk path of every thread, for the sake of a test.
 * Initial-exec, like the thread's state word, so reaching it is one
 * %fs-relative access and not a __tls_get_addr call per request. */
static __thread unsigned long calls __attribute__((tls_model("initial-exec")));

unsigned long hybrid_call_count(void)
{
	return calls;
}

ssize_t hybrid_getrandom(void *buf, size_t len, unsigned int flags)
{
	uint32_t key[8];

	calls++;
	ssize_t r = thread_state_getrandom(key, sizeof(key), flags);

	if (r != (ssize_t)sizeof(key)) {
		explicit_bzero(key, sizeof(key));
		if (r >= 0)
			errno = EIO; /* a short key: never expected, never used */
		return -1;
	}
	if (len > VGR_MAX_RW_COUNT)
		len = VGR_MAX_RW_COUNT;
	/* A fresh key, so the counter starts at 0 and the DJB nonce is 0. */
	chacha_stream(chacha_kernel(), buf, len, key, 0);
	explicit_bzero(key, sizeof(key));
	return (ssize_t)len;
}
