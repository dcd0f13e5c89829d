/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja nics`: the network interfaces of this machine. */

#include "inventory-internal.h"
#include "inventory-verbs.h"
#include "verb.h"

static int print_table(const Hardware *hw) {
        Table t = { .n_columns = 4 };
        int r = 0;

        r = r ?: hw_table_add(&t, "NAME");
        r = r ?: hw_table_add(&t, "MAC");
        r = r ?: hw_table_add(&t, "DRIVER");
        r = r ?: hw_table_add(&t, "LINK");
        for (size_t i = 0; i < hw->n_nics && r >= 0; i++) {
                const HwNic *n = &hw->nics[i];
                r = r ?: hw_table_add(&t, n->name);
                r = r ?: hw_table_add(&t, n->mac);
                r = r ?: hw_table_add(&t, n->driver);
                r = r ?: hw_table_add(&t, n->link ? "up" : "down");
        }
        if (r >= 0)
                hw_table_print(&t, stdout);
        hw_table_done(&t);
        return r;
}

static int run_nics(int argc, char *argv[]) {
        return inventory_run_list_verb(argc, argv, HW_PROBE_ALL_NICS, "nics", print_table);
}

const Verb verb_nics = {
        .name = "nics",
        .run = run_nics,
        .summary = "List the network interfaces",
        .usage = "Usage: forja nics [--json] [--all] [--sysroot DIR | --hardware FILE]\n"
                 "\n"
                 "Lists the network interfaces of this machine: name, MAC address, driver and\n"
                 "link (carrier) state. lo and virtual interfaces (bridges, bonds, tun/tap,\n"
                 "veth: no device behind them) are left out unless --all is given.\n"
                 "\n"
                 "Options:\n"
                 "  --json             Print {\"nics\": [...]} in forja's hardware JSON format\n"
                 "  --all              Also list lo and virtual interfaces\n"
                 "  --sysroot DIR      Read /sys, /proc and /run below DIR (tests)\n"
                 "  --hardware FILE    Show the NICs of a hardware JSON file instead of probing\n"
                 "\n"
                 "See forja-disks(8).\n",
};
