/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Front-end code shared by `forja disks`, `forja nics` and `forja system-info`. */

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/stat.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cli.h"
#include "inventory-verbs.h"
#include "json-out.h"
#include "log.h"

int inventory_parse_argv(int argc, char *argv[], bool allow_all, InventoryArgs *ret) {
        enum { ARG_JSON = 0x100, ARG_ALL, ARG_SYSROOT, ARG_HARDWARE };
        static const struct option options[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "all", no_argument, NULL, ARG_ALL },
                { "sysroot", required_argument, NULL, ARG_SYSROOT },
                { "hardware", required_argument, NULL, ARG_HARDWARE },
                {}
        };
        InventoryArgs a = {};
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_JSON:
                        a.json = true;
                        break;
                case ARG_ALL:
                        if (!allow_all)
                                return log_error_errno(EINVAL, "%s: unknown option '--all'. See 'forja %s --help'.",
                                                       argv[0], argv[0]);
                        a.all = true;
                        break;
                case ARG_SYSROOT:
                        a.sysroot = optarg;
                        break;
                case ARG_HARDWARE:
                        a.hardware = optarg;
                        break;
                case ':':
                        return log_error_errno(EINVAL, "%s: option '%s' needs an argument.", argv[0], argv[optind - 1]);
                default:
                        return log_error_errno(EINVAL, "%s: unknown option '%s'. See 'forja %s --help'.", argv[0],
                                               argv[optind - 1], argv[0]);
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "%s: unexpected argument '%s'.", argv[0], argv[optind]);
        if (a.sysroot && a.hardware)
                return log_error_errno(EINVAL, "%s: --sysroot and --hardware exclude each other.", argv[0]);
        if (a.hardware && a.all)
                return log_error_errno(EINVAL, "%s: --all applies to probing, not to --hardware.", argv[0]);
        if (a.sysroot) {
                struct stat st;
                if (stat(a.sysroot, &st) < 0 || !S_ISDIR(st.st_mode))
                        return log_error_errno(EINVAL, "%s: --sysroot '%s' is not a directory.", argv[0], a.sysroot);
        }
        *ret = a;
        return 0;
}

int inventory_get(const InventoryArgs *args, HwProbeFlags flags, Hardware **ret) {
        Hardware *hw = NULL;
        int r;

        if (args->hardware) {
                _cleanup_free_ char *err = NULL;
                r = hardware_load_json(args->hardware, &hw, &err);
                if (r < 0) {
                        if (err)
                                log_error("%s", err);
                        else
                                log_error_errno(r, "Failed to load '%s': %m", args->hardware);
                        return r == -EINVAL || r == -ENOENT ? EXIT_BAD_INPUT : EXIT_JOB_FAILED;
                }
        } else {
                r = hardware_probe_full(args->sysroot, flags, &hw);
                if (r < 0) {
                        log_error_errno(r, "Failed to probe the hardware: %m");
                        return EXIT_JOB_FAILED;
                }
                for (char **w = hw->warnings; w && *w; w++)
                        log_warning("%s", *w);
        }
        *ret = hw;
        return EXIT_OK;
}

int inventory_print_json_member(const Hardware *hw, const char *key) {
        _cleanup_json_ json_object *full = hardware_to_json(hw);
        _cleanup_json_ json_object *o = json_object_new_object();

        if (!full || !o)
                return -ENOMEM;
        json_object *v = json_get(full, key);
        if (json_add(o, key, json_object_get(v)) < 0)
                return -ENOMEM;
        return json_print(stdout, o);
}

int inventory_run_list_verb(int argc, char *argv[], HwProbeFlags all_flags, const char *member,
                            int (*print_table)(const Hardware *hw)) {
        Hardware *hw = NULL;
        InventoryArgs args;
        int r;

        if (inventory_parse_argv(argc, argv, true, &args) < 0)
                return EXIT_BAD_INPUT;
        r = inventory_get(&args, args.all ? all_flags : 0, &hw);
        if (r != EXIT_OK)
                return r;
        r = args.json ? inventory_print_json_member(hw, member) : print_table(hw);
        hardware_free(hw);
        if (r < 0) {
                log_error_errno(r, "%s: failed to print: %m", argv[0]);
                return EXIT_JOB_FAILED;
        }
        return EXIT_OK;
}

void hw_format_bytes(uint64_t bytes, char *buf, size_t size) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        double v = (double) bytes;
        size_t u = 0;

        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%" PRIu64 " B", bytes);
        else
                snprintf(buf, size, "%.1f %s", v, units[u]);
}

int hw_table_add(Table *t, const char *cell) {
        char **n = realloc(t->cells, (t->n_cells + 1) * sizeof(char *));
        if (!n)
                return -ENOMEM;
        t->cells = n;
        n[t->n_cells] = strdup(cell && *cell ? cell : "-");
        if (!n[t->n_cells])
                return -ENOMEM;
        t->n_cells++;
        return 0;
}

int hw_table_addf(Table *t, const char *format, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;

        va_start(ap, format);
        int r = vasprintf(&s, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return hw_table_add(t, s);
}

void hw_table_print(const Table *t, FILE *f) {
        _cleanup_free_ size_t *widths = calloc(t->n_columns ?: 1, sizeof(size_t));

        if (!widths || t->n_columns == 0)
                return;
        for (size_t i = 0; i < t->n_cells; i++)
                widths[i % t->n_columns] = MAX(widths[i % t->n_columns], strlen(t->cells[i]));
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t col = i % t->n_columns;
                if (col + 1 == t->n_columns)
                        fprintf(f, "%s\n", t->cells[i]);
                else
                        fprintf(f, "%-*s  ", (int) widths[col], t->cells[i]);
        }
}

void hw_table_done(Table *t) {
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i]);
        free(t->cells);
        *t = (Table) {};
}
