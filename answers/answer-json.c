/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "macro.h"
#include "strutil.h"
#include "answer-json.h"
#include "toml.h"

bool answer_is_json(const char *data, size_t size) {
        for (size_t i = 0; i < size; i++) {
                if (strchr(" \t\r\n", data[i]))
                        continue;
                return data[i] == '{';
        }
        return false;
}

/* A TOML basic string: JSON's escapes for quote, backslash and controls.
 * Values may hold NUL (\u0000 in JSON), so the length is given. */
static void put_string_len(FILE *f, const char *s, size_t n) {
        fputc('"', f);
        for (const char *end = s + n; s < end; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c == '\t')
                        fputs("\\t", f);
                else if (c < 0x20 || c == 0x7f)
                        fprintf(f, "\\u%04X", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

void answer_toml_put_string(FILE *f, const char *s) {
        put_string_len(f, s, strlen(s));
}

static int put_value(FILE *f, json_object *v, const char *path, char **ret_error);

static int put_inline_table(FILE *f, json_object *o, const char *path, char **ret_error) {
        bool first = true;
        fputc('{', f);
        json_object_object_foreach(o, k, v) {
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s.%s", path, k) < 0)
                        return -ENOMEM;
                fputs(first ? " " : ", ", f);
                answer_toml_put_string(f, k);
                fputs(" = ", f);
                int r = put_value(f, v, sub, ret_error);
                if (r < 0)
                        return r;
                first = false;
        }
        fputs(first ? "}" : " }", f);
        return 0;
}

static int put_value(FILE *f, json_object *v, const char *path, char **ret_error) {
        switch (json_object_get_type(v)) {
        case json_type_null:
                error_setf(ret_error, "JSON answer: %s is null, which TOML cannot express", path);
                return -EINVAL;
        case json_type_boolean:
                fputs(json_object_get_boolean(v) ? "true" : "false", f);
                return 0;
        case json_type_int:
                fprintf(f, "%lld", (long long) json_object_get_int64(v));
                return 0;
        case json_type_double: {
                double d = json_object_get_double(v);
                char buf[64];
                if (!isfinite(d)) {
                        error_setf(ret_error, "JSON answer: %s is not a finite number", path);
                        return -EINVAL;
                }
                snprintf(buf, sizeof buf, "%.17g", d);
                /* TOML tells floats by a '.' or an exponent. */
                fprintf(f, "%s%s", buf, strpbrk(buf, ".eE") ? "" : ".0");
                return 0;
        }
        case json_type_string:
                put_string_len(f, json_object_get_string(v), (size_t) json_object_get_string_len(v));
                return 0;
        case json_type_array: {
                size_t n = json_object_array_length(v);
                fputc('[', f);
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *sub = NULL;
                        if (asprintf(&sub, "%s[%zu]", path, i) < 0)
                                return -ENOMEM;
                        if (i > 0)
                                fputs(", ", f);
                        int r = put_value(f, json_object_array_get_idx(v, i), sub, ret_error);
                        if (r < 0)
                                return r;
                }
                fputc(']', f);
                return 0;
        }
        case json_type_object:
                return put_inline_table(f, v, path, ret_error);
        }
        return -EINVAL;
}

static int write_toml(FILE *f, json_object *root, char **ret_error) {
        int r;
        /* Top-level keys that are not tables come first, before any [header]. */
        json_object_object_foreach(root, k, v) {
                if (json_object_is_type(v, json_type_object))
                        continue;
                answer_toml_put_string(f, k);
                fputs(" = ", f);
                if ((r = put_value(f, v, k, ret_error)) < 0)
                        return r;
                fputc('\n', f);
        }
        json_object_object_foreach(root, tk, tv) {
                if (!json_object_is_type(tv, json_type_object))
                        continue;
                fputs("\n[", f);
                answer_toml_put_string(f, tk);
                fputs("]\n", f);
                json_object_object_foreach(tv, mk, mv) {
                        _cleanup_free_ char *path = NULL;
                        if (asprintf(&path, "%s.%s", tk, mk) < 0)
                                return -ENOMEM;
                        answer_toml_put_string(f, mk);
                        fputs(" = ", f);
                        if ((r = put_value(f, mv, path, ret_error)) < 0)
                                return r;
                        fputc('\n', f);
                }
        }
        return 0;
}

int answer_json_to_toml(const char *data, size_t size, char **ret, size_t *ret_size, char **ret_error) {
        /* TOML is UTF-8: text that is not must be refused here, not by the TOML
         * parser at a position in text the user never wrote (json-c's own
         * check lets overlong and out-of-range sequences through). */
        size_t bad;
        if (!toml_utf8_valid(data, size, &bad)) {
                error_setf(ret_error, "JSON answer: invalid UTF-8 at byte %zu", bad);
                return -EINVAL;
        }
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_object *root = json_tokener_parse_ex(tok, data, (int) size);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t consumed = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (!root || jerr != json_tokener_success) {
                error_setf(ret_error, "JSON answer: %s at byte %zu",
                          jerr == json_tokener_success || jerr == json_tokener_continue ? "unexpected end of the document"
                                                                                        : json_tokener_error_desc(jerr),
                          consumed);
                json_object_put(root);
                return -EINVAL;
        }
        for (size_t i = consumed; i < size; i++)
                if (!strchr(" \t\r\n", data[i])) {
                        error_setf(ret_error, "JSON answer: trailing data at byte %zu", i);
                        json_object_put(root);
                        return -EINVAL;
                }
        if (!json_object_is_type(root, json_type_object)) {
                error_setf(ret_error, "JSON answer: the top level is not an object");
                json_object_put(root);
                return -EINVAL;
        }
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        if (!f) {
                json_object_put(root);
                return -ENOMEM;
        }
        fputs("# converted from the JSON answer the server sent\n", f);
        int r = write_toml(f, root, ret_error);
        json_object_put(root);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        *ret_size = n;
        return 0;
}
