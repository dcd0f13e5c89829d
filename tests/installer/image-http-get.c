/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test driver for installer/image-http.c:
 *   image-http-get [--fingerprint SHA256] URL TARGET
 * Fetches the manifest beside URL, probes the image and streams it onto
 * TARGET with every chunk checked. Exit 0 on success, 3 on a hash mismatch,
 * 1 otherwise; the error text goes to stderr. */

#include <inttypes.h>

#include <json-c/json.h>

#include "image-http.h"
#include "macro.h"

static int parse_manifest(const char *text, ImageChunks *c, uint8_t (**ret)[32]) {
        json_object *m = json_tokener_parse(text), *v, *chunks;
        if (!m || !json_object_object_get_ex(m, "chunks", &chunks))
                return -EINVAL;
        size_t n = json_object_array_length(chunks);
        uint8_t (*d)[32] = calloc(n ?: 1, 32);
        for (size_t i = 0; i < n; i++)
                if (sha256_from_hex(json_object_get_string(json_object_array_get_idx(chunks, i)), d[i]) < 0)
                        return -EINVAL;
        *c = (ImageChunks) { .n_chunks = n, .sha256 = (const uint8_t (*)[32]) d };
        if (json_object_object_get_ex(m, "chunk_size", &v))
                c->chunk_size = (uint64_t) json_object_get_int64(v);
        if (json_object_object_get_ex(m, "size", &v))
                c->total_size = (uint64_t) json_object_get_int64(v);
        json_object_put(m);
        *ret = d;
        return 0;
}

int main(int argc, char *argv[]) {
        ImageHttpOptions o = { .backoff_ms = 100 };
        int i = 1;
        if (argc > 2 && streq(argv[1], "--fingerprint")) {
                o.fingerprint = argv[2];
                i = 3;
        }
        if (argc - i != 2) {
                fprintf(stderr, "usage: image-http-get [--fingerprint SHA256] URL TARGET\n");
                return 1;
        }
        const char *url = argv[i], *target = argv[i + 1];
        char *murl = NULL, *text = NULL, *error = NULL;
        ImageChunks chunks;
        uint8_t (*digests)[32] = NULL;
        int r = image_manifest_url(url, &murl);
        if (r >= 0)
                r = image_http_get_manifest(murl, &o, &text, &error);
        if (r >= 0 && parse_manifest(text, &chunks, &digests) < 0) {
                fprintf(stderr, "bad manifest %s\n", murl);
                return 1;
        }
        if (r >= 0)
                r = image_http_probe(url, chunks.total_size, &o, &error);
        ExtractStats st = {};
        if (r >= 0) {
                ExtractOptions eo = { .chunks = &chunks };
                r = image_http_extract(url, &o, target, &eo, &st, &error);
        }
        if (r < 0) {
                fprintf(stderr, "%s\n", error ? error : strerror(-r));
                /* freed here too: the sanitizer build checks this path for leaks */
                free(murl);
                free(text);
                free(digests);
                free(error);
                return r == -EBADMSG ? 3 : 1;
        }
        printf("entries=%" PRIu64 " compressed=%" PRIu64 "\n", st.entries, st.compressed_bytes);
        free(murl);
        free(text);
        free(digests);
        return 0;
}
