/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* JSON output on json-c: the stable, documented machine output of forja
 * commands is built as json_object trees and printed with these helpers. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

/* Pretty-prints (two-space indent) followed by a newline. */
int json_print(FILE *f, json_object *o);

/* Adds key -> value, taking ownership of value; NULL strings become JSON null. */
int json_add_string(json_object *obj, const char *key, const char *value);
int json_add_int(json_object *obj, const char *key, int64_t value);
int json_add_bool(json_object *obj, const char *key, int value);
int json_add(json_object *obj, const char *key, json_object *value);

/* Lookups that accept NULL objects and missing keys. */
const char *json_get_string(json_object *obj, const char *key);
json_object *json_get(json_object *obj, const char *key);
int64_t json_get_int(json_object *obj, const char *key);       /* 0 when absent */
bool json_get_bool(json_object *obj, const char *key);         /* false when absent */

/* Arrays: length 0 and NULL items for NULL or non-arrays. */
size_t json_array_len(json_object *a);
json_object *json_array_at(json_object *a, size_t i);
