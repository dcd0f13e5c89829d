/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The check report: the table of stable check ids, filling slots, waivers and
 * the JSON document of `forja check --json`. */

#include <stdarg.h>
#include <stdio.h>

#include "hwcheck-internal.h"
#include "json-out.h"

/* Report order. Ids are a stable interface (answer files waive them by id):
 * add new ones, never rename. */
static const struct {
        const char *id;
        const char *title;
} check_table[] = {
        { "cpu-64bit", "Checking for a 64-bit CPU" },
        { "cpu-virt", "Checking for hardware virtualization" },
        { "kvm-device", "Checking if device /dev/kvm exists and is accessible" },
        { "vhost-net", "Checking if device /dev/vhost-net exists" },
        { "tun", "Checking if device /dev/net/tun exists" },
        { "iommu-acpi", "Checking for device assignment IOMMU support" },
        { "iommu-kernel", "Checking if IOMMU is enabled by kernel" },
        { "cgroup-cpu", "Checking for cgroup 'cpu' controller support" },
        { "cgroup-cpuacct", "Checking for cgroup 'cpuacct' controller support" },
        { "cgroup-cpuset", "Checking for cgroup 'cpuset' controller support" },
        { "cgroup-memory", "Checking for cgroup 'memory' controller support" },
        { "cgroup-devices", "Checking for cgroup 'devices' controller support" },
        { "cgroup-freezer", "Checking for cgroup 'freezer' controller support" },
        { "cgroup-blkio", "Checking for cgroup 'blkio' controller support" },
        { "cgroup-pids", "Checking for cgroup 'pids' controller support" },
        { "namespace-ipc", "Checking for IPC namespace support" },
        { "namespace-mnt", "Checking for mount namespace support" },
        { "namespace-pid", "Checking for PID namespace support" },
        { "namespace-uts", "Checking for UTS namespace support" },
        { "namespace-net", "Checking for network namespace support" },
        { "namespace-user", "Checking for user namespace support" },
        { "fuse", "Checking for FUSE filesystem support" },
        { "kernel-version", "Checking for Linux >= 2.6.26" },
        { "memory", "Checking for enough memory" },
        { "disk", "Checking for a disk of at least 8 GiB" },
        { "nic-link", "Checking for a network interface with link" },
        { "firmware", "Checking firmware mode" },
        { "secure-boot", "Checking Secure Boot state" },
};

static const char *const *ids_cache(void) {
        static const char *ids[ELEMENTSOF(check_table) + 1];
        if (!ids[0])
                for (size_t i = 0; i < ELEMENTSOF(check_table); i++)
                        ids[i] = check_table[i].id;
        return ids;
}

const char *const *hwcheck_ids(void) {
        return ids_cache();
}

static ssize_t check_index(const char *id) {
        for (size_t i = 0; i < ELEMENTSOF(check_table); i++)
                if (streq(check_table[i].id, id))
                        return (ssize_t) i;
        return -1;
}

bool hwcheck_id_is_known(const char *id) {
        return id && check_index(id) >= 0;
}

const char *hwcheck_status_to_string(HwcheckStatus s) {
        static const char *const names[_HWCHECK_STATUS_MAX] = {
                [HWCHECK_PASS] = "pass",
                [HWCHECK_INFO] = "info",
                [HWCHECK_WARN] = "warn",
                [HWCHECK_FAIL] = "fail",
        };
        return s < _HWCHECK_STATUS_MAX ? names[s] : NULL;
}

HwcheckReport *hwc_report_new(const char *sysroot) {
        HwcheckReport *r = calloc(1, sizeof(*r));
        if (!r)
                return NULL;
        r->results = calloc(ELEMENTSOF(check_table), sizeof(HwcheckResult));
        if (!r->results || (sysroot && !(r->sysroot = strdup(sysroot)))) {
                hwcheck_report_free(r);
                return NULL;
        }
        r->n_results = ELEMENTSOF(check_table);
        for (size_t i = 0; i < r->n_results; i++) {
                r->results[i].id = check_table[i].id;
                r->results[i].title = check_table[i].title;
                r->results[i].status = _HWCHECK_STATUS_MAX;   /* not run yet */
        }
        return r;
}

void hwcheck_report_free(HwcheckReport *r) {
        if (!r)
                return;
        for (size_t i = 0; i < r->n_results; i++) {
                free(r->results[i].message);
                free(r->results[i].hint);
        }
        for (size_t i = 0; i < r->n_evidence; i++)
                free(r->evidence[i].text);
        free(r->results);
        free(r->evidence);
        free(r->hypervisor);
        free(r->cpu_vendor);
        free(r->sysroot);
        free(r);
}

