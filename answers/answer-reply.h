/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What an answer server's HTTP reply holds, from its Content-Type and body,
 * without any I/O (so the fuzz target tests/fuzz/fuzz-reply.c runs it):
 *   - an HTML page (text/html, application/xhtml+xml, any letter case and
 *     parameters) is a captive portal or an index, never an answer: -EPROTO;
 *   - a body that is JSON (first non-blank byte '{', whatever the
 *     Content-Type: Proxmox answer servers may answer JSON) is rewritten as
 *     TOML (answer-json.h); malformed JSON is -EINVAL;
 *   - anything else is the TOML answer as it is.
 * Errors name url and come back in *ret_error. *ret_data is always NUL
 * terminated and malloc'd; *ret_json says whether it is a JSON rewrite. */

#include <stdbool.h>
#include <stddef.h>

int answer_reply_decode(const char *url, const char *content_type, const char *body, size_t size,
                        char **ret_data, size_t *ret_size, bool *ret_json, char **ret_error);
