/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Whole-file reads and writes. */

#include <stddef.h>
#include <sys/types.h>

/* Reads a file (or "-" for stdin) into a NUL-terminated buffer. Files larger
 * than max_size (0: 64 MiB) fail with -EFBIG. */
int read_full_file(const char *path, size_t max_size, char **ret_data, size_t *ret_size);

/* Reads a file relative to a directory fd (AT_FDCWD allowed), same rules. */
int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret_data, size_t *ret_size);

/* Reads the first line of a small file (sysfs, procfs), without the newline. */
int read_one_line_file(const char *path, char **ret_line);

/* Writes data to path atomically (temporary file + rename) with the given mode. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);
