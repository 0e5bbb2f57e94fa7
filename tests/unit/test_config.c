/* SPDX-License-Identifier: MIT */
/*
 * lib/config.c, the one reader of the VGETRANDOM_* variables: unset and
 * empty are the default; a choice is matched exactly; a number is decimal
 * digits within its bounds; anything else keeps the default and prints
 * exactly one line, "libvgetrandom: NAME=VALUE is not ...; using DEFAULT".
 * And secure_getenv: in a setuid-like process (AT_SECURE) nothing is read,
 * which is not testable without privilege and is left to glibc.
 * Exit 0 pass, 1 fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static int fails;
static char err[4096];

/* stderr goes to a temporary file from begin() until end() reads it into
 * err. */
static FILE *tmp;
static int saved = -1;

static void begin(void)
{
	fflush(stderr);
	tmp = tmpfile();
	saved = dup(2);
	dup2(fileno(tmp), 2);
}

static void end(void)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(err, 1, sizeof(err) - 1, tmp);
	err[n] = 0;
	fclose(tmp);
}

static void expect(int ok, const char *what)
{
	printf("%s %s%s%s", ok ? "ok  " : "FAIL", what, err[0] ? ": " : "\n", err);
	fails += !ok;
}

static int one_line(const char *start)
{
	return strncmp(err, start, strlen(start)) == 0 && strchr(err, '\n') == err + strlen(err) - 1;
}

int main(void)
{
	static const char *const choices[] = { "auto", "one", "two" };
	size_t r;

	unsetenv("VGR_TEST_CONFIG");
	begin();
	r = config_choice("VGR_TEST_CONFIG", choices, 3, 0);
	end();
	expect(r == 0 && !err[0], "unset: the default, silently");
	setenv("VGR_TEST_CONFIG", "", 1);
	begin();
	r = config_choice("VGR_TEST_CONFIG", choices, 3, 0);
	end();
	expect(r == 0 && !err[0] && config_string("VGR_TEST_CONFIG") == NULL,
	       "empty: the default, silently, and no string");
	setenv("VGR_TEST_CONFIG", "two", 1);
	begin();
	r = config_choice("VGR_TEST_CONFIG", choices, 3, 0);
	end();
	expect(r == 2 && !err[0], "a choice by its name");
	setenv("VGR_TEST_CONFIG", "TWO", 1);
	begin();
	r = config_choice("VGR_TEST_CONFIG", choices, 3, 1);
	end();
	expect(r == 1 && one_line("libvgetrandom: VGR_TEST_CONFIG=TWO is not one of auto, one, "
	                          "two; using one\n"),
	       "not a choice: the default and one line");

	static const struct { const char *v; size_t want; int msg; } nums[] = {
		{ "7", 7, 0 }, { "1", 1, 0 }, { "100", 100, 0 }, { "0", 50, 1 }, { "101", 50, 1 },
		{ " 7", 50, 1 }, { "+9", 50, 1 }, { "-1", 50, 1 }, { "7k", 50, 1 }, { "7 ", 50, 1 },
		{ "99999999999999999999999", 50, 1 },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		char what[96];
		setenv("VGR_TEST_CONFIG", nums[i].v, 1);
		begin();
	r = config_number("VGR_TEST_CONFIG", 1, 100, 50);
	end();
		snprintf(what, sizeof(what), "number '%s' gives %zu%s", nums[i].v, nums[i].want,
		         nums[i].msg ? " and one line" : ", silently");
		char start[96];
		snprintf(start, sizeof(start), "libvgetrandom: VGR_TEST_CONFIG=%s is not a number from 1 to 100; using 50\n",
		         nums[i].v);
		expect(r == nums[i].want && (nums[i].msg ? one_line(start) : !err[0]), what);
	}
	return fails ? 1 : 0;
}
