/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Firmware (BIOS/UEFI, Secure Boot), memory, CPU, DMI, the kernel command
 * line and the DHCP lease the installer environment wrote. */

#include <ctype.h>
#include <sys/stat.h>

#include "inventory-internal.h"

#define SECURE_BOOT_VAR "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

static bool probe_exists(const ProbeContext *c, const char *path) {
        _cleanup_free_ char *p = probe_path(c, path);
        struct stat st;
        return p && stat(p, &st) == 0;
}

/* The first TPM: its major version (sysfs tpm_version_major); a TPM
 * without that attribute is counted as 1.2, never usable for TPM2 unlock. */
static void probe_tpm(const ProbeContext *c, Hardware *hw) {
        _cleanup_free_ char *data = NULL;

        if (!probe_exists(c, "/sys/class/tpm/tpm0"))
                return;
        hw->tpm_version = 1;
        if (probe_read_file(c, "/sys/class/tpm/tpm0/tpm_version_major", &data, NULL) >= 0 && atoi(data) == 2)
                hw->tpm_version = 2;
}

static int probe_firmware(const ProbeContext *c, Hardware *hw) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;

        probe_tpm(c, hw);
        hw->uefi = probe_exists(c, "/sys/firmware/efi");
        if (!hw->uefi)
                return 0;
        /* efivarfs: 4 bytes of attributes, then the variable; SecureBoot is one byte. */
        if (probe_read_file(c, SECURE_BOOT_VAR, &data, &size) >= 0 && size >= 5)
                hw->secure_boot = data[4] == 1;
        return 0;
}

static int probe_memory(const ProbeContext *c, Hardware *hw) {
        _cleanup_free_ char *data = NULL;
        int r;

        r = probe_read_file(c, "/proc/meminfo", &data, NULL);
        if (r < 0) {
                probe_warn(c, "Cannot read /proc/meminfo: %s", strerror(-r));
                return r == -ENOMEM ? r : 0;
        }
        for (char *line = data; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                unsigned long long kib;
                if (sscanf(line, "MemTotal: %llu kB", &kib) == 1) {
                        hw->memory_bytes = (uint64_t) kib * 1024;
                        break;
                }
        }
        return 0;
}

/* "key\t: value" → value, or NULL when line is not about key. */
static const char *cpuinfo_value(const char *line, const char *key) {
        const char *p = startswith(line, key);
        if (!p)
                return NULL;
        while (*p == ' ' || *p == '\t')
                p++;
        if (*p != ':')
                return NULL;
        p++;
        while (*p == ' ')
                p++;
        return p;
}

static bool has_word(const char *list, const char *word) {
        size_t l = strlen(word);
        for (const char *p = list; (p = strstr(p, word)); p += l)
                if ((p == list || p[-1] == ' ') && (p[l] == 0 || p[l] == ' '))
                        return true;
        return false;
}

static int probe_cpu(const ProbeContext *c, Hardware *hw) {
        _cleanup_free_ char *data = NULL;
        bool have_flags = false;
        int r;

        r = probe_read_file(c, "/proc/cpuinfo", &data, NULL);
        if (r < 0) {
                probe_warn(c, "Cannot read /proc/cpuinfo: %s", strerror(-r));
                return r == -ENOMEM ? r : 0;
        }
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *v;
                if (cpuinfo_value(line, "processor"))
                        hw->cpu.threads++;
                else if (!hw->cpu.vendor && (v = cpuinfo_value(line, "vendor_id"))) {
                        if (!(hw->cpu.vendor = strdup(v)))
                                return -ENOMEM;
                } else if (!hw->cpu.model && (v = cpuinfo_value(line, "model name"))) {
                        if (!(hw->cpu.model = strdup(v)))
                                return -ENOMEM;
                } else if (!have_flags && (v = cpuinfo_value(line, "flags"))) {
                        /* "lm" (long mode): the CPU runs x86-64 code. */
                        hw->cpu.x86_64 = has_word(v, "lm");
                        have_flags = true;
                }
        }
        return 0;
}

static int probe_dmi(const ProbeContext *c, Hardware *hw) {
        static const struct {
                const char *file;
                size_t offset;
        } attrs[] = {
                { "sys_vendor", offsetof(HwDmi, system_vendor) },
                { "product_name", offsetof(HwDmi, system_product) },
                { "product_serial", offsetof(HwDmi, system_serial) },
                { "product_uuid", offsetof(HwDmi, system_uuid) },
        };

        for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
                _cleanup_free_ char *path = NULL;
                char *v = NULL;
                if (asprintf(&path, "/sys/class/dmi/id/%s", attrs[i].file) < 0)
                        return -ENOMEM;
                /* product_serial and product_uuid are readable by root only. */
                if (probe_read_line(c, path, &v) < 0)
                        continue;
                if (!*v) {
                        free(v);
                        continue;
                }
                *(char **) ((char *) &hw->dmi + attrs[i].offset) = v;
        }
        return 0;
}

static int probe_cmdline(const ProbeContext *c, Hardware *hw) {
        char *v = NULL;
        if (probe_read_line(c, "/proc/cmdline", &v) < 0)
                return 0;
        hw->kernel_cmdline = v;
        return 0;
}

static int probe_dhcp(const ProbeContext *c, Hardware *hw) {
        _cleanup_free_ char *path = probe_path(c, HW_DHCP_LEASE_PATH), *err = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        if (access(path, F_OK) < 0)
                return 0;       /* no lease: DHCP data unknown */
        r = hw_dhcp_load_lease(path, &hw->dhcp, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                probe_warn(c, "Ignoring the DHCP lease: %s", err ?: strerror(-r));
        return 0;
}

int probe_system(const ProbeContext *c, Hardware *hw) {
        int (*const steps[])(const ProbeContext *, Hardware *) = {
                probe_firmware, probe_memory, probe_cpu, probe_dmi, probe_cmdline, probe_dhcp,
        };
        for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
                int r = steps[i](c, hw);
                if (r < 0)
                        return r;
        }
        return 0;
}
