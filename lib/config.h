/* SPDX-License-Identifier: MIT */
/*
 * The library's environment variables, read in one way: secure_getenv (a
 * setuid or setgid program ignores them all), an unset or empty variable
 * is the default, and a value that is not understood keeps the default and
 * says so on standard error, in one format:
 *
 *   libvgetrandom: NAME=VALUE is not WHAT IS ACCEPTED; using DEFAULT
 *
 * Read by backend.c (VGETRANDOM_BACKEND, VGETRANDOM_HYBRID_MIN),
 * arch/chacha_dispatch.c (VGETRANDOM_CHACHA) and stats.c
 * (VGETRANDOM_STAT_DIR), each once per process.
 */
#ifndef VGR_CONFIG_H
#define VGR_CONFIG_H

#include <stddef.h>

/* The value, or NULL when unset or empty. */
const char *config_string(const char *name);

/* The index in choices[0..n) of the value, or dflt (an index) with the
 * message when it is none of them. */
size_t config_choice(const char *name, const char *const *choices, size_t n, size_t dflt);

/* A count of bytes or the like: decimal digits only (no sign, space or
 * suffix), from min to max; else dflt, with the message. */
size_t config_number(const char *name, size_t min, size_t max, size_t dflt);

/* One line on stderr: "libvgetrandom: " and the NULL-terminated parts.
 * Async-signal-safe; errno is left as it was. */
void config_say(const char *const *parts);

/* The message for a value a caller could not use; accepted says what is. */
void config_reject(const char *name, const char *value, const char *accepted,
                   const char *using);

#endif
