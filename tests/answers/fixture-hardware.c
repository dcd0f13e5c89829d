/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints forja's hardware JSON for the Proxmox fixture machine (10 disks,
 * 9 NICs), optionally changed, for the CLI tests of answer validate, plan and
 * device-match:
 *   fixture-hardware [--run-env FILE] [--medium DISK] [--size DISK=BYTES]
 *                    [--sector-size DISK=BYTES] (logical and physical: 4096 for a 4Kn disk)
 *                    [--no-dhcp-hostname] [--no-lease] [--no-router] [--blank] [--bios]
 *                    [--tpm VERSION]
 * (--no-router: a lease without a router option, as QEMU's restricted user
 * network gives) */

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "json-out.h"
#include "pve-fixture.h"

static HwDisk *find(Hardware *hw, const char *name) {
        for (size_t i = 0; i < hw->n_disks; i++)
                if (streq(hw->disks[i].name, name))
                        return &hw->disks[i];
        fprintf(stderr, "no disk %s\n", name);
        exit(2);
}

int main(int argc, char *argv[]) {
        const char *anchors = getenv("FORJA_ANCHORS");
        char resources[4096], env[8192];
        Hardware *hw = NULL;

        snprintf(resources, sizeof(resources), "%s/proxmox-auto-installer/tests/resources", anchors ?: "");
        snprintf(env, sizeof(env), "%s/run-env-info.json", resources);
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--run-env") && i + 1 < argc)
                        snprintf(env, sizeof(env), "%s", argv[++i]);
        if (pve_fixture_hardware(resources, env, &hw) < 0) {
                fprintf(stderr, "cannot read the fixture environment in %s\n", resources);
                return 77;
        }
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--run-env"))
                        i++;
                else if (streq(argv[i], "--medium") && i + 1 < argc)
                        find(hw, argv[++i])->install_medium = true;
                else if (streq(argv[i], "--size") && i + 1 < argc) {
                        char *eq = strchr(argv[++i], '=');
                        if (!eq)
                                return 2;
                        *eq = 0;
                        find(hw, argv[i])->size_bytes = strtoull(eq + 1, NULL, 10);
                } else if (streq(argv[i], "--sector-size") && i + 1 < argc) {
                        char *eq = strchr(argv[++i], '=');
                        if (!eq)
                                return 2;
                        *eq = 0;
                        HwDisk *d = find(hw, argv[i]);
                        d->logical_sector_size = d->physical_sector_size = (uint32_t) strtoul(eq + 1, NULL, 10);
                } else if (streq(argv[i], "--no-dhcp-hostname")) {
                        free(hw->dhcp.hostname);
                        hw->dhcp.hostname = NULL;
                } else if (streq(argv[i], "--no-lease")) {
                        free(hw->dhcp.nic);
                        free(hw->dhcp.address);
                        hw->dhcp.nic = hw->dhcp.address = NULL;
                } else if (streq(argv[i], "--no-router")) {
                        free(hw->dhcp.gateway);
                        hw->dhcp.gateway = NULL;
                } else if (streq(argv[i], "--blank"))
                        for (size_t k = 0; k < hw->n_disks; k++) {
                                free(hw->disks[k].pttype);
                                hw->disks[k].pttype = NULL;
                                strv_free(hw->disks[k].contents);
                                hw->disks[k].contents = calloc(1, sizeof(char *));
                        }
                else if (streq(argv[i], "--bios"))
                        hw->uefi = false;
                else if (streq(argv[i], "--tpm") && i + 1 < argc)
                        hw->tpm_version = atoi(argv[++i]);
                else {
                        fprintf(stderr, "unknown option %s\n", argv[i]);
                        return 2;
                }
        }
        _cleanup_json_ json_object *o = hardware_to_json(hw);
        hardware_free(hw);
        if (!o)
                return 1;
        return json_print(stdout, o) < 0 ? 1 : 0;
}
