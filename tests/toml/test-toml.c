/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Unit tests of the TOML parser beyond conformance: the source positions of
 * keys and values (columns in characters, after multi-line strings, inside
 * inline tables, with CRLF line ends) and the positions of errors. Every
 * expected line:column below was counted by hand from the document text. */

#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "macro.h"
#include "testlib.h"
#include "toml.h"

#define CHECK_POS(p, l, c)                                      \
        do {                                                    \
                CHECK_INTEQ((p).line, (l));                     \
                CHECK_INTEQ((p).column, (c));                   \
        } while (0)

static TomlValue *parse_ok(const char *text) {
        TomlValue *root = NULL;
        TomlError error;
        int r = toml_parse(text, strlen(text), &root, &error);

        if (r < 0)
                fprintf(stderr, "unexpected parse error %d at %u:%u: %s\n", r, error.pos.line, error.pos.column,
                        error.message);
        CHECK(r == 0);
        return root;
}

static const char document[] =
        "# forja answer\n"                                      /* 1 */
        "[global]\n"                                            /* 2 */
        "keyboard = \"de\"\n"                                   /* 3 */
        "motd = \"\"\"\n"                                       /* 4 */
        "first line\n"                                          /* 5 */
        "second \"line\"\n"                                     /* 6 */
        "\"\"\"\n"                                              /* 7 */
        "after = 42\n"                                          /* 8 */
        "\n"                                                    /* 9 */
        "[network]\n"                                           /* 10 */
        "  source = { kind = \"dhcp\", opts.mtu = 1500 }\n"     /* 11 */
        "\"quoted key\" = 'lit'\n"                              /* 12 */
        "dotted . part = true\n"                                /* 13 */
        "\n"                                                    /* 14 */
        "[[disk]]\n"                                            /* 15 */
        "name = \"sda\"\n"                                      /* 16 */
        "size = [ 1,\n"                                         /* 17 */
        "    2.5 ]\n"                                           /* 18 */
        "\"ünï\" = { \"é\" = 1, k = 2 }\n"                      /* 19 */
        "tail = 1979-05-27T07:32:00.5+01:30\n";                 /* 20 */

/* Looks key up in table t and checks where the key and its value start
 * (vline 0: the value position is not checked). Returns the value or NULL. */
static const TomlValue *expect_entry_at(int line, const TomlValue *t, const char *key,
                                        unsigned kline, unsigned kcol, unsigned vline, unsigned vcol) {
        const TomlEntry *e = toml_get_entry(t, key);

        tests_checked++;
        if (!e) {
                fprintf(stderr, "%s:%d: key '%s' not found\n", __FILE__, line, key);
                tests_failed++;
                return NULL;
        }
        if (e->key_pos.line != kline || e->key_pos.column != kcol ||
            (vline && (e->value->pos.line != vline || e->value->pos.column != vcol))) {
                fprintf(stderr, "%s:%d: '%s': key at %u:%u, value at %u:%u; expected %u:%u and %u:%u\n",
                        __FILE__, line, key, e->key_pos.line, e->key_pos.column, e->value->pos.line,
                        e->value->pos.column, kline, kcol, vline, vcol);
                tests_failed++;
        }
        return e->value;
}
#define expect_entry(...) expect_entry_at(__LINE__, __VA_ARGS__)

