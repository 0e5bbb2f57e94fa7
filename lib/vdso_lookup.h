/* SPDX-License-Identifier: MIT */
#ifndef VGR_VDSO_LOOKUP_H
#define VGR_VDSO_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The number of bytes the ELF image at base occupies, read from its own
 * headers (the end of its furthest PT_LOAD), reading nothing beyond
 * header_room bytes while doing so.  0 if the headers are malformed.
 */
size_t vdso_image_size(const void *base, size_t header_room);

/*
 * Find the defined function symbol name, at symbol version version (NULL:
 * accept any version), in the ELF image of len bytes at image, using its
 * DT_GNU_HASH table, or its DT_HASH table when it has no GNU one.  On
 * success store the symbol's byte offset from image in *offset.
 *
 * The image is untrusted input: every read is bounds-checked against len,
 * every chain walk is bounded, and anything malformed means "not found".
 */
bool vdso_lookup(const void *image, size_t len, const char *name,
                 const char *version, size_t *offset);

#endif
