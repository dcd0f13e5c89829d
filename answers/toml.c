/* SPDX-License-Identifier: GPL-2.0-or-later */

/* The structure of a TOML document: keys, tables, arrays, inline tables and
 * the rules about defining each table only once. Scalars and strings are
 * read by toml-scalar.c and toml-string.c. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "toml-internal.h"

/* TomlValue.flags: how a table or array came to exist, which decides what
 * may still be added to it. */
enum {
        FLAG_EXPLICIT = 1 << 0, /* table defined by a [header] or [[header]] */
        FLAG_IMPLICIT = 1 << 1, /* table created as the parent in a header; may be defined once later */
        FLAG_DOTTED   = 1 << 2, /* table created by a dotted key */
        FLAG_FROZEN   = 1 << 3, /* inline table or array literal: closed for good */
        FLAG_AOT      = 1 << 4, /* array of tables, grown by [[header]] */
};

typedef struct KeySegment {
        char *s;
        size_t len;
        TomlPos pos;
} KeySegment;

typedef struct Key {
        KeySegment *seg;
        size_t n, allocated;
} Key;

static void key_clear(Key *k) {
        for (size_t i = 0; i < k->n; i++)
                free(k->seg[i].s);
        free(k->seg);
        *k = (Key) {};
}

/* Space for arrays that grow by doubling: a new block is due when n is 0 or
 * a power of two from 4 on. */
static bool need_grow(size_t n, size_t *ret_cap) {
        if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
                return false;
        *ret_cap = n ? n * 2 : 4;
        return true;
}

static TomlValue *value_new(TomlType type, TomlPos pos) {
        TomlValue *v = calloc(1, sizeof(TomlValue));

        if (v) {
                v->type = type;
                v->pos = pos;
        }
        return v;
}

void toml_free(TomlValue *v) {
        if (!v)
                return;
        switch (v->type) {
        case TOML_TABLE:
                for (size_t i = 0; i < v->table.n; i++) {
                        free(v->table.entries[i].key);
                        toml_free(v->table.entries[i].value);
                }
                free(v->table.entries);
                break;
        case TOML_ARRAY:
                for (size_t i = 0; i < v->array.n; i++)
                        toml_free(v->array.items[i]);
                free(v->array.items);
                break;
        case TOML_STRING:
                free(v->string.s);
                break;
        default:
                break;
        }
        free(v->raw);
        free(v);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(TomlValue *, toml_free);

static TomlEntry *table_find(const TomlValue *t, const char *key, size_t len) {
        for (size_t i = 0; i < t->table.n; i++) {
                TomlEntry *e = &t->table.entries[i];
                if (e->key_len == len && memcmp(e->key, key, len) == 0)
                        return e;
        }
        return NULL;
}

/* Adds key -> v to table t (copying the key) and to the parser's index,
 * taking v on success. */
static int table_insert(TomlParser *p, TomlValue *t, const KeySegment *seg, TomlValue *v) {
        _cleanup_free_ char *key = NULL;
        TomlEntry *e;
        size_t cap;

        key = malloc(seg->len + 1);
        if (!key)
                return -ENOMEM;
        memcpy(key, seg->s, seg->len);
        key[seg->len] = '\0';

        if (need_grow(t->table.n, &cap)) {
                TomlEntry *n = reallocarray(t->table.entries, cap, sizeof(TomlEntry));
                if (!n)
                        return -ENOMEM;
                t->table.entries = n;
        }
        e = &t->table.entries[t->table.n++];
        *e = (TomlEntry) {
                .key = TAKE_PTR(key),
                .key_len = seg->len,
                .key_pos = seg->pos,
                .value = v,
        };
        if (toml_index_add(&p->index, t, t->table.n - 1) < 0) {
                free(e->key);
                t->table.n--;
                return -ENOMEM;
        }
        return 0;
}

static int array_push(TomlValue *a, TomlValue *v) {
        size_t cap;

        if (need_grow(a->array.n, &cap)) {
                TomlValue **n = reallocarray(a->array.items, cap, sizeof(TomlValue *));
                if (!n)
                        return -ENOMEM;
                a->array.items = n;
        }
        a->array.items[a->array.n++] = v;
        return 0;
}

/* Creates table key -> new table in t and returns it (borrowed). */
static int table_add_table(TomlParser *p, TomlValue *t, const KeySegment *seg, TomlPos pos, unsigned flags,
                           TomlValue **ret) {
        _cleanup_(toml_freep) TomlValue *nt = value_new(TOML_TABLE, pos);
        int r;

        if (!nt)
                return -ENOMEM;
        nt->flags = flags;
        r = table_insert(p, t, seg, nt);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(nt);
        return 0;
}

/* Writes the first n segments of a key, dotted and quoted where needed, for messages. */
static const char *key_name(const Key *k, size_t n, char *buf, size_t size) {
        size_t o = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n && o + 1 < size; i++) {
                const KeySegment *s = &k->seg[i];
                bool bare = s->len > 0;

                for (size_t j = 0; j < s->len; j++) {
                        char c = s->s[j];
                        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                              c == '_' || c == '-'))
                                bare = false;
                }
                if (i > 0 && o + 1 < size)
                        buf[o++] = '.';
                if (!bare && o + 1 < size)
                        buf[o++] = '"';
                for (size_t j = 0; j < s->len && o + 1 < size; j++)
                        buf[o++] = s->s[j] == '\0' ? '?' : s->s[j];
                if (!bare && o + 1 < size)
                        buf[o++] = '"';
        }
        buf[MIN(o, size - 1)] = '\0';
        return buf;
}

