/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Package lists: the data files that say what goes into the node image and
 * the installer environment (one package a line, '#' comments), and the
 * Build-Depends of debian/control for the build chroot. */

/* Reads a package list file into a NULL-terminated, order-preserving list. */
int pkglist_read(const char *path, char ***ret);

/* Parses the Build-Depends (and Build-Depends-Arch) of a debian/control text
 * into package names: first alternative of each, version and architecture
 * qualifiers dropped, debhelper-compat replaced by debhelper. */
int pkglist_build_depends(const char *control_text, char ***ret);

/* Appends the package names of a Depends-style value ("a (>= 1), b | c") to
 * *l: first alternative of each, qualifiers dropped, as above. */
int pkglist_add_depends(char ***l, const char *value);

/* Joins a list with sep into a new string. */
char *pkglist_join(char **l, const char *sep);
size_t pkglist_length(char **l);
/* Appends a copy of s to *l (NULL-terminated). */
int pkglist_append(char ***l, const char *s);
