/* SPDX-License-Identifier: GPL-2.0-or-later */

/* libFuzzer target for the TOML parser. Besides what the sanitizers catch,
 * it aborts when the parser breaks its own contract: a result and an error
 * at once, an error without a message or position, a value or key without
 * a position, or a table key that toml_get_entry() does not find again. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_pos(TomlPos pos) {
        if (pos.line == 0 || pos.column == 0)
                abort();
}

static void walk(const TomlValue *v) {
        check_pos(v->pos);
        switch (v->type) {
        case TOML_TABLE:
                for (size_t i = 0; i < v->table.n; i++) {
                        const TomlEntry *e = &v->table.entries[i];

                        check_pos(e->key_pos);
                        if (!e->key || !e->value || strlen(e->key) > e->key_len)
                                abort();
                        /* Keys without an embedded NUL must be found by name. */
                        if (strlen(e->key) == e->key_len && toml_get_entry(v, e->key) != e)
                                abort();
                        walk(e->value);
                }
                break;
        case TOML_ARRAY:
                for (size_t i = 0; i < v->array.n; i++)
                        walk(v->array.items[i]);
                break;
        case TOML_STRING:
                if (!v->string.s || v->string.s[v->string.len] != '\0')
                        abort();
                break;
        default:
                if (!v->raw || strcmp(toml_type_name(v->type), "unknown") == 0)
                        abort();
                break;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        TomlValue *root = NULL;
        TomlError error;
        int r;

        r = toml_parse((const char *) data, size, &root, &error);
        if (r == 0) {
                if (!root || root->type != TOML_TABLE)
                        abort();
                walk(root);
                toml_free(root);
        } else {
                if (root || (r != -EINVAL && r != -ENOMEM))
                        abort();
                if (r == -EINVAL && (error.message[0] == '\0' || error.pos.line == 0 || error.pos.column == 0))
                        abort();
        }
        return 0;
}
