/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "json-out.h"
#include "macro.h"

int json_print(FILE *f, json_object *o) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB * 0 |
                                                                  JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        if (fputs(s, f) < 0 || fputc('\n', f) < 0)
                return -EIO;
        return 0;
}

int json_add(json_object *obj, const char *key, json_object *value) {
        return json_object_object_add(obj, key, value) < 0 ? -ENOMEM : 0;
}

int json_add_string(json_object *obj, const char *key, const char *value) {
        return json_add(obj, key, value ? json_object_new_string(value) : NULL);
}

int json_add_int(json_object *obj, const char *key, int64_t value) {
        return json_add(obj, key, json_object_new_int64(value));
}

int json_add_bool(json_object *obj, const char *key, int value) {
        return json_add(obj, key, json_object_new_boolean(value));
}

json_object *json_get(json_object *obj, const char *key) {
        json_object *v = NULL;
        if (!obj || !json_object_is_type(obj, json_type_object))
                return NULL;
        return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

const char *json_get_string(json_object *obj, const char *key) {
        json_object *v = json_get(obj, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

size_t json_array_len(json_object *a) {
        return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

json_object *json_array_at(json_object *a, size_t i) {
        return i < json_array_len(a) ? json_object_array_get_idx(a, i) : NULL;
}

int64_t json_get_int(json_object *o, const char *key) {
        json_object *v = json_get(o, key);
        return v ? json_object_get_int64(v) : 0;
}

bool json_get_bool(json_object *o, const char *key) {
        json_object *v = json_get(o, key);
        return v && json_object_get_boolean(v);
}
