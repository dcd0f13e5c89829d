/* SPDX-License-Identifier: GPL-2.0-or-later */

/* libFuzzer target for the hardware JSON loader (inventory/hardware-json.c):
 * JSON text in, through the same parser and strict reader that
 * `--hardware FILE` uses. Besides what the sanitizers catch, it aborts when an
 * error comes without a message, when an accepted inventory does not survive
 * a round trip (written out, read back, written out again: the same JSON), or
 * when the lookups disagree with the arrays. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "hardware.h"
#include "inventory-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *to_text(const Hardware *hw) {
        json_object *o = hardware_to_json(hw);
        if (!o)
                abort();
        char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        if (!s)
                abort();
        return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_object *root = NULL;
        Hardware *hw = NULL, *again = NULL;
        char *error = NULL;
        int r;

        r = hw_json_parse_data("h.json", (const char *) data, size, &root, &error);
        if (r < 0) {
                if (root || !error || r != -EINVAL)
                        abort();
                free(error);
                return 0;
        }
        r = hardware_from_json(root, &hw, &error);
        json_object_put(root);
        if (r < 0) {
                if (hw || (r == -EINVAL && (!error || !*error)) || (r != -EINVAL && r != -ENOMEM))
                        abort();
                free(error);
                return 0;
        }
        if (!hw)
                abort();

        for (size_t i = 0; i < hw->n_disks; i++)
                if (!hw->disks[i].name || hardware_find_disk(hw, hw->disks[i].name) != &hw->disks[i])
                        abort();
        for (size_t i = 0; i < hw->n_nics; i++)
                if (!hw->nics[i].name || hardware_find_nic(hw, hw->nics[i].name) != &hw->nics[i])
                        abort();

        char *first = to_text(hw);
        if (hw_json_parse_data("round-trip", first, strlen(first), &root, &error) < 0 ||
            hardware_from_json(root, &again, &error) < 0) {
                fprintf(stderr, "fuzz-hardware: written inventory not read back: %s\n%s\n", error, first);
                abort();
        }
        json_object_put(root);
        char *second = to_text(again);
        if (strcmp(first, second) != 0) {
                fprintf(stderr, "fuzz-hardware: round trip changed the inventory:\n%s\n%s\n", first, second);
                abort();
        }
        free(first);
        free(second);
        hardware_free(again);
        hardware_free(hw);
        return 0;
}
