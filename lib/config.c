/* SPDX-License-Identifier: MIT */
/* No stdio: a value may first be read from a signal handler (the ChaCha20
 * kernel is chosen at the first request), so messages are put together by
 * hand and written with write(2), which is async-signal-safe. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *config_string(const char *name)
{
	const char *v = secure_getenv(name);
	return v && *v ? v : NULL;
}

struct msg {
	char buf[512];
	size_t n;
};

static void put(struct msg *m, const char *s)
{
	while (*s && m->n < sizeof(m->buf) - 1)
		m->buf[m->n++] = *s++;
}

static void put_number(struct msg *m, size_t v)
{
	char digits[24];
	size_t i = sizeof(digits);
	digits[--i] = 0;
	do
		digits[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	put(m, digits + i);
}

void config_say(const char *const *parts)
{
	struct msg m = { .n = 0 };
	int saved_errno = errno; /* a message is no failure of the caller's */

	put(&m, "libvgetrandom: ");
	for (; *parts; parts++)
		put(&m, *parts);
	m.buf[m.n++] = '\n';
	ssize_t r = write(STDERR_FILENO, m.buf, m.n);
	(void)r;
	errno = saved_errno;
}

void config_reject(const char *name, const char *value, const char *accepted,
                   const char *using)
{
	config_say((const char *const[]){ name, "=", value, " is not ", accepted, "; using ",
	                                  using, NULL });
}

size_t config_choice(const char *name, const char *const *choices, size_t n, size_t dflt)
{
	const char *v = config_string(name);
	struct msg accepted = { .n = 0 };

	if (!v)
		return dflt;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, choices[i]) == 0)
			return i;
	put(&accepted, "one of ");
	for (size_t i = 0; i < n; i++) {
		put(&accepted, i ? ", " : "");
		put(&accepted, choices[i]);
	}
	accepted.buf[accepted.n] = 0;
	config_reject(name, v, accepted.buf, choices[dflt]);
	return dflt;
}

size_t config_number(const char *name, size_t min, size_t max, size_t dflt)
{
	const char *v = config_string(name);
	unsigned long long n = 0;
	const char *c;

	if (!v)
		return dflt;
	for (c = v; *c >= '0' && *c <= '9'; c++) {
		n = n * 10 + (unsigned)(*c - '0');
		if (n > max)
			break;
	}
	if (*c || n < min || n > max) {
		struct msg accepted = { .n = 0 }, using = { .n = 0 };
		put(&accepted, "a number from ");
		put_number(&accepted, min);
		put(&accepted, " to ");
		put_number(&accepted, max);
		accepted.buf[accepted.n] = 0;
		put_number(&using, dflt);
		using.buf[using.n] = 0;
		config_reject(name, v, accepted.buf, using.buf);
		return dflt;
	}
	return (size_t)n;
}
