/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja system-info`: the whole hardware inventory, as a summary or as the
 * hardware JSON that `--hardware H.json` takes everywhere. */

#include "hwcheck.h"
#include "inventory-internal.h"
#include "inventory-verbs.h"
#include "json-out.h"
#include "log.h"
#include "verb.h"

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"

static void print_line(const char *label, const char *value) {
        printf("%-15s %s\n", label, value && *value ? value : "-");
}

static void print_summary(const Hardware *hw) {
        char buf[64];

        printf("%-15s %s%s\n", "Firmware:", hw->uefi ? "UEFI" : "BIOS",
               hw->uefi ? (hw->secure_boot ? ", Secure Boot on" : ", Secure Boot off") : "");
        printf("%-15s %s, %s, %u threads%s\n", "CPU:", hw->cpu.vendor ?: "unknown vendor",
               hw->cpu.model ?: "unknown model", hw->cpu.threads, hw->cpu.x86_64 ? ", x86-64" : "");
        print_line("Virtualization:", hw->cpu.virt_verdict ?: "unknown");
        hw_format_bytes(hw->memory_bytes, buf, sizeof(buf));
        print_line("Memory:", buf);
        printf("%-15s %s %s", "System:", hw->dmi.system_vendor ?: "-", hw->dmi.system_product ?: "-");
        if (hw->dmi.system_serial)
                printf(", serial %s", hw->dmi.system_serial);
        if (hw->dmi.system_uuid)
                printf(", uuid %s", hw->dmi.system_uuid);
        putchar('\n');
        for (size_t i = 0; i < hw->n_disks; i++) {
                const HwDisk *d = &hw->disks[i];
                hw_format_bytes(d->size_bytes, buf, sizeof(buf));
                printf("%-15s %s %s %s%s\n", i == 0 ? "Disks:" : "", d->path, buf, d->model ?: "",
                       d->install_medium ? " [install medium]" : "");
        }
        if (hw->n_disks == 0)
                print_line("Disks:", "none");
        for (size_t i = 0; i < hw->n_nics; i++) {
                const HwNic *n = &hw->nics[i];
                printf("%-15s %s %s %s link %s\n", i == 0 ? "NICs:" : "", n->name, n->mac ?: "-", n->driver ?: "-",
                       n->link ? "up" : "down");
        }
        if (hw->n_nics == 0)
                print_line("NICs:", "none");
        if (hw->dhcp.nic || hw->dhcp.address) {
                printf("%-15s %s %s", "DHCP:", hw->dhcp.nic ?: "-", hw->dhcp.address ?: "-");
                if (hw->dhcp.gateway)
                        printf(" via %s", hw->dhcp.gateway);
                for (size_t i = 0; hw->dhcp.dns && hw->dhcp.dns[i]; i++)
                        printf("%s%s", i == 0 ? ", dns " : " ", hw->dhcp.dns[i]);
                if (hw->dhcp.hostname)
                        printf(", hostname %s", hw->dhcp.hostname);
                if (hw->dhcp.domain)
                        printf(", domain %s", hw->dhcp.domain);
                putchar('\n');
        } else
                print_line("DHCP:", "unknown (no lease)");
        print_line("Kernel cmdline:", hw->kernel_cmdline);
}

/* The probe leaves the CPU virtualization verdict to the hardware check; a
 * loaded file keeps the verdict it has. */
static void fill_virt_verdict(const InventoryArgs *args, Hardware *hw) {
        const char *id = NULL;
        int r;

        if (args->hardware || hw->cpu.virt_verdict)
                return;
        r = hwcheck_cpu_virt_verdict(args->sysroot, &id);
        if (r < 0) {
                log_warning_errno(r, "CPU virtualization verdict unknown: %m");
                return;
        }
        hw->cpu.virt_verdict = strdup(id);
        if (!hw->cpu.virt_verdict)
                log_oom();
}

static int run_system_info(int argc, char *argv[]) {
        _cleanup_hardware_ Hardware *hw = NULL;
        InventoryArgs args;
        int r;

        if (inventory_parse_argv(argc, argv, false, &args) < 0)
                return EXIT_BAD_INPUT;
        r = inventory_get(&args, 0, &hw);
        if (r != EXIT_OK)
                return r;
        fill_virt_verdict(&args, hw);

        if (!args.json) {
                print_summary(hw);
                return EXIT_OK;
        }
        _cleanup_json_ json_object *o = hardware_to_json(hw);
        if (!o || json_print(stdout, o) < 0)
                return log_error_errno(ENOMEM, "Failed to print the hardware JSON: %m"), EXIT_JOB_FAILED;
        return EXIT_OK;
}

const Verb verb_system_info = {
        .name = "system-info",
        .run = run_system_info,
        .summary = "Show the hardware inventory (the --hardware JSON)",
        .usage = "Usage: forja system-info [--json] [--sysroot DIR | --hardware FILE]\n"
                 "\n"
                 "Shows what the installer knows about this machine: firmware (BIOS/UEFI,\n"
                 "Secure Boot), CPU and its virtualization verdict, memory, DMI, disks, network\n"
                 "interfaces, the DHCP lease and the kernel command line.\n"
                 "\n"
                 "Options:\n"
                 "  --json             Print the complete hardware JSON (docs/hardware.md):\n"
                 "                     'forja system-info --json > h.json' makes a file that\n"
                 "                     every --hardware option takes\n"
                 "  --sysroot DIR      Read /sys, /proc, /run and /dev below DIR (tests)\n"
                 "  --hardware FILE    Check and show a hardware JSON file instead of probing\n"
                 "\n"
                 "See forja-disks(8).\n",
};
