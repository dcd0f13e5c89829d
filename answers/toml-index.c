/* SPDX-License-Identifier: GPL-2.0-or-later */

/* A hash index of every (table, key) pair, alive while one document is
 * parsed, so that checking a key for duplicates costs the same in a table
 * of 5 keys as in one of 50000 (the tree itself keeps plain arrays in
 * document order). Open addressing with linear probing. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml-internal.h"

static uint64_t hash_key(const TomlValue *t, const char *key, size_t len) {
        uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t) (uintptr_t) t;        /* FNV-1a */

        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char) key[i];
                h *= 0x100000001b3ULL;
        }
        return h ^ (h >> 29);
}

static TomlIndexSlot *find_slot(const TomlKeyIndex *ix, const TomlValue *t, const char *key, size_t len) {
        size_t mask = ix->n_slots - 1;

        for (size_t i = hash_key(t, key, len) & mask;; i = (i + 1) & mask) {
                TomlIndexSlot *s = &ix->slots[i];
                const TomlEntry *e;

                if (!s->table)
                        return s;
                e = &s->table->table.entries[s->entry];
                if (s->table == t && e->key_len == len && memcmp(e->key, key, len) == 0)
                        return s;
        }
}

TomlEntry *toml_index_find(const TomlKeyIndex *ix, const TomlValue *t, const char *key, size_t len) {
        TomlIndexSlot *s;

        if (ix->n_slots == 0)
                return NULL;
        s = find_slot(ix, t, key, len);
        return s->table ? &s->table->table.entries[s->entry] : NULL;
}

static int grow(TomlKeyIndex *ix) {
        TomlKeyIndex bigger = {
                .n_slots = ix->n_slots ? ix->n_slots * 2 : 64,
                .n_used = ix->n_used,
        };

        bigger.slots = calloc(bigger.n_slots, sizeof(TomlIndexSlot));
        if (!bigger.slots)
                return -ENOMEM;
        for (size_t i = 0; i < ix->n_slots; i++) {
                const TomlIndexSlot *s = &ix->slots[i];
                const TomlEntry *e;

                if (!s->table)
                        continue;
                e = &s->table->table.entries[s->entry];
                *find_slot(&bigger, s->table, e->key, e->key_len) = *s;
        }
        free(ix->slots);
        *ix = bigger;
        return 0;
}

int toml_index_add(TomlKeyIndex *ix, TomlValue *t, size_t entry) {
        const TomlEntry *e = &t->table.entries[entry];
        TomlIndexSlot *s;
        int r;

        if ((ix->n_used + 1) * 2 > ix->n_slots) {
                r = grow(ix);
                if (r < 0)
                        return r;
        }
        s = find_slot(ix, t, e->key, e->key_len);
        if (!s->table) {
                s->table = t;
                ix->n_used++;
        }
        s->entry = entry;
        return 0;
}

void toml_index_free(TomlKeyIndex *ix) {
        free(ix->slots);
        *ix = (TomlKeyIndex) {};
}