static void test_positions(void) {
        TomlValue *root = parse_ok(document);
        const TomlValue *global, *network, *source, *disks, *disk, *v;

        if (!root)
                return;

        global = expect_entry(root, "global", 2, 2, 2, 1);
        v = expect_entry(global, "keyboard", 3, 1, 3, 12);
        CHECK(v && v->type == TOML_STRING && streq(v->string.s, "de"));
        v = expect_entry(global, "motd", 4, 1, 4, 8);
        CHECK(v && v->type == TOML_STRING && streq(v->string.s, "first line\nsecond \"line\"\n") &&
              v->string.len == 25);
        /* The line count goes on right after a multi-line string. */
        v = expect_entry(global, "after", 8, 1, 8, 9);
        CHECK(v && v->type == TOML_INTEGER && v->integer == 42 && streq(v->raw, "42"));

        network = expect_entry(root, "network", 10, 2, 10, 1);
        source = expect_entry(network, "source", 11, 3, 11, 12);
        expect_entry(source, "kind", 11, 14, 11, 21);
        v = expect_entry(source, "opts", 11, 29, 11, 29);       /* made by a dotted key: at its segment */
        v = expect_entry(v, "mtu", 11, 34, 11, 40);
        CHECK(v && v->type == TOML_INTEGER && v->integer == 1500);
        v = expect_entry(network, "quoted key", 12, 1, 12, 16);
        CHECK(v && v->type == TOML_STRING && streq(v->string.s, "lit"));
        v = expect_entry(network, "dotted", 13, 1, 13, 1);
        v = expect_entry(v, "part", 13, 10, 13, 17);
        CHECK(v && v->type == TOML_BOOL && v->boolean);

        disks = expect_entry(root, "disk", 15, 3, 15, 1);
        CHECK(disks && disks->type == TOML_ARRAY && disks->array.n == 1);
        if (!disks || disks->type != TOML_ARRAY || disks->array.n != 1)
                goto out;
        disk = disks->array.items[0];
        CHECK_POS(disk->pos, 15, 1);
        expect_entry(disk, "name", 16, 1, 16, 8);
        v = expect_entry(disk, "size", 17, 1, 17, 8);
        CHECK(v && v->type == TOML_ARRAY && v->array.n == 2);
        if (v && v->type == TOML_ARRAY && v->array.n == 2) {
                CHECK_POS(v->array.items[0]->pos, 17, 10);
                CHECK_POS(v->array.items[1]->pos, 18, 5);
                CHECK(v->array.items[1]->type == TOML_FLOAT && v->array.items[1]->floating == 2.5);
        }

        /* Columns count characters, not bytes: ü, n, ï, é are one column each. */
        v = expect_entry(disk, "ünï", 19, 1, 19, 9);
        expect_entry(v, "é", 19, 11, 19, 17);
        expect_entry(v, "k", 19, 20, 19, 24);

        v = expect_entry(disk, "tail", 20, 1, 20, 8);
        CHECK(v && v->type == TOML_DATETIME);
        if (v && v->type == TOML_DATETIME) {
                const TomlDatetime *dt = &v->datetime;

                CHECK(dt->year == 1979 && dt->month == 5 && dt->day == 27);
                CHECK(dt->hour == 7 && dt->minute == 32 && dt->second == 0);
                CHECK_INTEQ(dt->nanosecond, 500000000);
                CHECK_INTEQ(dt->offset_minutes, 90);
                CHECK(!dt->offset_z);
                CHECK_STREQ(v->raw, "1979-05-27T07:32:00.5+01:30");
        }

        /* Keys keep document order. */
        CHECK_INTEQ(root->table.n, 3);
        if (root->table.n == 3) {
                CHECK_STREQ(root->table.entries[0].key, "global");
                CHECK_STREQ(root->table.entries[1].key, "network");
                CHECK_STREQ(root->table.entries[2].key, "disk");
        }
out:
        toml_free(root);
}

static void test_crlf_and_implicit(void) {
        TomlValue *root = parse_ok("a = '''\r\nx\r\ny'''\r\n[t.u]\r\nb = 2\r\n[t]\r\n  c = 3\r\n");
        const TomlValue *t, *v;

        if (!root)
                return;
        v = expect_entry(root, "a", 1, 1, 1, 5);
        CHECK(v && v->type == TOML_STRING && streq(v->string.s, "x\ny"));      /* CRLF inside reads as LF */

        /* [t] was implied by [t.u] on line 4, then defined on line 6:
         * the table and its key point at the defining header. */
        t = expect_entry(root, "t", 6, 2, 6, 1);
        v = expect_entry(t, "u", 4, 4, 4, 1);
        expect_entry(v, "b", 5, 1, 5, 5);
        expect_entry(t, "c", 7, 3, 7, 7);
        toml_free(root);
}

