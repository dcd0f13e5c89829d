/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs every check against the live system or a fixture tree. */

#include <sys/stat.h>

#include "hwcheck-internal.h"

static int sysroot_open(const char *sysroot, Sysroot *ret) {
        if (!sysroot || streq(sysroot, "/") || !*sysroot) {
                *ret = (Sysroot) { .root = "", .live = true };
                return 0;
        }
        struct stat st;
        if (stat(sysroot, &st) < 0)
                return negative_errno();
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        *ret = (Sysroot) { .root = sysroot, .live = false };
        return 0;
}

static void set_error(char **ret_error, const char *sysroot, int r) {
        if (ret_error && !*ret_error && asprintf(ret_error, "%s: %s", sysroot, strerror(-r)) < 0)
                *ret_error = NULL;
}

int hwcheck_run_full(const char *sysroot, HwcheckReport **ret, char **ret_error) {
        Sysroot s;
        if (ret_error)
                *ret_error = NULL;
        int k = sysroot_open(sysroot, &s);
        if (k < 0) {
                set_error(ret_error, sysroot, k);
                return k;
        }
        HwcheckReport *r = hwc_report_new(s.live ? NULL : sysroot);
        if (!r)
                return -ENOMEM;
        _cleanup_(hwcheck_report_freep) HwcheckReport *report = r;

        if ((k = hwc_check_cpu(&s, report, ret_error)) < 0 || (k = hwc_check_devices(&s, report)) < 0 ||
                (k = hwc_check_iommu(&s, report)) < 0 || (k = hwc_check_cgroups(&s, report)) < 0 ||
                (k = hwc_check_machine(&s, report)) < 0)
                return k;
        for (size_t i = 0; i < report->n_results; i++)
                if (report->results[i].status >= _HWCHECK_STATUS_MAX)
                        return -EUCLEAN;        /* a check id with no code behind it */
        *ret = TAKE_PTR(report);
        return 0;
}

int hwcheck_run(const char *sysroot, HwcheckReport **ret) {
        return hwcheck_run_full(sysroot, ret, NULL);
}

int hwcheck_cpu_virt_verdict(const char *sysroot, const char **ret_verdict_id) {
        Sysroot s;
        int k = sysroot_open(sysroot, &s);
        if (k < 0)
                return k;
        _cleanup_(hwcheck_report_freep) HwcheckReport *report = hwc_report_new(NULL);
        if (!report)
                return -ENOMEM;
        CpuFacts f;
        k = hwc_cpu_facts_gather(&s, report, &f, NULL);
        if (k < 0)
                return k;
        *ret_verdict_id = report->cpu_verdict;
        return 0;
}
