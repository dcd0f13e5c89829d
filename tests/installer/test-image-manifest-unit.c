/* SPDX-License-Identifier: GPL-2.0-or-later */
/* installer/image-manifest.c: the chunk list of a node image manifest from
 * untrusted JSON; sizes near the 64-bit limits, negative ones, other JSON
 * types. The command-line side is tests/installer/test-image-manifest.sh. */

#include <json-c/json.h>

#include "image-manifest.h"
#include "testlib.h"

#define SHA "\"64d16349c5ec76f0c89b94cd6547445cb317c54185839131ed131e17da2052d4\""

/* Parses a manifest with these three JSON texts; returns the result and the key named. */
static int parse(const char *size, const char *chunk, const char *chunks, ImageManifest *ret, char **ret_error) {
        char *text = NULL;
        if (asprintf(&text, "{\"format\":\"forja-node-image/1\",\"size\":%s,\"chunk_size\":%s,\"chunks\":%s}",
                     size, chunk, chunks) < 0)
                return -ENOMEM;
        json_object *m = json_tokener_parse(text);
        free(text);
        if (!m)
                return -EBADMSG;
        int r = image_manifest_parse(m, ret, ret_error);
        json_object_put(m);
        return r;
}

static void check_refused(int line, const char *size, const char *chunk, const char *chunks, const char *key) {
        ImageManifest mf = {};
        char *why = NULL;
        int r = parse(size, chunk, chunks, &mf, &why);
        char want[64];
        snprintf(want, sizeof want, "key '%s' ", key);
        tests_checked++;
        if (r != -EINVAL || !why || strncmp(why, want, strlen(want)) != 0) {
                fprintf(stderr, "%s:%d: size %s, chunk_size %s, chunks %s: got %d '%s', expected -EINVAL naming '%s'\n",
                        __FILE__, line, size, chunk, chunks, r, why ? why : "(null)", key);
                tests_failed++;
        }
        image_manifest_done(&mf);
        free(why);
}
#define CHECK_REFUSED(size, chunk, chunks, key) check_refused(__LINE__, size, chunk, chunks, key)

int main(void) {
        /* The arithmetic: exact at the top of the range. */
        CHECK(image_chunk_count(UINT64_MAX, 1) == UINT64_MAX);
        CHECK(image_chunk_count(UINT64_MAX, UINT64_MAX) == 1);
        CHECK(image_chunk_count(UINT64_MAX, 2) == (UINT64_MAX >> 1) + 1);
        CHECK(image_chunk_count(INT64_MAX, 16u << 20) == ((uint64_t) INT64_MAX >> 24) + 1);
        CHECK(image_chunk_count(10, 4) == 3);
        CHECK(image_chunk_count(8, 4) == 2);
        CHECK(image_chunk_count(1, 4) == 1);
        CHECK(image_chunk_count(5, 0) == 0);

        /* A good one. */
        ImageManifest mf = {};
        char *why = NULL;
        CHECK_INTEQ(parse("99", "4194304", "[" SHA "]", &mf, &why), 0);
        CHECK_INTEQ(mf.chunks.n_chunks, 1);
        CHECK(mf.chunks.total_size == 99 && mf.chunks.chunk_size == 4194304);
        CHECK(mf.sha256 && mf.sha256[0][0] == 0x64 && mf.chunks.sha256 == (const uint8_t (*)[32]) mf.sha256);
        image_manifest_done(&mf);
        CHECK_INTEQ(parse("8388608", "4194304", "[" SHA "," SHA "]", &mf, &why), 0);
        CHECK_INTEQ(mf.chunks.n_chunks, 2);
        image_manifest_done(&mf);

        CHECK_REFUSED("9223372036854775807", "9223372036854775807", "[]", "chunk_size");
        CHECK_REFUSED("9223372036854775807", "16777216", "[" SHA "]", "chunks");
        CHECK_REFUSED("9223372036854775806", "2", "[" SHA "]", "chunks");
        CHECK_REFUSED("9223372036854775807", "1", "[]", "chunks");
        CHECK_REFUSED("18446744073709551615", "4194304", "[" SHA "]", "size");
        CHECK_REFUSED("99", "18446744073709551615", "[" SHA "]", "chunk_size");
        CHECK_REFUSED("9223372036854775808", "4194304", "[" SHA "]", "size");
        CHECK_REFUSED("-1", "4194304", "[]", "size");
        CHECK_REFUSED("-9223372036854775808", "4194304", "[]", "size");
        CHECK_REFUSED("0", "4194304", "[]", "size");
        CHECK_REFUSED("99", "-4194304", "[]", "chunk_size");
        CHECK_REFUSED("99", "0", "[]", "chunk_size");
        CHECK_REFUSED("99", "16777217", "[" SHA "]", "chunk_size");
        CHECK_REFUSED("1e300", "4194304", "[" SHA "]", "size");
        CHECK_REFUSED("99.0", "4194304", "[" SHA "]", "size");
        CHECK_REFUSED("\"99\"", "4194304", "[" SHA "]", "size");
        CHECK_REFUSED("true", "4194304", "[" SHA "]", "size");
        CHECK_REFUSED("null", "4194304", "[" SHA "]", "size");
        CHECK_REFUSED("99", "\"4194304\"", "[" SHA "]", "chunk_size");
        CHECK_REFUSED("99", "4194304", "{}", "chunks");
        CHECK_REFUSED("99", "4194304", "[]", "chunks");
        CHECK_REFUSED("99", "4194304", "[" SHA "," SHA "]", "chunks");
        CHECK_REFUSED("99", "4194304", "[\"abc\"]", "chunks[0]");
        return test_result();
}
