/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The answer source a medium was prepared with (`forja iso prepare
 * --fetch-from`), kept on the medium as /forja-fetch.toml: written by
 * answer_medium_fetch_format(), read by answer_fetch(). */

#include <errno.h>
#include <stdio.h>

#include "fileio.h"
#include "http.h"
#include "log.h"
#include "strutil.h"
#include "answer-json.h"
#include "toml.h"
#include "source.h"

void answer_medium_fetch_done(AnswerMediumFetch *m) {
        free(m->url);
        free(m->fingerprint);
        if (m->token)
                explicit_bzero(m->token, strlen(m->token));
        free(m->token);
        free(m->partition_label);
        *m = (AnswerMediumFetch) {};
}

const char *answer_fetch_from_to_string(AnswerFetchFrom f) {
        return f == ANSWER_FETCH_FROM_ISO ? "iso" : f == ANSWER_FETCH_FROM_HTTP ? "http" :
               f == ANSWER_FETCH_FROM_PARTITION ? "partition" : NULL;
}

int answer_fetch_from_from_string(const char *s, AnswerFetchFrom *ret) {
        if (streq(s, "iso"))
                *ret = ANSWER_FETCH_FROM_ISO;
        else if (streq(s, "http"))
                *ret = ANSWER_FETCH_FROM_HTTP;
        else if (streq(s, "partition"))
                *ret = ANSWER_FETCH_FROM_PARTITION;
        else
                return -EINVAL;
        return 0;
}

bool answer_partition_label_valid(const char *label) {
        size_t n = strlen(label);
        if (n == 0 || n > 255)
                return false;
        for (const char *p = label; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f || *p == '/')
                        return false;
        return true;
}

int answer_medium_fetch_format(const AnswerMediumFetch *m, char **ret_text) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "fetch-from = ");
        answer_toml_put_string(f, answer_fetch_from_to_string(m->from) ?: "");
        const struct { const char *key, *value; } keys[] = {
                { "url", m->url }, { "cert-fingerprint", m->fingerprint }, { "answer-auth-token", m->token },
                { "partition-label", m->partition_label },
        };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (keys[i].value) {
                        fprintf(f, "\n%s = ", keys[i].key);
                        answer_toml_put_string(f, keys[i].value);
                }
        fputc('\n', f);
        if (fclose(f) != 0) {
                if (buf)
                        explicit_bzero(buf, size);
                free(buf);
                return -ENOMEM;
        }
        *ret_text = buf;
        return 0;
}

/* A string value, or -EINVAL naming file:line:col and the key. */
static int get_string(const char *path, const TomlEntry *e, char **dst, char **ret_error) {
        if (e->value->type != TOML_STRING || strlen(e->value->string.s) != e->value->string.len) {
                error_setf(ret_error, "%s:%u:%u: %s: expected a string, not %s", path, e->value->pos.line,
                           e->value->pos.column, e->key, toml_type_name(e->value->type));
                return -EINVAL;
        }
        *dst = strdup(e->value->string.s);
        return *dst ? 0 : -ENOMEM;
}

