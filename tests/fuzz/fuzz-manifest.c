/* SPDX-License-Identifier: GPL-2.0-or-later */

/* libFuzzer target for a node image manifest's chunk list
 * (installer/image-manifest.c): untrusted JSON, an image URL's manifest comes
 * over the network. Besides what the sanitizers catch (a signed overflow in
 * the chunk count, the UBSan build), it aborts when:
 *   - an accepted manifest has a size or chunk size out of range, or a chunk
 *     count other than ceil(size / chunk_size);
 *   - a refusal has no message or does not name the key ("key '...'"). */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "image-manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return 0;
        json_object *m = json_tokener_parse_ex(tok, (const char *) data, (int) (size > INT32_MAX ? INT32_MAX : size));
        json_tokener_free(tok);
        if (!m)
                return 0;

        ImageManifest mf = {};
        char *why = NULL;
        int r = image_manifest_parse(m, &mf, &why);
        if (r == 0) {
                const ImageChunks *c = &mf.chunks;
                if (c->total_size < 1 || c->total_size > INT64_MAX || c->chunk_size < 1 ||
                    c->chunk_size > IMAGE_MAX_CHUNK_SIZE || c->n_chunks != image_chunk_count(c->total_size, c->chunk_size) ||
                    !mf.sha256 || (const void *) c->sha256 != (const void *) mf.sha256 || why)
                        abort();
        } else if (r == -EINVAL && (!why || strncmp(why, "key '", 5) != 0))
                abort();
        image_manifest_done(&mf);
        free(why);
        json_object_put(m);
        return 0;
}
