/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Answer servers written for Proxmox may reply with the answer as JSON (the
 * same structure as answer.toml). The rest of forja reads TOML, so a JSON
 * answer is rewritten as the equivalent TOML text: top-level objects become
 * [tables], nested objects inline tables, keys always quoted. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Whether data looks like JSON (the first non-blank byte is '{'). */
bool answer_is_json(const char *data, size_t size);

/* -EINVAL with a message for malformed JSON, a top level that is not an
 * object, or a null (TOML has none; the key is named). */
int answer_json_to_toml(const char *data, size_t size, char **ret, size_t *ret_size, char **ret_error);

/* Writes s as a TOML basic string (quotes, escapes). */
void answer_toml_put_string(FILE *f, const char *s);