int hwc_report_set(HwcheckReport *r, const char *id, HwcheckStatus status, const char *hint,
                   const char *format, ...) {
        ssize_t i = check_index(id);
        if (i < 0)
                return -EINVAL;
        HwcheckResult *res = &r->results[i];
        char *message = NULL, *h = NULL;
        va_list ap;
        va_start(ap, format);
        int k = vasprintf(&message, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        if (hint && !(h = strdup(hint))) {
                free(message);
                return -ENOMEM;
        }
        free(res->message);
        free(res->hint);
        res->message = message;
        res->hint = h;
        res->status = status;
        return 0;
}

int hwc_report_add_evidence(HwcheckReport *r, const char *source, const char *format, ...) {
        HwcheckEvidence *n = realloc(r->evidence, (r->n_evidence + 1) * sizeof(HwcheckEvidence));
        if (!n)
                return -ENOMEM;
        r->evidence = n;
        va_list ap;
        va_start(ap, format);
        int k = vasprintf(&n[r->n_evidence].text, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        n[r->n_evidence++].source = source;
        return 0;
}

int hwcheck_report_waive(HwcheckReport *r, char *const *ids, const char **ret_bad_id) {
        for (char *const *i = ids; i && *i; i++)
                if (!hwcheck_id_is_known(*i)) {
                        if (ret_bad_id)
                                *ret_bad_id = *i;
                        return -EINVAL;
                }
        for (char *const *i = ids; i && *i; i++) {
                HwcheckResult *res = &r->results[check_index(*i)];
                if (res->status == HWCHECK_FAIL)
                        res->waived = true;
        }
        return 0;
}

size_t hwcheck_report_count(const HwcheckReport *r, HwcheckStatus status, bool waived) {
        size_t n = 0;
        for (size_t i = 0; i < r->n_results; i++)
                if (r->results[i].status == status && r->results[i].waived == waived)
                        n++;
        return n;
}

bool hwcheck_report_ok(const HwcheckReport *r) {
        return hwcheck_report_count(r, HWCHECK_FAIL, false) == 0;
}

const HwcheckResult *hwcheck_report_find(const HwcheckReport *r, const char *id) {
        ssize_t i = check_index(id);
        return i < 0 ? NULL : &r->results[i];
}

json_object *hwcheck_report_to_json(const HwcheckReport *r) {
        json_object *root = json_object_new_object(), *cpu = json_object_new_object(),
                    *evidence = json_object_new_array(), *checks = json_object_new_array(),
                    *summary = json_object_new_object();
        bool ok = root && cpu && evidence && checks && summary;

        for (size_t i = 0; ok && i < r->n_evidence; i++) {
                json_object *e = json_object_new_object();
                ok = e && json_add_string(e, "source", r->evidence[i].source) >= 0 &&
                     json_add_string(e, "text", r->evidence[i].text) >= 0 &&
                     json_object_array_add(evidence, e) >= 0;
                if (!ok)
                        json_object_put(e);
        }
        for (size_t i = 0; ok && i < r->n_results; i++) {
                const HwcheckResult *res = &r->results[i];
                json_object *c = json_object_new_object();
                ok = c && json_add_string(c, "id", res->id) >= 0 &&
                     json_add_string(c, "title", res->title) >= 0 &&
                     json_add_string(c, "status", hwcheck_status_to_string(res->status)) >= 0 &&
                     json_add_bool(c, "waived", res->waived) >= 0 &&
                     json_add_string(c, "message", res->message) >= 0 &&
                     json_add_string(c, "hint", res->hint) >= 0 &&
                     json_object_array_add(checks, c) >= 0;
                if (!ok)
                        json_object_put(c);
        }
        for (HwcheckStatus s = 0; ok && s < _HWCHECK_STATUS_MAX; s++)
                ok = json_add_int(summary, hwcheck_status_to_string(s),
                                  (int64_t) hwcheck_report_count(r, s, false)) >= 0;
        ok = ok && json_add_int(summary, "waived", (int64_t) hwcheck_report_count(r, HWCHECK_FAIL, true)) >= 0;

        ok = ok && json_add_string(cpu, "vendor", r->cpu_vendor) >= 0 &&
             json_add_string(cpu, "verdict", r->cpu_verdict) >= 0 &&
             json_add_string(cpu, "decided_by", r->cpu_decided_by) >= 0 &&
             json_add_string(cpu, "hypervisor", r->hypervisor) >= 0 &&
             json_add(cpu, "evidence", evidence) >= 0;
        if (ok)
                evidence = NULL;
        ok = ok && json_add_int(root, "version", 1) >= 0 &&
             json_add_string(root, "sysroot", r->sysroot) >= 0 &&
             json_add_bool(root, "ok", hwcheck_report_ok(r)) >= 0 &&
             json_add(root, "cpu", cpu) >= 0;
        if (ok)
                cpu = NULL;
        ok = ok && json_add(root, "checks", checks) >= 0;
        if (ok)
                checks = NULL;
        ok = ok && json_add(root, "summary", summary) >= 0;
        if (ok)
                summary = NULL;

        json_object_put(evidence);
        json_object_put(cpu);
        json_object_put(checks);
        json_object_put(summary);
        if (!ok) {
                json_object_put(root);
                return NULL;
        }
        return root;
}