static void test_values(void) {
        TomlValue *root = parse_ok("z = \"a\\u0000b\"\n"
                                   "min = -9223372036854775808\n"
                                   "max = 0x7fff_ffff_ffff_ffff\n"
                                   "bin = 0b1010\n"
                                   "oct = 0o17\n"
                                   "f = -1_000.25e-2\n"
                                   "ninf = -inf\n"
                                   "n = nan\n"
                                   "d = 2024-02-29\n"
                                   "lt = 23:59:60.123456789999\n"
                                   "\"\\u0000\" = 1\n");
        const TomlValue *v;

        if (!root)
                return;
        v = toml_get(root, "z");
        CHECK(v && v->type == TOML_STRING && v->string.len == 3 && memcmp(v->string.s, "a\0b", 4) == 0);
        v = toml_get(root, "min");
        CHECK(v && v->type == TOML_INTEGER && v->integer == INT64_MIN);
        v = toml_get(root, "max");
        CHECK(v && v->type == TOML_INTEGER && v->integer == INT64_MAX);
        v = toml_get(root, "bin");
        CHECK(v && v->integer == 10);
        v = toml_get(root, "oct");
        CHECK(v && v->integer == 15);
        v = toml_get(root, "f");
        CHECK(v && v->type == TOML_FLOAT && v->floating == -10.0025);
        v = toml_get(root, "ninf");
        CHECK(v && v->type == TOML_FLOAT && isinf(v->floating) && v->floating < 0);
        v = toml_get(root, "n");
        CHECK(v && v->type == TOML_FLOAT && isnan(v->floating));
        v = toml_get(root, "d");
        CHECK(v && v->type == TOML_DATE_LOCAL && v->datetime.month == 2 && v->datetime.day == 29);
        v = toml_get(root, "lt");
        CHECK(v && v->type == TOML_TIME_LOCAL && v->datetime.second == 60 && v->datetime.nanosecond == 123456789);
        /* A key holding NUL is found by length, not by toml_get()'s C string. */
        CHECK_INTEQ(root->table.n, 11);
        if (root->table.n == 11)
                CHECK(root->table.entries[10].key_len == 1 && root->table.entries[10].key[0] == '\0');
        CHECK(toml_get(root, "missing") == NULL);
        CHECK(toml_get(toml_get(root, "z"), "x") == NULL);
        CHECK_STREQ(toml_type_name(TOML_DATETIME_LOCAL), "datetime-local");
        CHECK_STREQ(toml_type_name(TOML_TABLE), "table");
        toml_free(root);
}

static void check_error_at(int line, const char *text, size_t size, unsigned eline, unsigned ecol,
                           const char *fragment) {
        TomlValue *root = NULL;
        TomlError error;
        int r = toml_parse(text, size, &root, &error);

        tests_checked++;
        if (r != -EINVAL || root || error.pos.line != eline || error.pos.column != ecol ||
            !strstr(error.message, fragment)) {
                fprintf(stderr, "%s:%d: got %d, %u:%u: %s; expected -EINVAL, %u:%u: ...%s...\n", __FILE__, line,
                        r, error.pos.line, error.pos.column, error.message, eline, ecol, fragment);
                tests_failed++;
        }
        toml_free(root);
}

#define CHECK_ERROR(text, line, column, fragment) \
        check_error_at(__LINE__, text, sizeof(text) - 1, line, column, fragment)