static bool is_bare_key_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void skip_comment(TomlParser *p) {
        while (p->p < p->end && !toml_at_newline(p))
                toml_advance(p);
}

/* Skips whitespace, comments and newlines (inside arrays). */
static void skip_blank(TomlParser *p) {
        for (;;) {
                char c = toml_peek(p);

                if (toml_is_ws(c))
                        toml_advance(p);
                else if (c == '#')
                        skip_comment(p);
                else if (toml_at_newline(p))
                        toml_skip_newline(p);
                else
                        return;
        }
}

/* Reads a (possibly dotted) key; stops after the whitespace that follows it. */
static int parse_key(TomlParser *p, Key *k) {
        for (;;) {
                KeySegment *seg;
                TomlBuf b = {};
                char c, what[8];
                int r;

                toml_skip_ws(p);
                if (k->n >= TOML_MAX_KEY_SEGMENTS)
                        return toml_errorf(p, p->pos, "key has more than %d parts", TOML_MAX_KEY_SEGMENTS);
                if (k->n == k->allocated) {
                        size_t cap = k->allocated ? k->allocated * 2 : 4;
                        KeySegment *n = reallocarray(k->seg, cap, sizeof(KeySegment));
                        if (!n)
                                return -ENOMEM;
                        k->seg = n;
                        k->allocated = cap;
                }
                seg = &k->seg[k->n];
                seg->pos = p->pos;
                c = toml_peek(p);
                if (c == '"' || c == '\'') {
                        r = toml_read_string(p, false, &b);
                } else if (is_bare_key_char(c)) {
                        const char *start = p->p;

                        while (is_bare_key_char(toml_peek(p)))
                                toml_advance(p);
                        r = toml_buf_put(&b, start, (size_t) (p->p - start));
                } else
                        r = toml_errorf(p, p->pos, "expected a key, found %s", toml_describe_here(p, what));
                if (r < 0) {
                        free(b.s);
                        return r;
                }
                seg->s = b.s;
                seg->len = b.len;
                k->n++;

                toml_skip_ws(p);
                if (toml_peek(p) != '.')
                        return 0;
                toml_advance(p);
        }
}

static int parse_value(TomlParser *p, TomlValue **ret);

