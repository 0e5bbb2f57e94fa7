/* SPDX-License-Identifier: MIT */
#ifndef VGR_EXPORT_H
#define VGR_EXPORT_H

/* What the library exports; everything else is hidden (meson's
 * gnu_symbol_visibility), and lib/libvgetrandom.map lists these. */
#define VGR_EXPORT __attribute__((visibility("default")))

#endif
