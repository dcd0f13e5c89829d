/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A TOML 1.0.0 parser. It builds a document tree in which every key and
 * every value carries its source position (1-based line and column, columns
 * counted in characters), so schema errors can say `answer.toml:12:9: key: ...`.
 * Tables keep their keys in document order. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TomlType {
        TOML_TABLE,
        TOML_ARRAY,
        TOML_STRING,
        TOML_INTEGER,
        TOML_FLOAT,
        TOML_BOOL,
        TOML_DATETIME,          /* offset date-time, e.g. 1979-05-27T07:32:00Z */
        TOML_DATETIME_LOCAL,    /* 1979-05-27T07:32:00 */
        TOML_DATE_LOCAL,        /* 1979-05-27 */
        TOML_TIME_LOCAL,        /* 07:32:00 */
} TomlType;

typedef struct TomlPos {
        unsigned line;
        unsigned column;
} TomlPos;

typedef struct TomlValue TomlValue;

typedef struct TomlEntry {
        char *key;              /* the key itself, unescaped (one segment of a dotted key) */
        TomlPos key_pos;        /* where that key segment starts */
        TomlValue *value;
        size_t key_len;         /* length of key; a quoted key may contain NUL via \u0000 */
} TomlEntry;

typedef struct TomlDatetime {
        int year, month, day;           /* set for DATETIME, DATETIME_LOCAL, DATE_LOCAL */
        int hour, minute, second;       /* set for DATETIME, DATETIME_LOCAL, TIME_LOCAL */
        int nanosecond;
        int offset_minutes;             /* DATETIME only; 0 for Z */
        bool offset_z;                  /* the offset was written as Z */
} TomlDatetime;

struct TomlValue {
        TomlType type;
        TomlPos pos;            /* where the value starts ([header] position for tables) */
        union {
                struct {
                        char *s;        /* UTF-8, NUL terminated; may contain NUL via \u0000 */
                        size_t len;
                } string;
                int64_t integer;
                double floating;
                bool boolean;
                TomlDatetime datetime;
                struct {
                        TomlEntry *entries;
                        size_t n;
                } table;
                struct {
                        TomlValue **items;
                        size_t n;
                } array;
        };
        /* Raw source text of scalars (numbers, dates) for exact reproduction. */
        char *raw;
        /* Parser bookkeeping for the redefinition rules; read-only for users. */
        unsigned flags;
};

typedef struct TomlError {
        TomlPos pos;
        char message[256];
} TomlError;

/* Parses a whole document. On success returns 0 and the root table in *ret.
 * On invalid input returns -EINVAL and fills *ret_error (when non-NULL) with
 * the position and a message; on allocation failure -ENOMEM. */
int toml_parse(const char *data, size_t size, TomlValue **ret, TomlError *ret_error);

void toml_free(TomlValue *v);

/* Whether s[0..n) is well-formed UTF-8 (shortest-form encodings of Unicode
 * scalar values, as TOML requires); else the offset of the first bad
 * sequence in *ret_offset (when non-NULL). */
bool toml_utf8_valid(const char *s, size_t n, size_t *ret_offset);

/* Lookups; NULL when t is not a table or the key is absent. */
const TomlValue *toml_get(const TomlValue *t, const char *key);
const TomlEntry *toml_get_entry(const TomlValue *t, const char *key);

const char *toml_type_name(TomlType t);   /* "string", "integer", "table", ... */
