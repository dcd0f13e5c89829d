/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Collecting and printing answer file findings. */

#include <stdarg.h>

#include "answer-diag.h"

void answer_diags_done(AnswerDiags *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].key);
                free(d->items[i].message);
        }
        free(d->items);
        *d = (AnswerDiags) {};
}

int answer_diags_addv(AnswerDiags *d, AnswerSeverity severity, TomlPos pos, const char *key,
                      const char *format, va_list ap) {
        _cleanup_free_ char *message = NULL, *k = NULL;

        if (vasprintf(&message, format, ap) < 0) {
                message = NULL;
                d->oom = true;
                return -ENOMEM;
        }
        k = strdup(strempty(key));
        AnswerDiag *items = reallocarray(d->items, d->n + 1, sizeof(AnswerDiag));
        if (!k || !items) {
                if (items)
                        d->items = items;
                d->oom = true;
                return -ENOMEM;
        }
        d->items = items;
        d->items[d->n++] = (AnswerDiag) {
                .severity = severity,
                .pos = pos,
                .key = TAKE_PTR(k),
                .message = TAKE_PTR(message),
        };
        return 0;
}

int answer_diags_add(AnswerDiags *d, AnswerSeverity severity, TomlPos pos, const char *key,
                     const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        int r = answer_diags_addv(d, severity, pos, key, format, ap);
        va_end(ap);
        return r;
}

size_t answer_diags_errors(const AnswerDiags *d) {
        size_t n = 0;
        for (size_t i = 0; i < d->n; i++)
                if (d->items[i].severity == ANSWER_ERROR)
                        n++;
        return n;
}

static int pos_cmp(TomlPos a, TomlPos b) {
        if (a.line != b.line)
                return a.line < b.line ? -1 : 1;
        if (a.column != b.column)
                return a.column < b.column ? -1 : 1;
        return 0;
}

const AnswerDiag *answer_diags_first_error(const AnswerDiags *d) {
        const AnswerDiag *best = NULL;
        for (size_t i = 0; i < d->n; i++)
                if (d->items[i].severity == ANSWER_ERROR &&
                    (!best || pos_cmp(d->items[i].pos, best->pos) < 0))
                        best = &d->items[i];
        return best;
}

const AnswerDiag *answer_diags_find(const AnswerDiags *d, const char *key) {
        for (size_t i = 0; i < d->n; i++)
                if (d->items[i].severity == ANSWER_ERROR && streq(d->items[i].key, key))
                        return &d->items[i];
        return NULL;
}

void answer_diags_sort(AnswerDiags *d) {
        /* insertion sort: stable, and the lists are short */
        for (size_t i = 1; i < d->n; i++) {
                AnswerDiag x = d->items[i];
                size_t j = i;
                while (j > 0 && pos_cmp(d->items[j - 1].pos, x.pos) > 0) {
                        d->items[j] = d->items[j - 1];
                        j--;
                }
                d->items[j] = x;
        }
}

void answer_diags_print(FILE *f, const char *file, const AnswerDiags *d) {
        for (size_t i = 0; i < d->n; i++) {
                const AnswerDiag *x = &d->items[i];
                fprintf(f, "%s:%u:%u: %s%s%s%s\n", file, x->pos.line, x->pos.column,
                        x->key, *x->key ? ": " : "",
                        x->severity == ANSWER_WARNING ? "warning: " : "", x->message);
        }
}
