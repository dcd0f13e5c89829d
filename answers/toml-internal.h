/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Internals of the TOML parser shared by its source files: the cursor over
 * the input (with line and column tracking), error reporting, a growable
 * byte buffer, and the scalar readers (strings, numbers, date-times) that
 * toml.c calls while it builds the tree. Not for use outside answers/. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "toml.h"

/* Arrays and inline tables nested deeper than this are refused, so hostile
 * input cannot exhaust the stack of the recursive descent. */
#define TOML_MAX_NESTING 128
/* A dotted key or a header with more segments than this is refused, for the
 * same reason (the tree it builds is freed recursively). */
#define TOML_MAX_KEY_SEGMENTS 128

/* Where each key of each table is, while a document is parsed (toml-index.c). */
typedef struct TomlIndexSlot {
        TomlValue *table;       /* NULL: free slot */
        size_t entry;           /* index in table->table.entries */
} TomlIndexSlot;

typedef struct TomlKeyIndex {
        TomlIndexSlot *slots;
        size_t n_slots, n_used; /* n_slots: 0 or a power of two */
} TomlKeyIndex;

TomlEntry *toml_index_find(const TomlKeyIndex *ix, const TomlValue *t, const char *key, size_t len);
int toml_index_add(TomlKeyIndex *ix, TomlValue *t, size_t entry);
void toml_index_free(TomlKeyIndex *ix);

typedef struct TomlParser {
        const char *p;          /* cursor; the input holds no NUL (checked up front) */
        const char *end;
        TomlPos pos;            /* position of *p */
        TomlError *error;       /* may be NULL */
        unsigned depth;         /* current array / inline table nesting */
        TomlKeyIndex index;     /* every key of the tree being built */
} TomlParser;

typedef struct TomlBuf {
        char *s;
        size_t len, cap;
} TomlBuf;

/* The current byte, or 0 at the end of input. */
static inline char toml_peek(const TomlParser *p) {
        return p->p < p->end ? *p->p : 0;
}

/* The byte n positions ahead, or 0 past the end. */
static inline char toml_peek_at(const TomlParser *p, size_t n) {
        return (size_t) (p->end - p->p) > n ? p->p[n] : 0;
}

/* Moves past one byte, keeping line and column (in characters) right. */
static inline void toml_advance(TomlParser *p) {
        unsigned char c = (unsigned char) *p->p++;
        if (c == '\n') {
                p->pos.line++;
                p->pos.column = 1;
        } else if ((c & 0xC0) != 0x80)
                p->pos.column++;
}

static inline void toml_advance_n(TomlParser *p, size_t n) {
        while (n-- > 0)
                toml_advance(p);
}

static inline bool toml_is_ws(char c) {
        return c == ' ' || c == '\t';
}

/* At a newline: LF, or CR LF (a lone CR is rejected before parsing). */
static inline bool toml_at_newline(const TomlParser *p) {
        char c = toml_peek(p);
        return c == '\n' || c == '\r';
}

static inline void toml_skip_ws(TomlParser *p) {
        while (toml_is_ws(toml_peek(p)))
                toml_advance(p);
}

/* Consumes one newline; the caller checked toml_at_newline(). */
static inline void toml_skip_newline(TomlParser *p) {
        if (toml_peek(p) == '\r')
                toml_advance(p);
        toml_advance(p);
}

/* Records the first error (later ones are consequences) and returns -EINVAL. */
int toml_errorf(TomlParser *p, TomlPos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* What is at the cursor, for messages like "expected X, found Y". */
const char *toml_describe_here(const TomlParser *p, char buf[static 8]);
/* The same where the cursor may be inside or next to a value: a value may be a
 * password, so only the kind of thing is named, never a character of the text. */
const char *toml_describe_in_value(const TomlParser *p);

int toml_buf_put(TomlBuf *b, const char *s, size_t n);
static inline int toml_buf_putc(TomlBuf *b, char c) {
        return toml_buf_put(b, &c, 1);
}

/* Checks the whole input: valid UTF-8, no control characters but tab, LF and
 * CR, and every CR followed by LF. */
int toml_check_encoding(TomlParser *p);

/* At an opening quote: reads a basic or literal string (multi-line when
 * allow_multiline and the quote is tripled) into b, unescaped and NUL
 * terminated. */
int toml_read_string(TomlParser *p, bool allow_multiline, TomlBuf *b);

/* At the first character of a number, boolean, date or time: reads it into
 * v (type, payload and raw text). */
int toml_read_scalar(TomlParser *p, TomlValue *v);
