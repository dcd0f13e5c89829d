/* SPDX-License-Identifier: GPL-2.0-or-later */

/* libFuzzer target for the handling of an answer server's reply
 * (answers/answer-reply.c, used by answers/source.c): the input is
 * "CONTENT-TYPE\nBODY"; an empty first line, or no newline at all, stands for
 * a reply without Content-Type. answer_reply_decode() refuses HTML, rewrites
 * a JSON answer as TOML or takes the body as TOML; the result then goes
 * through answer_parse() as `forja answer fetch` and the installer do.
 * Besides what the sanitizers catch, it aborts when:
 *   - an error has no message or does not name the URL, or a result and an
 *     error come together;
 *   - HTML is accepted;
 *   - the TOML written for a JSON answer is not valid TOML (the rewrite must
 *     never turn a JSON document into a syntax error);
 *   - answer_parse() contradicts itself. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "answer-reply.h"
#include "answer.h"
#include "log.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define URL "http://192.0.2.1/answer.toml"

static bool type_is(const char *ct, const char *what) {
        size_t n = strlen(what);
        while (*ct == ' ' || *ct == '\t')
                ct++;
        return strncasecmp(ct, what, n) == 0 && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *nl = memchr(data, '\n', size);
        char *ct = NULL, *error = NULL, *toml = NULL;
        const char *body = (const char *) data;
        size_t body_size = size, toml_size = 0;
        bool json = false;
        int r;

        if (nl == (const char *) data) {
                body++;
                body_size--;
        } else if (nl) {
                ct = strndup((const char *) data, nl - (const char *) data);
                if (!ct)
                        abort();
                body = nl + 1;
                body_size = size - (size_t) (body - (const char *) data);
        }

        r = answer_reply_decode(URL, ct, body, body_size, &toml, &toml_size, &json, &error);
        if (r < 0) {
                if (toml || !error || !strstr(error, URL) || (r != -EPROTO && r != -EINVAL && r != -ENOMEM))
                        abort();
                if (r == -EPROTO && !(ct && (type_is(ct, "text/html") || type_is(ct, "application/xhtml+xml"))))
                        abort();
                free(error);
                free(ct);
                return 0;
        }
        if (error || !toml || toml[toml_size] != 0)
                abort();
        if (ct && (type_is(ct, "text/html") || type_is(ct, "application/xhtml+xml")))
                abort();
        if (!json && (toml_size != body_size || memcmp(toml, body, body_size) != 0))
                abort();

        if (json) {
                TomlValue *root = NULL;
                TomlError terr;
                if (toml_parse(toml, toml_size, &root, &terr) < 0) {
                        fprintf(stderr, "fuzz-reply: the TOML written for a JSON answer does not parse: %u:%u: %s\n%s\n",
                                terr.pos.line, terr.pos.column, terr.message, toml);
                        abort();
                }
                toml_free(root);
        }

        Answer *a = NULL;
        AnswerDiags diags = {};
        r = answer_parse(toml, toml_size, &a, &diags);
        if ((r == 0) != (a != NULL) || (r == -EINVAL && answer_diags_errors(&diags) == 0))
                abort();
        answer_free(a);
        answer_diags_done(&diags);
        log_forget_secrets();
        free(toml);
        free(ct);
        return 0;
}
