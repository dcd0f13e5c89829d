/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /etc/fstab from the file systems the storage stage made, by UUID so that
 * the node boots whatever its disks are called; parents before children. */

#include "configure-internal.h"

/* Swap never holds the boot up and is not given up on early. The swap LV
 * lives in the root's volume group, which the initramfs activated with the
 * root, so the device is there; only its systemd device unit waits for udev's
 * coldplug in the booted system. With many disks (or a loaded host) that can
 * take longer than systemd's default 90 s, after which the swap unit fails
 * for good (swap units are not retried when the device shows up later) and
 * the node runs without swap. nofail: a missing swap is not a failed boot. */
#define SWAP_OPTIONS "sw,nofail,x-systemd.device-timeout=10min"

static bool is_swap(const TargetMount *m) {
        return streq_ptr(m->fstype, "swap");
}

/* Swap last; otherwise by mount point, which puts "/" before "/boot" before "/boot/efi". */
static int mount_compare(const void *a, const void *b) {
        const TargetMount *x = *(const TargetMount *const *) a, *y = *(const TargetMount *const *) b;
        if (is_swap(x) != is_swap(y))
                return is_swap(x) ? 1 : -1;
        return strcmp(x->mountpoint, y->mountpoint);
}

static bool is_zfs(const TargetMount *m) {
        return streq_ptr(m->fstype, "zfs");
}

static int check_mount(const ConfigureInput *in, const TargetMount *m, char **ret_error) {
        if (is_zfs(m))
                return m->mountpoint && m->device && config_value_ok(m->device) && !strpbrk(m->device, " \t\n")
                               ? 0
                               : target_error(ret_error, -EINVAL, in->root, "/etc/fstab", "a ZFS mount lacks its mount point or dataset");
        if (!m->mountpoint || !m->fstype || !m->uuid)
                return target_error(ret_error, -EINVAL, in->root, "/etc/fstab",
                                    "a mount lacks its mount point, type or UUID");
        if (!config_value_ok(m->uuid) || strpbrk(m->uuid, " \t") ||
            !config_value_ok(m->fstype) || strpbrk(m->fstype, " \t") ||
            (m->options && (!config_value_ok(m->options) || strpbrk(m->options, " \t"))))
                return target_error(ret_error, -EINVAL, in->root, "/etc/fstab",
                                    "the mount of '%s' has a bad UUID, type or options", m->mountpoint);
        if (is_swap(m) ? !streq(m->mountpoint, "none")
                       : (m->mountpoint[0] != '/' || strpbrk(m->mountpoint, " \t\n\\")))
                return target_error(ret_error, -EINVAL, in->root, "/etc/fstab",
                                    "bad mount point '%s' for %s", m->mountpoint, m->fstype);
        return 0;
}

int configure_fstab(const ConfigureInput *in, char **ret_error) {
        bool have_root = false;
        for (size_t i = 0; i < in->n_mounts; i++) {
                int r = check_mount(in, &in->mounts[i], ret_error);
                if (r < 0)
                        return r;
                have_root = have_root || streq(in->mounts[i].mountpoint, "/");
        }
        if (!have_root)
                return target_error(ret_error, -EINVAL, in->root, "/etc/fstab", "no file system is mounted on /");

        _cleanup_free_ const TargetMount **sorted = calloc(in->n_mounts, sizeof(*sorted));
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < in->n_mounts; i++)
                sorted[i] = &in->mounts[i];
        qsort(sorted, in->n_mounts, sizeof(*sorted), mount_compare);

        _cleanup_free_ char *text = NULL;
        if (text_append(&text, "# /etc/fstab: static file system information, written by forja at install\n"
                               "# time (docs/node-config.md). File systems are named by UUID.\n"
                               "# <file system>                           <mount point> <type> <options> <dump> <pass>\n") < 0)
                return -ENOMEM;
        for (size_t i = 0; i < in->n_mounts; i++) {
                const TargetMount *m = sorted[i];
                const char *options = m->options ?: (is_swap(m) ? SWAP_OPTIONS : "defaults");
                /* ZFS datasets are mounted by ZFS: the root by the initramfs
                 * (root=ZFS=), the others by zfs-mount.service. */
                if (is_zfs(m)) {
                        if (text_append(&text, "# %s is the ZFS dataset %s, mounted by ZFS, not from this file\n",
                                        m->mountpoint, m->device) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (text_append(&text, "UUID=%s %s %s %s 0 %d\n", m->uuid, m->mountpoint, m->fstype, options,
                                is_swap(m) ? 0 : m->pass) < 0)
                        return -ENOMEM;
        }
        return target_write(in->root, "/etc/fstab", text, 0644, ret_error);
}
