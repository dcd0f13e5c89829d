/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The node image manifest (docs/iso-build.md, "Manifest"): what the
 * installer verifies node.tar.zst against before it writes a byte, and what
 * it checks chunk by chunk when the image is streamed. Making it reads the
 * tarball twice: raw, for the whole and per-chunk SHA-256, and through
 * libarchive, which proves the format opens and counts what is in it. */

#include <stdint.h>
#include <json-c/json.h>

typedef struct ManifestInput {
        const char *tarball;        /* node.tar.zst */
        const char *packages_tsv;   /* "name\tversion\tinstalled-size-KiB" lines, or NULL */
        const char *suite;
        uint64_t chunk_size;
} ManifestInput;

int manifest_build(const ManifestInput *in, json_object **ret);
int manifest_write(const ManifestInput *in, const char *json_path);
