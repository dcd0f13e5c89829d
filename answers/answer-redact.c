/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The answer file without its secrets, for /etc/forja/answer.toml and
 * `forja iso inspect`. The TOML parser gives the position of every value, so
 * each secret is replaced exactly where it is, whatever its quoting (basic, literal, multi-line) or
 * the way its table is written (header, dotted key, inline table); no
 * pattern matching over the text. The replacement is a basic string, so the
 * result stays valid TOML. */

#include "answer.h"
#include "macro.h"
#include "strutil.h"
#include "toml.h"

#define REDACTED "\"<redacted>\""

/* The secret keys are answer_secret_keys (answers/answer.h), "section.key"
 * in kebab-case; snake_case spellings of sections and keys match too. */

typedef struct Span {
        size_t start, end;      /* bytes, end exclusive */
} Span;

static bool key_matches(const TomlEntry *e, const char *kebab) {
        if (e->key_len != strlen(kebab))
                return false;
        for (size_t i = 0; i < e->key_len; i++)
                if ((e->key[i] == '_' ? '-' : e->key[i]) != kebab[i])
                        return false;
        return true;
}

/* Byte offset of a 1-based line and column (columns count characters). */
static int pos_to_offset(const char *text, size_t size, TomlPos pos, size_t *ret) {
        size_t off = 0;
        for (unsigned line = 1; line < pos.line; line++) {
                const char *nl = memchr(text + off, '\n', size - off);
                if (!nl)
                        return -ERANGE;
                off = nl - text + 1;
        }
        for (unsigned col = 1; col < pos.column; col++) {
                if (off >= size)
                        return -ERANGE;
                off++;
                while (off < size && ((unsigned char) text[off] & 0xc0) == 0x80)
                        off++;
        }
        *ret = off;
        return 0;
}

/* The end of the string token that starts at off. */
static int string_end(const char *text, size_t size, size_t off, size_t *ret) {
        char q = text[off];
        if (q != '"' && q != '\'')
                return -EINVAL;
        bool escapes = q == '"';
        bool multi = off + 2 < size && text[off + 1] == q && text[off + 2] == q;
        for (size_t i = off + (multi ? 3 : 1); i < size; i++) {
                if (escapes && text[i] == '\\') {
                        i++;
                        continue;
                }
                if (text[i] != q)
                        continue;
                if (!multi) {
                        *ret = i + 1;
                        return 0;
                }
                size_t run = 0;
                while (i + run < size && text[i + run] == q)
                        run++;
                if (run >= 3) {
                        /* up to two quotes before the closing delimiter belong to the string */
                        *ret = i + MIN(run, (size_t) 5);
                        return 0;
                }
                i += run - 1;
        }
        return -EINVAL;
}

typedef struct Spans {
        Span *s;
        size_t n, cap;
} Spans;

/* Adds the span of every value at the dotted path ("section.key") below t,
 * each part matched in kebab or snake_case (both spellings, if a file has
 * them). */
static int collect_secret(const char *text, size_t size, const TomlValue *t, const char *part, const char *path,
                          Spans *out, char **ret_error) {
        const char *dot = strchr(part, '.');
        size_t len = dot ? (size_t) (dot - part) : strlen(part);
        char name[64];
        if (len >= sizeof(name) || t->type != TOML_TABLE)
                return 0;
        memcpy(name, part, len);
        name[len] = 0;
        for (size_t i = 0; i < t->table.n; i++) {
                const TomlEntry *e = &t->table.entries[i];
                if (!key_matches(e, name))
                        continue;
                if (dot) {
                        int r = collect_secret(text, size, e->value, dot + 1, path, out, ret_error);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (e->value->type != TOML_STRING)
                        return error_setf(ret_error, "answer file:%u:%u: %s: a secret must be one string",
                                          e->value->pos.line, e->value->pos.column, path), -EINVAL;
                if (out->n == out->cap) {
                        size_t cap = MAX(out->cap * 2, (size_t) 8);
                        Span *ns = reallocarray(out->s, cap, sizeof(Span));
                        if (!ns)
                                return -ENOMEM;
                        out->s = ns;
                        out->cap = cap;
                }
                Span *sp = &out->s[out->n];
                int r = pos_to_offset(text, size, e->value->pos, &sp->start);
                if (r >= 0)
                        r = string_end(text, size, sp->start, &sp->end);
                if (r < 0)
                        return error_setf(ret_error, "answer file:%u:%u: cannot find the value of %s",
                                          e->value->pos.line, e->value->pos.column, path), -EINVAL;
                out->n++;
        }
        return 0;
}

static int span_compare(const void *a, const void *b) {
        const Span *x = a, *y = b;
        return x->start < y->start ? 1 : x->start > y->start ? -1 : 0;
}

int answer_redact(const char *text, size_t size, char **ret_text, size_t *ret_size, char **ret_error) {
        TomlValue *doc = NULL;
        TomlError terr = {};
        int r = toml_parse(text, size, &doc, &terr);
        if (r == -EINVAL) {
                error_setf(ret_error, "answer file:%u:%u: %s", terr.pos.line, terr.pos.column, terr.message);
                return r;
        }
        if (r < 0)
                return r;

        Spans found = {};
        for (const char *const *k = answer_secret_keys; *k && r >= 0; k++)
                r = collect_secret(text, size, doc, *k, *k, &found, ret_error);
        toml_free(doc);
        _cleanup_free_ Span *spans = found.s;
        size_t n = found.n;
        if (r < 0)
                return r;

        /* from the end, so earlier offsets stay valid */
        if (n > 0)
                qsort(spans, n, sizeof(Span), span_compare);
        /* room for the text while it shrinks and grows span by span */
        char *out = malloc(size + n * strlen(REDACTED) + 1);
        if (!out)
                return -ENOMEM;
        memcpy(out, text, size);
        size_t cur = size;
        for (size_t i = 0; i < n; i++) {
                size_t tail = cur - spans[i].end;
                memmove(out + spans[i].start + strlen(REDACTED), out + spans[i].end, tail);
                memcpy(out + spans[i].start, REDACTED, strlen(REDACTED));
                cur = spans[i].start + strlen(REDACTED) + tail;
        }
        out[cur] = 0;
        *ret_text = out;
        if (ret_size)
                *ret_size = cur;
        return 0;
}
