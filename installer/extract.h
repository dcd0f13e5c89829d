/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Lays a node image (a zstd-compressed tar, or any format libarchive reads)
 * onto a mounted target directory: streaming, no temporary copy, owners,
 * modes, xattrs, ACLs, file capabilities and hard links kept, and hostile
 * paths refused (absolute, "..", writes through symlinks).
 *
 * When chunk hashes are given, every fixed-size chunk of the compressed
 * stream is checked against its SHA-256 before libarchive sees any byte of
 * it, so a corrupted or tampered image stops before its bad part is written. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui.h"

typedef struct ImageChunks {
        uint64_t chunk_size;            /* bytes per chunk; the last one may be shorter */
        uint64_t total_size;            /* size of the compressed image */
        size_t n_chunks;
        const uint8_t (*sha256)[32];    /* n_chunks digests */
} ImageChunks;

/* The largest chunk the extractor verifies (one buffer holds a chunk). */
#define IMAGE_MAX_CHUNK_SIZE (16u << 20)

/* Chunks of size bytes in chunk_size pieces (the last one shorter), without
 * overflow for any size; 0 for chunk_size 0. */
uint64_t image_chunk_count(uint64_t size, uint64_t chunk_size);

typedef struct ExtractOptions {
        const ImageChunks *chunks;      /* NULL: no verification */
        const InstallUi *ui;            /* progress in compressed bytes read */
        bool sync;                      /* syncfs() the target at the end */
} ExtractOptions;

typedef struct ExtractStats {
        uint64_t compressed_bytes;
        uint64_t entries;
        uint64_t data_bytes;            /* bytes of file contents written */
} ExtractStats;

/* Extracts from fd (read sequentially: a file, a pipe or a socket) into target.
 * Returns 0, -EBADMSG on a chunk hash mismatch (*ret_bad_chunk set when
 * non-NULL), -EINVAL for a refused entry or a damaged archive, or -errno.
 * Errors are described in ret_error (malloc'd) when non-NULL. */
int image_extract_fd(int fd, const char *target, const ExtractOptions *opts,
                     ExtractStats *ret_stats, char **ret_error);

/* Parses a hex SHA-256 (64 hex digits, colons allowed) into 32 bytes. */
int sha256_from_hex(const char *hex, uint8_t ret[32]);
void sha256_to_hex(const uint8_t d[32], char ret[65]);
