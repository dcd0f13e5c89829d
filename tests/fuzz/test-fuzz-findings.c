/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Unit tests for the logic bugs the fuzz targets found (docs/fuzzing.md):
 * each finding's input also stays in tests/fuzz/corpus/TARGET/regress-*,
 * replayed by fuzz-replay-TARGET; the expected values here are written by
 * hand. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answer-json.h"
#include "answer-reply.h"
#include "testlib.h"
#include "toml.h"

#define URL "http://192.0.2.1/a.toml"

/* reply: a JSON answer with bytes that are not UTF-8 was rewritten into TOML
 * the TOML parser then refused at a line of text the user never wrote. */
static void test_json_invalid_utf8(void) {
        static const char body[] = "{\"global\": {\"keyboard\": \"d\x88\"}}";
        char *data = NULL, *err = NULL;
        size_t size = 0;
        bool json = false;

        CHECK_INTEQ(answer_reply_decode(URL, "application/json", body, strlen(body), &data, &size, &json, &err), -EINVAL);
        CHECK(data == NULL);
        CHECK(err && strstr(err, URL ": JSON answer: invalid UTF-8 at byte 26"));
        free(err);

        /* json-c's own check let these through: an overlong "6" (C1 B6), a
         * lead byte beyond U+10FFFF (F6), a UTF-16 surrogate (ED A0 80). */
        static const char *const bad[] = { "{\"a\": \"\xc1\xb6\"}", "{\"a\": \"\xf6\x80\x80\x80\"}",
                                           "{\"a\": \"\xed\xa0\x80\"}" };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                err = NULL;
                CHECK_INTEQ(answer_json_to_toml(bad[i], strlen(bad[i]), &data, &size, &err), -EINVAL);
                CHECK_STREQ(err, "JSON answer: invalid UTF-8 at byte 7");
                free(err);
        }
        /* Valid multi-byte text passes. */
        err = NULL;
        static const char good[] = "{\"a\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}";
        CHECK_INTEQ(answer_json_to_toml(good, strlen(good), &data, &size, &err), 0);
        CHECK(data && strstr(data, "\"a\" = \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""));
        free(data);
}

/* reply: "\u0000" in a JSON string cut the TOML string short. */
static void test_json_nul_in_string(void) {
        static const char body[] = "{\"global\": {\"root-password\": \"ab\\u0000cd\"}}";
        char *data = NULL, *err = NULL;
        size_t size = 0;
        bool json = false;
        TomlValue *root = NULL;
        TomlError terr;

        CHECK_INTEQ(answer_reply_decode(URL, NULL, body, strlen(body), &data, &size, &json, &err), 0);
        CHECK(json);
        CHECK(data && strstr(data, "\"root-password\" = \"ab\\u0000cd\"\n"));
        CHECK_INTEQ(toml_parse(data, size, &root, &terr), 0);
        const TomlValue *v = toml_get(toml_get(root, "global"), "root-password");
        CHECK(v && v->type == TOML_STRING && v->string.len == 5 && memcmp(v->string.s, "ab\0cd", 5) == 0);
        toml_free(root);
        free(data);
}

/* reply: HTML is refused whatever the letter case and parameters; TOML passes unchanged. */
static void test_reply_types(void) {
        char *data = NULL, *err = NULL;
        size_t size = 0;
        bool json = true;

        CHECK_INTEQ(answer_reply_decode(URL, " Text/HTML;charset=utf-8", "<html>", 6, &data, &size, &json, &err), -EPROTO);
        CHECK_STREQ(err, URL ": the server sent an HTML page (Content-Type  Text/HTML;charset=utf-8), not an answer file");
        free(err);
        err = NULL;
        CHECK_INTEQ(answer_reply_decode(URL, "text/plain", "[global]\n", 9, &data, &size, &json, &err), 0);
        CHECK_STREQ(data, "[global]\n");
        CHECK_INTEQ(size, 9);
        CHECK(!json);
        free(data);
        CHECK_INTEQ(answer_reply_decode(URL, NULL, NULL, 0, &data, &size, &json, &err), 0);
        CHECK_STREQ(data, "");
        free(data);
}

int main(void) {
        test_json_invalid_utf8();
        test_json_nul_in_string();
        test_reply_types();
        return test_result();
}
