/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "image-manifest.h"
#include "json-out.h"
#include "strutil.h"

/* A JSON integer from min to max. json-c saturates numbers beyond 64 bits and
 * converts strings and floats on request, so the type is checked and the
 * value is printed back and compared with the text that was parsed. */
static int manifest_int(json_object *m, const char *key, int64_t min, int64_t max, int64_t *ret, char **ret_error) {
        json_object *o = json_get(m, key);
        int64_t v = o ? json_object_get_int64(o) : 0;
        char back[32];
        snprintf(back, sizeof back, "%" PRId64, v);
        if (!o || !json_object_is_type(o, json_type_int) || !streq(json_object_to_json_string(o), back) ||
            v < min || v > max)
                return error_setf(ret_error, "key '%s' must be an integer from %" PRId64 " to %" PRId64 ", it is %s",
                                  key, min, max, o ? json_object_to_json_string(o) : "missing"), -EINVAL;
        *ret = v;
        return 0;
}

int image_manifest_parse(json_object *m, ImageManifest *ret, char **ret_error) {
        int64_t size, chunk;
        int r;

        if (!streq_ptr(json_get_string(m, "format"), "forja-node-image/1"))
                return error_setf(ret_error, "key 'format' is not forja-node-image/1"), -EINVAL;
        r = manifest_int(m, "size", 1, INT64_MAX, &size, ret_error);
        if (r < 0)
                return r;
        r = manifest_int(m, "chunk_size", 1, IMAGE_MAX_CHUNK_SIZE, &chunk, ret_error);
        if (r < 0)
                return r;
        json_object *list = json_get(m, "chunks");
        size_t n = json_object_is_type(list, json_type_array) ? json_array_len(list) : 0;
        uint64_t want = image_chunk_count((uint64_t) size, (uint64_t) chunk);
        if ((uint64_t) n != want)
                return error_setf(ret_error, "key 'chunks' must list %" PRIu64 " SHA-256s (size %" PRId64 " in chunks of %" PRId64
                                  " bytes), it lists %zu", want, size, chunk, n), -EINVAL;

        _cleanup_free_ uint8_t (*sha)[32] = calloc(n, 32);
        if (!sha)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (sha256_from_hex(strempty(json_object_get_string(json_array_at(list, i))), sha[i]) < 0)
                        return error_setf(ret_error, "key 'chunks[%zu]' is not a SHA-256", i), -EINVAL;

        *ret = (ImageManifest) {
                .chunks = {
                        .chunk_size = (uint64_t) chunk,
                        .total_size = (uint64_t) size,
                        .n_chunks = n,
                        .sha256 = (const uint8_t (*)[32]) sha,
                },
                .sha256 = TAKE_PTR(sha),
        };
        return 0;
}

void image_manifest_done(ImageManifest *m) {
        if (!m)
                return;
        free(m->sha256);
        *m = (ImageManifest) {};
}