int answer_medium_fetch_parse(const char *path, const char *data, size_t size, AnswerMediumFetch *m, char **ret_error) {
        TomlValue *doc = NULL;
        TomlError terr = {};
        int r = toml_parse(data, size, &doc, &terr);
        if (r < 0) {
                if (r == -EINVAL)
                        error_setf(ret_error, "%s:%u:%u: %s", path, terr.pos.line, terr.pos.column, terr.message);
                return r;
        }
        const TomlEntry *from = NULL, *url = NULL, *fp = NULL, *label = NULL;
        for (size_t i = 0; r >= 0 && i < doc->table.n; i++) {
                const TomlEntry *e = &doc->table.entries[i];
                if (streq(e->key, "fetch-from")) {
                        _cleanup_free_ char *s = NULL;
                        from = e;
                        r = get_string(path, e, &s, ret_error);
                        if (r >= 0 && (answer_fetch_from_from_string(s, &m->from) < 0)) {
                                error_setf(ret_error, "%s:%u:%u: fetch-from: expected \"iso\", \"http\" or \"partition\", not \"%s\"", path,
                                           e->value->pos.line, e->value->pos.column, s);
                                r = -EINVAL;
                        }
                } else if (streq(e->key, "url")) {
                        url = e;
                        r = get_string(path, e, &m->url, ret_error);
                } else if (streq(e->key, "cert-fingerprint")) {
                        fp = e;
                        r = get_string(path, e, &m->fingerprint, ret_error);
                } else if (streq(e->key, "answer-auth-token")) {
                        r = get_string(path, e, &m->token, ret_error);
                        if (r >= 0)
                                (void) log_register_secret(m->token);
                } else if (streq(e->key, "partition-label")) {
                        label = e;
                        r = get_string(path, e, &m->partition_label, ret_error);
                        if (r >= 0 && !answer_partition_label_valid(m->partition_label)) {
                                error_setf(ret_error, "%s:%u:%u: partition-label: expected 1 to 255 printable characters without '/'",
                                           path, e->value->pos.line, e->value->pos.column);
                                r = -EINVAL;
                        }
                } else {
                        error_setf(ret_error, "%s:%u:%u: %s: unknown key (fetch-from, url, cert-fingerprint, answer-auth-token, partition-label)",
                                   path, e->key_pos.line, e->key_pos.column, e->key);
                        r = -EINVAL;
                }
        }
        char norm[96];
        if (r >= 0 && !from) {
                error_setf(ret_error, "%s:1:1: fetch-from: missing", path);
                r = -EINVAL;
        } else if (r >= 0 && m->from != ANSWER_FETCH_FROM_HTTP && (url || fp || m->token)) {
                error_setf(ret_error, "%s: url, cert-fingerprint and answer-auth-token only go with fetch-from = \"http\"", path);
                r = -EINVAL;
        } else if (r >= 0 && m->from != ANSWER_FETCH_FROM_PARTITION && label) {
                error_setf(ret_error, "%s:%u:%u: partition-label: only goes with fetch-from = \"partition\"", path,
                           label->key_pos.line, label->key_pos.column);
                r = -EINVAL;
        } else if (r >= 0 && url && !startswith(m->url, "http://") && !startswith(m->url, "https://")) {
                error_setf(ret_error, "%s:%u:%u: url: expected an http:// or https:// URL", path, url->value->pos.line,
                           url->value->pos.column);
                r = -EINVAL;
        } else if (r >= 0 && fp && http_normalize_fingerprint(m->fingerprint, norm) < 0) {
                error_setf(ret_error, "%s:%u:%u: cert-fingerprint: expected a SHA-256 fingerprint (64 hex digits, colons allowed)",
                           path, fp->value->pos.line, fp->value->pos.column);
                r = -EINVAL;
        } else if (r >= 0 && url && startswith(m->url, "http://") && (fp || m->token)) {
                error_setf(ret_error, "%s: %s: never with a plain http:// url", path, fp ? "cert-fingerprint" : "answer-auth-token");
                r = -EINVAL;
        }
        if (r >= 0 && m->from == ANSWER_FETCH_FROM_PARTITION && !m->partition_label) {
                m->partition_label = strdup(ANSWER_PARTITION_LABEL_DEFAULT);
                if (!m->partition_label)
                        r = -ENOMEM;
        }
        toml_free(doc);
        return r;
}

int answer_medium_fetch_load(const char *medium_dir, AnswerMediumFetch *ret, char **ret_error) {
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t size = 0;
        AnswerMediumFetch m = {};

        if (!medium_dir) {
                *ret = m;
                return 0;
        }
        if (asprintf(&path, "%s/%s", medium_dir, ANSWER_MEDIUM_FETCH_FILE) < 0)
                return -ENOMEM;
        int r = read_full_file(path, 64 * 1024, &data, &size);
        if (r == -ENOENT) {
                *ret = m;
                return 0;
        }
        if (r < 0) {
                error_setf(ret_error, "%s: %s", path, strerror(-r));
                return r;
        }
        r = answer_medium_fetch_parse(path, data, size, &m, ret_error);
        explicit_bzero(data, size);
        if (r < 0) {
                answer_medium_fetch_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}
