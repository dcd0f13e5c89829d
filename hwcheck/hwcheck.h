/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* hwcheck: can this machine host KVM virtual machines and LXC containers, and
 * if not, exactly why. Runs the checks of `forja check` (CPU virtualization
 * with a firmware-aware verdict, /dev/kvm, vhost-net, tun, IOMMU, cgroups,
 * namespaces, FUSE, kernel, memory, disk, NIC link, firmware) against the live
 * system or against a fixture tree (docs/hwcheck-fixtures.md). The installer
 * runs the same checks first and may waive failing ones by id. */

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

typedef enum HwcheckStatus {
        HWCHECK_PASS,
        HWCHECK_INFO,
        HWCHECK_WARN,
        HWCHECK_FAIL,
        _HWCHECK_STATUS_MAX,
} HwcheckStatus;

/* CPU virtualization verdict ids (HwCpu.virt_verdict in inventory/hardware.h). */
#define HWCHECK_VERDICT_USABLE "usable"
#define HWCHECK_VERDICT_DISABLED_BY_FIRMWARE "disabled-by-firmware"
#define HWCHECK_VERDICT_MODULE_NOT_LOADED "module-not-loaded"
#define HWCHECK_VERDICT_ABSENT "absent"
#define HWCHECK_VERDICT_GUEST_WITHOUT_NESTED "guest-without-nested"

typedef struct HwcheckResult {
        const char *id;         /* stable id, e.g. "cpu-virt" (static string) */
        const char *title;      /* "Checking for ..." (static string) */
        HwcheckStatus status;
        char *message;          /* what was found */
        char *hint;             /* what to do about it, or NULL */
        bool waived;            /* a failure the caller chose to accept */
} HwcheckResult;

typedef struct HwcheckEvidence {
        const char *source;     /* "cpuid", "cpuinfo", "msr", "kernel-log", "kvm" (static) */
        char *text;
} HwcheckEvidence;

typedef struct HwcheckReport {
        char *sysroot;                  /* NULL for the live system */
        HwcheckResult *results;         /* in the documented order, every id once */
        size_t n_results;
        char *cpu_vendor;               /* CPUID vendor: "GenuineIntel", "AuthenticAMD", ... or NULL */
        const char *cpu_verdict;        /* one of HWCHECK_VERDICT_* (static) */
        const char *cpu_decided_by;     /* the evidence source that decided it: "cpuid", "cpuinfo",
                                         * "msr", "kernel-log" or "kvm" (static) */
        char *hypervisor;               /* CPUID 0x40000000 signature in a guest, or NULL */
        HwcheckEvidence *evidence;      /* what the CPU verdict is based on */
        size_t n_evidence;
} HwcheckReport;

/* Runs every check. sysroot NULL (or "/") checks the live system, loading the
 * msr/cpuid modules when that is possible; otherwise reads the fixture tree.
 * Returns -ENOENT/-ENOTDIR for a bad sysroot, -EINVAL for a malformed fixture
 * file (*ret_error, when non-NULL, gets "path:line: reason"), -ENOMEM. A
 * failing check is not an error: see hwcheck_report_ok(). */
int hwcheck_run_full(const char *sysroot, HwcheckReport **ret, char **ret_error);
int hwcheck_run(const char *sysroot, HwcheckReport **ret);
void hwcheck_report_free(HwcheckReport *r);
static inline void hwcheck_report_freep(HwcheckReport **r) {
        hwcheck_report_free(*r);
}

/* Only the CPU virtualization verdict (one of HWCHECK_VERDICT_*, static). */
int hwcheck_cpu_virt_verdict(const char *sysroot, const char **ret_verdict_id);

/* Marks the failing checks named in ids (NULL-terminated) as waived. Every id
 * must be a known check id (hwcheck_id_is_known), else -EINVAL and nothing
 * changes; *ret_bad_id (when non-NULL) points at the offending entry. */
int hwcheck_report_waive(HwcheckReport *r, char *const *ids, const char **ret_bad_id);

/* True when no check failed (waived failures do not count): the machine can
 * host VMs and containers. `forja check` exits 0 exactly then. */
bool hwcheck_report_ok(const HwcheckReport *r);
size_t hwcheck_report_count(const HwcheckReport *r, HwcheckStatus status, bool waived);
const HwcheckResult *hwcheck_report_find(const HwcheckReport *r, const char *id);

bool hwcheck_id_is_known(const char *id);
/* Every check id in report order, NULL-terminated (static). */
const char *const *hwcheck_ids(void);

const char *hwcheck_status_to_string(HwcheckStatus s);   /* "pass", "info", "warn", "fail" */

/* The JSON document of `forja check --json` (schema in forja-check(8)). */
json_object *hwcheck_report_to_json(const HwcheckReport *r);
