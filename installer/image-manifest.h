/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The chunk list of a node image manifest (docs/iso-build.md), read from
 * untrusted JSON (an image URL's manifest comes over the network): 'format'
 * is forja-node-image/1, 'size' and 'chunk_size' are JSON integers in range
 * (not strings, floats or numbers beyond 64 bits), and 'chunks' holds exactly
 * ceil(size / chunk_size) SHA-256s, counted without any overflow. The one
 * reader for `forja image extract` and the install's stage verify. */

#include <json-c/json.h>

#include "extract.h"

typedef struct ImageManifest {
        ImageChunks chunks;             /* points into sha256 */
        uint8_t (*sha256)[32];          /* chunks.n_chunks digests, owned */
} ImageManifest;

/* Returns 0, or -EINVAL with the problem in ret_error ("key 'size' ...", no
 * file name: the caller names the manifest), or -ENOMEM. */
int image_manifest_parse(json_object *m, ImageManifest *ret, char **ret_error);
void image_manifest_done(ImageManifest *m);