static void test_errors(void) {
        CHECK_ERROR("a = 1\nb = \"unterminated\n", 2, 5, "unterminated string");
        CHECK_ERROR("[t]\nx = 1\n[t]\n", 3, 2, "already defined");
        CHECK_ERROR("a = { b = 1,\n c = 2 }\n", 1, 13, "newline");
        CHECK_ERROR("x = 0x_1\n", 1, 5, "underscore");
        CHECK_ERROR("é = 1\n", 1, 1, "expected a key");
        CHECK_ERROR("s = \"ab\xff\"\n", 1, 8, "UTF-8");
        CHECK_ERROR("k = \"ñ\" x\n", 1, 9, "end of line");
        CHECK_ERROR("big = 9223372036854775808\n", 1, 7, "out of range");
        CHECK_ERROR("a = {b = 1}\na.c = 2\n", 2, 1, "a");
        CHECK_ERROR("a = 1\r\nb = 2\rc = 3\n", 2, 6, "carriage return");
        CHECK_ERROR("m = \"\"\"\none\ntwo\\q\"\"\"\n", 3, 4, "escape");
        CHECK_ERROR("[[arr]]\n[arr]\n", 2, 2, "array of tables");
        CHECK_ERROR("d = 2023-02-29\n", 1, 5, "day out of range");
        CHECK_ERROR("a = 1\na = 2\n", 2, 1, "duplicate key 'a' (first defined at line 1, column 1)");
        CHECK_ERROR("x = [1, 2\n", 2, 1, "expected ',' or ']'");
        CHECK_ERROR("nul = 1\0\n", 1, 8, "control character");
}

/* A bad value may be a password: the parser names the position and the kind of
 * error but never quotes the text of a value (not one character of it). */
static void check_value_not_echoed(int line, const char *text, size_t size, const char *secret) {
        TomlValue *root = NULL;
        TomlError error;
        int r = toml_parse(text, size, &root, &error);

        tests_checked++;
        if (r != -EINVAL || strstr(error.message, secret)) {
                fprintf(stderr, "%s:%d: got %d, %u:%u: '%s'; expected an error without '%s'\n", __FILE__, line,
                        r, error.pos.line, error.pos.column, error.message, secret);
                tests_failed++;
        }
        toml_free(root);
}

#define CHECK_NOT_ECHOED(text, secret) check_value_not_echoed(__LINE__, text, sizeof(text) - 1, secret)

static void test_values_not_echoed(void) {
        CHECK_NOT_ECHOED("root-password = S3cretPW\n", "S3c");
        CHECK_NOT_ECHOED("root-password = 12S3cretPW\n", "S3c");
        CHECK_NOT_ECHOED("root-password = 2024-01-01S3cretPW\n", "S3c");
        CHECK_NOT_ECHOED("root-password = 0x12G4\n", "12G");
        CHECK_NOT_ECHOED("root-password = ~S3cretPW\n", "~");
        CHECK_NOT_ECHOED("root-password = \"S3cret\" Zeta\n", "Z");
        CHECK_NOT_ECHOED("root-password = \"S3c\\qret\"\n", "\\q");
        CHECK_NOT_ECHOED("root-password = \"S3c\\uD834ret\"\n", "D834");
        CHECK_NOT_ECHOED("root-password = \"S3c\\$ret\"\n", "$");
        CHECK_NOT_ECHOED("root-password = \"S3c\xe9ret\"\n", "E9");
        CHECK_NOT_ECHOED("root-password = \"S3c\x07ret\"\n", "0007");
        CHECK_NOT_ECHOED("t = { root-password = \"S3cret\" Yo }\n", "Y");
        CHECK_NOT_ECHOED("a = [ \"S3cret\" Xi ]\n", "X");
        CHECK_NOT_ECHOED("a = [ \"S3cret\", Wu ]\n", "Wu");
}

static void test_empty(void) {
        TomlValue *root = NULL;
        TomlError error;

        /* No data at all, a BOM alone, comments only: an empty root table at 1:1. */
        CHECK_INTEQ(toml_parse(NULL, 0, &root, &error), 0);
        CHECK(root && root->type == TOML_TABLE && root->table.n == 0);
        toml_free(root);
        root = parse_ok("\xEF\xBB\xBF# only a comment\r\n\n");
        CHECK(root && root->type == TOML_TABLE && root->table.n == 0);
        if (root)
                CHECK_POS(root->pos, 1, 1);
        toml_free(root);
}

int main(void) {
        test_empty();
        test_positions();
        test_crlf_and_implicit();
        test_values();
        test_errors();
        test_values_not_echoed();
        return test_result();
}
