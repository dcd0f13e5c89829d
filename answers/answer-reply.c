/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answer-json.h"
#include "answer-reply.h"
#include "macro.h"
#include "strutil.h"

/* The media type alone, lower case: " Text/HTML; charset=x" -> "text/html". */
static void media_type(const char *content_type, char *buf, size_t size) {
        const char *p = content_type;
        size_t n = 0;

        while (*p == ' ' || *p == '\t')
                p++;
        for (; *p && *p != ';' && *p != ' ' && *p != '\t' && n + 1 < size; p++)
                buf[n++] = (char) tolower((unsigned char) *p);
        buf[n] = 0;
}

int answer_reply_decode(const char *url, const char *content_type, const char *body, size_t size,
                        char **ret_data, size_t *ret_size, bool *ret_json, char **ret_error) {
        if (content_type) {
                char type[128];

                media_type(content_type, type, sizeof type);
                if (streq(type, "text/html") || streq(type, "application/xhtml+xml")) {
                        error_setf(ret_error, "%s: the server sent an HTML page (Content-Type %s), not an answer file",
                                   url, content_type);
                        return -EPROTO;
                }
        }
        if (!body)
                size = 0;

        if (answer_is_json(body, size)) {
                _cleanup_free_ char *why = NULL;
                int r = answer_json_to_toml(body, size, ret_data, ret_size, &why);
                if (r < 0) {
                        error_setf(ret_error, "%s: %s", url, why ?: strerror(-r));
                        return r;
                }
                *ret_json = true;
                return 0;
        }

        char *copy = malloc(size + 1);
        if (!copy)
                return -ENOMEM;
        if (size > 0)
                memcpy(copy, body, size);
        copy[size] = 0;
        *ret_data = copy;
        *ret_size = size;
        *ret_json = false;
        return 0;
}
