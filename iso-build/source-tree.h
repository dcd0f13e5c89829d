/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The forja source tree that the .deb is built from: a content hash over
 * paths, modes and bytes (mtimes ignored), and a tar of the same files to
 * copy into the build chroot. Build directories (any folder holding
 * meson-private), .git, and debhelper's leftovers are left out; tests/,
 * docs/, scripts/, .ci/ and README.md are packed but not hashed (they do not
 * change what the package installs). */

/* Writes the tree to tar_path (NULL: only hash) and returns the hash. */
int source_tree_pack(const char *source_dir, const char *tar_path, char ret_hash[65]);
