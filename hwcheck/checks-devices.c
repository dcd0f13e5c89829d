/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Devices and kernel features that QEMU and LXC need: /dev/kvm, vhost-net,
 * tun, namespaces, FUSE and the kernel version (as virt-host-validate). */

#include <stdio.h>

#include "hwcheck-internal.h"

static int check_kvm_device(const Sysroot *s, HwcheckReport *r) {
        if (!hwc_sysroot_exists(s, "/dev/kvm"))
                return hwc_report_set(r, "kvm-device", HWCHECK_FAIL,
                                      "Check that the CPU and firmware support virtualization and that the kvm module is loaded (see cpu-virt).",
                                      "/dev/kvm is missing");
        _cleanup_free_ char *p = hwc_sysroot_path(s, "/dev/kvm");
        if (!p)
                return -ENOMEM;
        if (access(p, R_OK | W_OK) < 0) {
                int e = errno;
                return hwc_report_set(r, "kvm-device", HWCHECK_FAIL,
                                      "Run as root, or add the user to the group owning /dev/kvm (usually 'kvm').",
                                      "/dev/kvm exists but is not accessible: %s", strerror(e));
        }
        /* A /dev/kvm without VT-x/AMD-V (e.g. a paravirtual backend) cannot run ordinary guests. */
        bool usable = streq_ptr(r->cpu_verdict, HWCHECK_VERDICT_USABLE);
        return hwc_report_set(r, "kvm-device", HWCHECK_PASS, NULL, "/dev/kvm present, read/write access%s%s%s",
                              usable ? "" : " (but the CPU verdict is ", usable ? "" : strempty(r->cpu_verdict),
                              usable ? "" : ": see cpu-virt)");
}

static int check_device(const Sysroot *s, HwcheckReport *r, const char *id, const char *path,
                        HwcheckStatus missing, const char *hint) {
        if (hwc_sysroot_exists(s, path))
                return hwc_report_set(r, id, HWCHECK_PASS, NULL, "%s present", path);
        return hwc_report_set(r, id, missing, hint, "%s is missing", path);
}

static int check_namespaces(const Sysroot *s, HwcheckReport *r) {
        static const struct {
                const char *name, *id, *config;
                HwcheckStatus missing;
        } ns[] = {
                { "ipc", "namespace-ipc", "IPC_NS", HWCHECK_FAIL },
                { "mnt", "namespace-mnt", "NAMESPACES", HWCHECK_FAIL },
                { "pid", "namespace-pid", "PID_NS", HWCHECK_FAIL },
                { "uts", "namespace-uts", "UTS_NS", HWCHECK_FAIL },
                { "net", "namespace-net", "NET_NS", HWCHECK_FAIL },
                { "user", "namespace-user", "USER_NS", HWCHECK_WARN },
        };
        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                char path[64], hint[128];
                snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
                snprintf(hint, sizeof(hint), "Use a kernel built with CONFIG_%s: containers need it.", ns[i].config);
                int k = hwc_sysroot_exists(s, path)
                                ? hwc_report_set(r, ns[i].id, HWCHECK_PASS, NULL, "%s present", path)
                                : hwc_report_set(r, ns[i].id, ns[i].missing, hint, "%s is missing", path);
                if (k < 0)
                        return k;
        }
        return 0;
}

/* Compares a kernel release ("6.1.0-28-amd64") with major.minor.patch. */
static int kernel_at_least(const char *release, unsigned a, unsigned b, unsigned c) {
        unsigned v[3] = {};
        if (sscanf(release, "%u.%u.%u", &v[0], &v[1], &v[2]) < 2)
                return -EINVAL;
        if (v[0] != a)
                return v[0] > a;
        if (v[1] != b)
                return v[1] > b;
        return v[2] >= c;
}

static int check_kernel_version(const Sysroot *s, HwcheckReport *r) {
        _cleanup_free_ char *release = NULL;
        int k = hwc_sysroot_read_line(s, "/proc/sys/kernel/osrelease", &release);
        if (k < 0)
                return hwc_report_set(r, "kernel-version", HWCHECK_WARN, NULL,
                                      "cannot read /proc/sys/kernel/osrelease: %s", strerror(-k));
        k = kernel_at_least(release, 2, 6, 26);
        if (k < 0)
                return hwc_report_set(r, "kernel-version", HWCHECK_WARN, NULL, "cannot parse kernel release '%s'", release);
        if (!k)
                return hwc_report_set(r, "kernel-version", HWCHECK_FAIL, "Upgrade the kernel.", "Linux %s", release);
        return hwc_report_set(r, "kernel-version", HWCHECK_PASS, NULL, "Linux %s", release);
}

int hwc_check_devices(const Sysroot *s, HwcheckReport *r) {
        int k;
        if ((k = check_kvm_device(s, r)) < 0 ||
            (k = check_device(s, r, "vhost-net", "/dev/vhost-net", HWCHECK_WARN,
                              "Load the 'vhost_net' module to improve the performance of virtio networking.")) < 0 ||
            (k = check_device(s, r, "tun", "/dev/net/tun", HWCHECK_FAIL,
                              "Load the 'tun' module: QEMU guests need it for networking.")) < 0 ||
            (k = check_device(s, r, "fuse", "/sys/fs/fuse/connections", HWCHECK_WARN,
                              "Load the 'fuse' module: lxcfs needs it to give containers their own /proc view.")) < 0 ||
            (k = check_namespaces(s, r)) < 0)
                return k;
        return check_kernel_version(s, r);
}
