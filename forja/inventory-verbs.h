/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared front-end code of the inventory verbs (disks, nics, system-info):
 * options, getting a Hardware (probed or loaded), and output helpers. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hardware.h"

typedef struct InventoryArgs {
        bool json;
        bool all;
        const char *sysroot;
        const char *hardware;
} InventoryArgs;

/* Parses --json, --sysroot, --hardware and (when allow_all) --all.
 * Returns 0 or -EINVAL after logging the problem. */
int inventory_parse_argv(int argc, char *argv[], bool allow_all, InventoryArgs *ret);

/* Probes (or loads --hardware) and logs probe warnings. Returns an exit code
 * other than EXIT_OK on failure, after logging. */
int inventory_get(const InventoryArgs *args, HwProbeFlags flags, Hardware **ret);

/* The whole of `forja disks` / `forja nics`: options (with --all meaning
 * all_flags), probing or loading, then print_table() or --json with member. */
int inventory_run_list_verb(int argc, char *argv[], HwProbeFlags all_flags, const char *member,
                            int (*print_table)(const Hardware *hw));

/* Prints { "KEY": <that member of the full hardware JSON> }, which is itself
 * a valid hardware file. */
int inventory_print_json_member(const Hardware *hw, const char *key);

/* "931.5 GiB" */
void hw_format_bytes(uint64_t bytes, char *buf, size_t size);

/* A text table: columns padded to the widest cell; a NULL cell prints "-". */
typedef struct Table {
        size_t n_columns;
        size_t n_cells;
        char **cells;
} Table;
int hw_table_add(Table *t, const char *cell);
int hw_table_addf(Table *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
void hw_table_print(const Table *t, FILE *f);
void hw_table_done(Table *t);
