/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *config_string(const char *name)
{
	const char *v = secure_getenv(name);
	return v && *v ? v : NULL;
}

void config_reject(const char *name, const char *value, const char *accepted,
                   const char *using)
{
	fprintf(stderr, "libvgetrandom: %s=%s is not %s; using %s\n", name, value, accepted,
	        using);
}

size_t config_choice(const char *name, const char *const *choices, size_t n, size_t dflt)
{
	const char *v = config_string(name);
	char accepted[160];
	size_t used = 0;

	if (!v)
		return dflt;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, choices[i]) == 0)
			return i;
	used = (size_t)snprintf(accepted, sizeof(accepted), "one of");
	for (size_t i = 0; i < n && used < sizeof(accepted); i++)
		used += (size_t)snprintf(accepted + used, sizeof(accepted) - used, "%s %s",
		                         i ? "," : "", choices[i]);
	config_reject(name, v, accepted, choices[dflt]);
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
		char accepted[64], using[24];
		snprintf(accepted, sizeof(accepted), "a number from %zu to %zu", min, max);
		snprintf(using, sizeof(using), "%zu", dflt);
		config_reject(name, v, accepted, using);
		return dflt;
	}
	return (size_t)n;
}
