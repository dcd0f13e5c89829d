/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IOMMU for PCI device assignment: the firmware's ACPI table (DMAR for Intel
 * VT-d, IVRS for AMD-Vi) and whether the kernel enabled it (IOMMU groups). */

#include <stdio.h>

#include "hwcheck-internal.h"
#include "kernel-cmdline.h"

static int check_iommu_kernel(const Sysroot *s, HwcheckReport *r, bool dmar, bool ivrs) {
        _cleanup_strv_free_ char **groups = NULL;
        int k = hwc_sysroot_list_dir(s, "/sys/kernel/iommu_groups", &groups);
        if (k < 0)
                return k;
        size_t n = 0;
        while (groups[n])
                n++;
        if (n > 0)
                return hwc_report_set(r, "iommu-kernel", HWCHECK_PASS, NULL, "%zu IOMMU group%s in /sys/kernel/iommu_groups",
                                      n, n == 1 ? "" : "s");

        _cleanup_free_ char *cmdline = NULL;
        (void) hwc_sysroot_read_line(s, "/proc/cmdline", &cmdline);
        bool intel = dmar || (!ivrs && streq_ptr(r->cpu_vendor, "GenuineIntel"));
        const char *hint;
        if (intel && kernel_cmdline_value_has(cmdline, "intel_iommu", "off"))
                hint = "The kernel command line has intel_iommu=off: replace it with intel_iommu=on.";
        else if (intel && !kernel_cmdline_value_has(cmdline, "intel_iommu", "on"))
                hint = dmar ? "Add intel_iommu=on to the kernel command line."
                            : "Enable VT-d in the firmware setup, then add intel_iommu=on to the kernel command line.";
        else if (intel)
                hint = "intel_iommu=on is set but the kernel found no IOMMU: enable VT-d in the firmware setup.";
        else if (kernel_cmdline_value_has(cmdline, "amd_iommu", "off") || kernel_cmdline_value_has(cmdline, "iommu", "off"))
                hint = "Remove amd_iommu=off / iommu=off from the kernel command line (AMD-Vi is on by default).";
        else
                hint = "Enable the IOMMU (AMD-Vi) in the firmware setup; the kernel enables it by default.";
        return hwc_report_set(r, "iommu-kernel", HWCHECK_WARN, hint,
                              "no IOMMU groups: the kernel has not enabled an IOMMU (PCI passthrough unavailable)");
}

int hwc_check_iommu(const Sysroot *s, HwcheckReport *r) {
        bool dmar = hwc_sysroot_exists(s, "/sys/firmware/acpi/tables/DMAR");
        bool ivrs = hwc_sysroot_exists(s, "/sys/firmware/acpi/tables/IVRS");
        int k;
        if (dmar || ivrs)
                k = hwc_report_set(r, "iommu-acpi", HWCHECK_PASS, NULL, "ACPI %s table present (%s)", dmar ? "DMAR" : "IVRS",
                                   dmar ? "Intel VT-d" : "AMD-Vi");
        else
                k = hwc_report_set(r, "iommu-acpi", HWCHECK_WARN,
                                   "Enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup to assign PCI devices to VMs.",
                                   "no ACPI DMAR or IVRS table: the IOMMU is disabled in the firmware or not supported");
        if (k < 0)
                return k;
        return check_iommu_kernel(s, r, dmar, ivrs);
}
