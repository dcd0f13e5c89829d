/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine around the CPU: memory, a disk to install on, a NIC with link,
 * firmware mode and Secure Boot. */

#include <inttypes.h>
#include <stdio.h>

#include "fileio.h"
#include "hwcheck-internal.h"

/* MemTotal is below the installed RAM (the kernel keeps some), so a 1 GiB
 * machine reports ~980 MiB: fail only below 896 MiB, warn below 1.9 GiB. */
#define MEMORY_FAIL_KIB (UINT64_C(896) * 1024)
#define MEMORY_WARN_KIB (UINT64_C(19) * 1024 * 1024 / 10)
#define DISK_MIN_BYTES (UINT64_C(8) << 30)

#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"

static int check_memory(const Sysroot *s, HwcheckReport *r) {
        _cleanup_free_ char *meminfo = NULL, *total = NULL;
        int k = hwc_sysroot_read(s, "/proc/meminfo", &meminfo);
        if (k == -ENOMEM)
                return k;
        uint64_t kib;
        if (k < 0 || hwc_proc_field(meminfo, "MemTotal", &total) < 0 || sscanf(total, "%" SCNu64, &kib) != 1)
                return hwc_report_set(r, "memory", HWCHECK_WARN, NULL, "cannot read MemTotal from /proc/meminfo");
        _cleanup_free_ char *human = hwc_format_bytes(kib * 1024);
        if (!human)
                return -ENOMEM;
        if (kib < MEMORY_FAIL_KIB)
                return hwc_report_set(r, "memory", HWCHECK_FAIL, "Add memory: the node needs at least 1 GiB of RAM, 2 GiB or more to run guests.",
                                      "%s of memory (MemTotal %" PRIu64 " kB), below the minimum of 896 MiB", human, kib);
        if (kib < MEMORY_WARN_KIB)
                return hwc_report_set(r, "memory", HWCHECK_WARN, "Enough to install; add memory to run more than a few small guests.",
                                      "%s of memory (MemTotal %" PRIu64 " kB), below the recommended 1.9 GiB", human, kib);
        return hwc_report_set(r, "memory", HWCHECK_PASS, NULL, "%s of memory", human);
}

static int read_u64(const Sysroot *s, const char *path, uint64_t *ret) {
        _cleanup_free_ char *line = NULL;
        int k = hwc_sysroot_read_line(s, path, &line);
        if (k < 0)
                return k;
        return sscanf(line, "%" SCNu64, ret) == 1 ? 0 : -EINVAL;
}

static int check_disk(const Sysroot *s, HwcheckReport *r) {
        _cleanup_strv_free_ char **names = NULL;
        int k = hwc_sysroot_list_dir(s, "/sys/block", &names);
        if (k < 0)
                return k;
        _cleanup_free_ char *seen = NULL;
        const char *best = NULL;
        uint64_t best_size = 0;
        for (char **n = names; *n; n++) {
                char path[512];
                uint64_t sectors, removable = 0;
                /* loop, zram, dm-*, md* have no device: they are not disks to install on. */
                snprintf(path, sizeof(path), "/sys/block/%s/device", *n);
                if (!hwc_sysroot_exists(s, path))
                        continue;
                snprintf(path, sizeof(path), "/sys/block/%s/removable", *n);
                (void) read_u64(s, path, &removable);
                snprintf(path, sizeof(path), "/sys/block/%s/size", *n);
                if (removable || read_u64(s, path, &sectors) < 0)
                        continue;
                _cleanup_free_ char *human = hwc_format_bytes(sectors * 512);
                if (!human || strextendf_with_separator(&seen, ", ", "%s %s", *n, human) < 0)
                        return -ENOMEM;
                if (sectors * 512 > best_size) {
                        best_size = sectors * 512;
                        best = *n;
                }
        }
        if (best_size >= DISK_MIN_BYTES) {
                _cleanup_free_ char *human = hwc_format_bytes(best_size);
                if (!human)
                        return -ENOMEM;
                return hwc_report_set(r, "disk", HWCHECK_PASS, NULL, "%s: %s (disks: %s)", best, human, seen);
        }
        return hwc_report_set(r, "disk", HWCHECK_FAIL, "Attach a disk of at least 8 GiB to install on.",
                              "no disk of at least 8 GiB (disks: %s)", seen ?: "none");
}

static int check_nic(const Sysroot *s, HwcheckReport *r) {
        _cleanup_strv_free_ char **names = NULL;
        int k = hwc_sysroot_list_dir(s, "/sys/class/net", &names);
        if (k < 0)
                return k;
        _cleanup_free_ char *down = NULL;
        for (char **n = names; *n; n++) {
                char path[512];
                uint64_t carrier = 0;
                /* Only physical NICs: lo, bridges, bonds and veths have no device. */
                snprintf(path, sizeof(path), "/sys/class/net/%s/device", *n);
                if (!hwc_sysroot_exists(s, path))
                        continue;
                snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", *n);
                /* carrier is unreadable (EINVAL) while the interface is down. */
                (void) read_u64(s, path, &carrier);
                if (carrier == 1)
                        return hwc_report_set(r, "nic-link", HWCHECK_PASS, NULL, "%s has link", *n);
                if (strextendf_with_separator(&down, ", ", "%s", *n) < 0)
                        return -ENOMEM;
        }
        if (!down)
                return hwc_report_set(r, "nic-link", HWCHECK_WARN, "Add a network card: a node needs one to join a cluster and serve guests.",
                                      "no physical network interface found");
        return hwc_report_set(r, "nic-link", HWCHECK_WARN, "Connect a network cable (or check the switch port).",
                              "no network interface has link (without link: %s)", down);
}

static int check_firmware(const Sysroot *s, HwcheckReport *r) {
        bool uefi = hwc_sysroot_is_dir(s, "/sys/firmware/efi");
        int k = hwc_report_set(r, "firmware", HWCHECK_INFO, NULL, "%s", uefi ? "UEFI" : "BIOS (legacy boot)");
        if (k < 0 || !uefi) {
                if (k >= 0)
                        k = hwc_report_set(r, "secure-boot", HWCHECK_INFO, NULL, "not available (BIOS firmware)");
                return k;
        }
        _cleanup_free_ char *p = hwc_sysroot_path(s, "/sys/firmware/efi/efivars/SecureBoot-" EFI_GLOBAL_GUID), *data = NULL;
        if (!p)
                return -ENOMEM;
        size_t size = 0;
        /* efivarfs: 4 bytes of attributes, then the value (1 byte). */
        k = read_full_file(p, 64, &data, &size);
        if (k == -ENOMEM)
                return k;
        if (k < 0 || size < 5)
                return hwc_report_set(r, "secure-boot", HWCHECK_INFO, NULL, "unknown (no SecureBoot EFI variable)");
        return hwc_report_set(r, "secure-boot", HWCHECK_INFO, NULL, "%s", data[4] == 1 ? "enabled" : "disabled");
}

int hwc_check_machine(const Sysroot *s, HwcheckReport *r) {
        int k;
        if ((k = check_memory(s, r)) < 0 || (k = check_disk(s, r)) < 0 || (k = check_nic(s, r)) < 0)
                return k;
        return check_firmware(s, r);
}
