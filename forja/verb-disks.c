/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja disks`: the disks of this machine, what they hold, which one is the
 * install medium. */

#include "inventory-internal.h"
#include "inventory-verbs.h"
#include "verb.h"

/* "gpt, sda1: vfat \"EFI\", sda2: LVM2_member", "empty" or "unknown (not readable)". */
static char *disk_holds(const HwDisk *d) {
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return NULL;
        if (d->install_medium)
                fputs("[install medium] ", f);
        if (d->contents_unknown)
                fputs("unknown (not readable)", f);
        else if (!d->pttype && hw_strv_length(d->contents) == 0)
                fputs("empty", f);
        else {
                const char *sep = "";
                if (d->pttype) {
                        fputs(d->pttype, f);
                        sep = ", ";
                }
                for (size_t i = 0; d->contents && d->contents[i]; i++, sep = ", ")
                        fprintf(f, "%s%s", sep, d->contents[i]);
        }
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static int print_table(const Hardware *hw) {
        Table t = { .n_columns = 6 };
        int r = 0;

        r = r ?: hw_table_add(&t, "DEVICE");
        r = r ?: hw_table_add(&t, "SIZE");
        r = r ?: hw_table_add(&t, "MODEL");
        r = r ?: hw_table_add(&t, "SERIAL");
        r = r ?: hw_table_add(&t, "TYPE");
        r = r ?: hw_table_add(&t, "HOLDS");
        for (size_t i = 0; i < hw->n_disks && r >= 0; i++) {
                const HwDisk *d = &hw->disks[i];
                char size[32];
                _cleanup_free_ char *holds = disk_holds(d);

                hw_format_bytes(d->size_bytes, size, sizeof(size));
                r = r ?: holds ? 0 : -ENOMEM;
                r = r ?: hw_table_add(&t, d->path);
                r = r ?: hw_table_add(&t, size);
                r = r ?: hw_table_add(&t, d->model);
                r = r ?: hw_table_add(&t, d->serial);
                r = r ?: hw_table_addf(&t, "%s%s", d->rotational ? "hdd" : "ssd", d->removable ? ",removable" : "");
                r = r ?: hw_table_add(&t, holds);
        }
        if (r >= 0)
                hw_table_print(&t, stdout);
        hw_table_done(&t);
        return r;
}

static int run_disks(int argc, char *argv[]) {
        return inventory_run_list_verb(argc, argv, HW_PROBE_ALL_DISKS, "disks", print_table);
}

const Verb verb_disks = {
        .name = "disks",
        .run = run_disks,
        .summary = "List the disks, their contents and the install medium",
        .usage = "Usage: forja disks [--json] [--all] [--sysroot DIR | --hardware FILE]\n"
                 "\n"
                 "Lists the disks of this machine: device, size, model, serial, type (hdd/ssd,\n"
                 "removable) and what each holds now (partition table, and the filesystem,\n"
                 "LVM, RAID or LUKS signature and label of the disk and of every partition).\n"
                 "The disk holding the running install medium is marked. Disks are opened\n"
                 "read-only; forja disks never writes.\n"
                 "\n"
                 "Options:\n"
                 "  --json             Print {\"disks\": [...]} in forja's hardware JSON format\n"
                 "                     (docs/hardware.md); the output is a valid --hardware file\n"
                 "  --all              Also list loop, device-mapper, md, optical and RAM disks\n"
                 "  --sysroot DIR      Read /sys, /proc, /run and /dev below DIR (tests)\n"
                 "  --hardware FILE    Show the disks of a hardware JSON file instead of probing\n"
                 "\n"
                 "See forja-disks(8).\n",
};