/* key = value, inserted into table t with the dotted-key rules. */
static int parse_keyval(TomlParser *p, TomlValue *t) {
        _cleanup_(toml_freep) TomlValue *v = NULL;
        _cleanup_(key_clear) Key k = {};
        KeySegment *last;
        TomlEntry *e;
        char name[128];
        int r;

        r = parse_key(p, &k);
        if (r < 0)
                return r;
        if (toml_peek(p) != '=')
                return toml_errorf(p, p->pos, "expected '=' after key '%s', found %s",
                                   key_name(&k, k.n, name, sizeof(name)), toml_describe_in_value(p));
        toml_advance(p);
        toml_skip_ws(p);
        r = parse_value(p, &v);
        if (r < 0)
                return r;

        for (size_t i = 0; i + 1 < k.n; i++) {
                KeySegment *seg = &k.seg[i];

                e = toml_index_find(&p->index, t, seg->s, seg->len);
                if (!e) {
                        r = table_add_table(p, t, seg, seg->pos, FLAG_DOTTED, &t);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (e->value->type != TOML_TABLE)
                        return toml_errorf(p, seg->pos, "'%s' is already defined as %s at line %u, column %u",
                                           key_name(&k, i + 1, name, sizeof(name)), toml_type_name(e->value->type),
                                           e->key_pos.line, e->key_pos.column);
                if (!(e->value->flags & FLAG_DOTTED) || (e->value->flags & FLAG_FROZEN))
                        return toml_errorf(p, seg->pos,
                                           "cannot add keys with a dotted key to table '%s' defined at line %u, column %u",
                                           key_name(&k, i + 1, name, sizeof(name)),
                                           e->value->pos.line, e->value->pos.column);
                t = e->value;
        }

        last = &k.seg[k.n - 1];
        e = toml_index_find(&p->index, t, last->s, last->len);
        if (e)
                return toml_errorf(p, last->pos, "duplicate key '%s' (first defined at line %u, column %u)",
                                   key_name(&k, k.n, name, sizeof(name)), e->key_pos.line, e->key_pos.column);
        r = table_insert(p, t, last, v);
        if (r < 0)
                return r;
        TAKE_PTR(v);
        return 0;
}

static int parse_array(TomlParser *p, TomlValue **ret) {
        _cleanup_(toml_freep) TomlValue *a = value_new(TOML_ARRAY, p->pos);
        int r;

        if (!a)
                return -ENOMEM;
        a->flags = FLAG_FROZEN;
        toml_advance(p);        /* [ */
        for (;;) {
                TomlValue *item = NULL;

                skip_blank(p);
                if (toml_peek(p) == ']')
                        break;
                r = parse_value(p, &item);
                if (r < 0)
                        return r;
                r = array_push(a, item);
                if (r < 0) {
                        toml_free(item);
                        return r;
                }
                skip_blank(p);
                if (toml_peek(p) == ',') {
                        toml_advance(p);
                        continue;
                }
                if (toml_peek(p) != ']')
                        return toml_errorf(p, p->pos, "expected ',' or ']' in array, found %s", toml_describe_in_value(p));
                break;
        }
        toml_advance(p);        /* ] */
        *ret = TAKE_PTR(a);
        return 0;
}

/* Closes an inline table and the tables its dotted keys made (nested
 * inline tables are closed already). */
static void freeze(TomlValue *t) {
        t->flags |= FLAG_FROZEN;
        for (size_t i = 0; i < t->table.n; i++) {
                TomlValue *v = t->table.entries[i].value;
                if (v->type == TOML_TABLE && !(v->flags & FLAG_FROZEN))
                        freeze(v);
        }
}

static int parse_inline_table(TomlParser *p, TomlValue **ret) {
        _cleanup_(toml_freep) TomlValue *t = value_new(TOML_TABLE, p->pos);
        int r;

        if (!t)
                return -ENOMEM;
        toml_advance(p);        /* { */
        toml_skip_ws(p);
        if (toml_peek(p) != '}') {
                for (;;) {
                        if (toml_at_newline(p))
                                return toml_errorf(p, p->pos, "newlines are not allowed in an inline table");
                        r = parse_keyval(p, t);
                        if (r < 0)
                                return r;
                        toml_skip_ws(p);
                        if (toml_peek(p) == '}')
                                break;
                        if (toml_peek(p) != ',') {
                                if (toml_at_newline(p))
                                        return toml_errorf(p, p->pos, "newlines are not allowed in an inline table");
                                return toml_errorf(p, p->pos, "expected ',' or '}' in inline table, found %s",
                                                   toml_describe_in_value(p));
                        }
                        toml_advance(p);
                        toml_skip_ws(p);
                        if (toml_peek(p) == '}')
                                return toml_errorf(p, p->pos, "trailing comma not allowed in an inline table");
                }
        }
        toml_advance(p);        /* } */
        freeze(t);
        *ret = TAKE_PTR(t);
        return 0;
}

static int parse_value(TomlParser *p, TomlValue **ret) {
        _cleanup_(toml_freep) TomlValue *v = NULL;
        char c = toml_peek(p);
        int r;

        if (c == '[' || c == '{') {
                if (p->depth >= TOML_MAX_NESTING)
                        return toml_errorf(p, p->pos, "arrays and inline tables nested deeper than %d",
                                           TOML_MAX_NESTING);
                p->depth++;
                r = c == '[' ? parse_array(p, ret) : parse_inline_table(p, ret);
                p->depth--;
                return r;
        }

        if (p->p >= p->end || toml_at_newline(p) || c == '#' || c == ',' || c == ']' || c == '}')
                return toml_errorf(p, p->pos, "expected a value, found %s", toml_describe_in_value(p));

        /* A type without owned payload until the reader has filled it in. */
        v = value_new(TOML_BOOL, p->pos);
        if (!v)
                return -ENOMEM;
        if (c == '"' || c == '\'') {
                TomlBuf b = {};

                r = toml_read_string(p, true, &b);
                v->type = TOML_STRING;
                v->string.s = b.s;
                v->string.len = b.len;
        } else
                r = toml_read_scalar(p, v);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(v);
        return 0;
}

/* [a.b.c] or [[a.b.c]]: finds or creates the table that the following keys go to. */
static int parse_header(TomlParser *p, TomlValue *root, TomlValue **current) {
        _cleanup_(key_clear) Key k = {};
        TomlPos start = p->pos;
        TomlValue *t = root, *nt;
        KeySegment *last;
        TomlEntry *e;
        char what[8], name[128];
        bool aot;
        int r;

        toml_advance(p);
        aot = toml_peek(p) == '[';
        if (aot)
                toml_advance(p);
        r = parse_key(p, &k);
        if (r < 0)
                return r;
        if (toml_peek(p) != ']' || (aot && toml_peek_at(p, 1) != ']')) {
                if (toml_peek(p) == ']')
                        toml_advance(p);
                return toml_errorf(p, p->pos, "expected '%s' to close the table header, found %s",
                                   aot ? "]]" : "]", toml_describe_here(p, what));
        }
        toml_advance_n(p, aot ? 2 : 1);

        for (size_t i = 0; i + 1 < k.n; i++) {
                KeySegment *seg = &k.seg[i];
                TomlValue *v;

                e = toml_index_find(&p->index, t, seg->s, seg->len);
                if (!e) {
                        r = table_add_table(p, t, seg, seg->pos, FLAG_IMPLICIT, &t);
                        if (r < 0)
                                return r;
                        continue;
                }
                v = e->value;
                if (v->type == TOML_ARRAY && (v->flags & FLAG_AOT)) {
                        t = v->array.items[v->array.n - 1];
                        continue;
                }
                if (v->type != TOML_TABLE)
                        return toml_errorf(p, seg->pos, "'%s' is already defined as %s at line %u, column %u",
                                           key_name(&k, i + 1, name, sizeof(name)), toml_type_name(v->type),
                                           e->key_pos.line, e->key_pos.column);
                if (v->flags & FLAG_FROZEN)
                        return toml_errorf(p, seg->pos, "cannot extend inline table '%s' defined at line %u, column %u",
                                           key_name(&k, i + 1, name, sizeof(name)), v->pos.line, v->pos.column);
                t = v;
        }

        last = &k.seg[k.n - 1];
        key_name(&k, k.n, name, sizeof(name));
        e = toml_index_find(&p->index, t, last->s, last->len);

        if (aot) {
                _cleanup_(toml_freep) TomlValue *element = NULL;
                TomlValue *array;

                if (!e) {
                        _cleanup_(toml_freep) TomlValue *a = value_new(TOML_ARRAY, start);
                        if (!a)
                                return -ENOMEM;
                        a->flags = FLAG_AOT;
                        r = table_insert(p, t, last, a);
                        if (r < 0)
                                return r;
                        array = TAKE_PTR(a);
                } else if (e->value->type != TOML_ARRAY || !(e->value->flags & FLAG_AOT))
                        return toml_errorf(p, last->pos,
                                           "cannot define array of tables [[%s]]: already defined as %s at line %u, column %u",
                                           name, e->value->type == TOML_ARRAY ? "a static array" :
                                           toml_type_name(e->value->type), e->key_pos.line, e->key_pos.column);
                else
                        array = e->value;

                element = value_new(TOML_TABLE, start);
                if (!element)
                        return -ENOMEM;
                element->flags = FLAG_EXPLICIT;
                r = array_push(array, element);
                if (r < 0)
                        return r;
                *current = TAKE_PTR(element);
                return 0;
        }

        if (!e) {
                r = table_add_table(p, t, last, start, FLAG_EXPLICIT, &nt);
                if (r < 0)
                        return r;
                *current = nt;
                return 0;
        }
        nt = e->value;
        if (nt->type != TOML_TABLE)
                return toml_errorf(p, last->pos, "cannot define table [%s]: already defined as %s at line %u, column %u",
                                   name, nt->type == TOML_ARRAY && (nt->flags & FLAG_AOT) ? "an array of tables" :
                                   toml_type_name(nt->type), e->key_pos.line, e->key_pos.column);
        if (!(nt->flags & FLAG_IMPLICIT) || (nt->flags & (FLAG_DOTTED | FLAG_FROZEN)))
                return toml_errorf(p, last->pos, "table [%s] is already defined %sat line %u, column %u", name,
                                   nt->flags & FLAG_FROZEN ? "as an inline table " :
                                   nt->flags & FLAG_DOTTED ? "by a dotted key " : "",
                                   nt->pos.line, nt->pos.column);
        /* A table first implied by [a.b.c] is now defined by its own header. */
        nt->flags = FLAG_EXPLICIT;
        nt->pos = start;
        e->key_pos = last->pos;
        *current = nt;
        return 0;
}

static int parse_document(TomlParser *p, TomlValue *root) {
        TomlValue *current = root;
        int r;

        for (;;) {
                bool header = false;

                toml_skip_ws(p);
                if (p->p >= p->end)
                        return 0;
                if (toml_at_newline(p)) {
                        toml_skip_newline(p);
                        continue;
                }
                if (toml_peek(p) == '[') {
                        header = true;
                        r = parse_header(p, root, &current);
                } else if (toml_peek(p) != '#')
                        r = parse_keyval(p, current);
                else
                        r = 0;
                if (r < 0)
                        return r;

                toml_skip_ws(p);
                if (toml_peek(p) == '#')
                        skip_comment(p);
                if (p->p >= p->end)
                        return 0;
                if (!toml_at_newline(p))
                        return toml_errorf(p, p->pos, "expected end of line after %s, found %s",
                                           header ? "table header" : "value", toml_describe_in_value(p));
                toml_skip_newline(p);
        }
}

int toml_parse(const char *data, size_t size, TomlValue **ret, TomlError *ret_error) {
        _cleanup_(toml_freep) TomlValue *root = NULL;
        const char *text = data ?: "";
        TomlParser p = {
                .p = text,
                .end = text + (data ? size : 0),
                .pos = { 1, 1 },
                .error = ret_error,
        };
        int r;

        if (ret_error)
                *ret_error = (TomlError) {};

        r = toml_check_encoding(&p);
        if (r < 0)
                return r;
        /* A byte order mark at the start is not part of the document. */
        if (p.end - p.p >= 3 && memcmp(p.p, "\xEF\xBB\xBF", 3) == 0)
                p.p += 3;

        root = value_new(TOML_TABLE, p.pos);
        if (!root)
                return -ENOMEM;
        root->flags = FLAG_EXPLICIT;
        r = parse_document(&p, root);
        toml_index_free(&p.index);
        if (r == -ENOMEM && ret_error && ret_error->message[0] == '\0')
                snprintf(ret_error->message, sizeof(ret_error->message), "out of memory");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(root);
        return 0;
}

const TomlEntry *toml_get_entry(const TomlValue *t, const char *key) {
        if (!t || t->type != TOML_TABLE || !key)
                return NULL;
        return table_find(t, key, strlen(key));
}

const TomlValue *toml_get(const TomlValue *t, const char *key) {
        const TomlEntry *e = toml_get_entry(t, key);
        return e ? e->value : NULL;
}

const char *toml_type_name(TomlType t) {
        static const char *const names[] = {
                [TOML_TABLE] = "table",
                [TOML_ARRAY] = "array",
                [TOML_STRING] = "string",
                [TOML_INTEGER] = "integer",
                [TOML_FLOAT] = "float",
                [TOML_BOOL] = "bool",
                [TOML_DATETIME] = "datetime",
                [TOML_DATETIME_LOCAL] = "datetime-local",
                [TOML_DATE_LOCAL] = "date-local",
                [TOML_TIME_LOCAL] = "time-local",
        };

        if ((unsigned) t >= ELEMENTSOF(names))
                return "unknown";
        return names[t];
}
