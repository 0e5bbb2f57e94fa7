/* SPDX-License-Identifier: MIT */
/* A library with nothing in it: what preloading costs by itself, the
 * baseline test_start_free.sh and the bench compare against. */
int vgr_empty_preload_marker;
