/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stage "bootloader": the storage settings the node's initramfs needs
 * (crypttab, mdadm.conf; added to the image's generic initramfs by
 * bootloader/initramfs.c), the kernel file systems bound into the target, and
 * GRUB through bootloader/. */

#include <sys/mount.h>
#include <sys/stat.h>

#define FORJA_CLEANUP_BLKID
#include "bootloader.h"
#include "cleanup-libs.h"
#include "engine-internal.h"
#include "fileio.h"
#include "json-out.h"
#include "log.h"
#include "spawn.h"
#include "strutil.h"
#include "zfs.h"

static int bind_kernel_filesystems(Engine *e) {
        static const char *const binds[] = { "/dev", "/dev/pts", "/proc", "/sys", "/run", "/sys/firmware/efi/efivars" };
        for (size_t i = 0; i < ELEMENTSOF(binds); i++) {
                struct stat st;
                if (stat(binds[i], &st) < 0)
                        continue;       /* no efivars on BIOS machines */
                _cleanup_free_ char *where = engine_target_path(e, binds[i]);
                if (!where)
                        return -ENOMEM;
                (void) mkdir(where, 0755);
                if (mount(binds[i], where, NULL, MS_BIND, NULL) < 0)
                        return engine_fail(e, negative_errno(), "binding %s into the target: %m", binds[i]);
                char **n = realloc(e->mounted, (e->n_mounted + 1) * sizeof(char *));
                if (!n)
                        return -ENOMEM;
                e->mounted = n;
                n[e->n_mounted++] = TAKE_PTR(where);
        }
        return 0;
}

static char *uuid_of(const char *device) {
        _cleanup_blkid_probe_ blkid_probe pr = blkid_new_probe_from_filename(device);
        const char *uuid = NULL;
        if (!pr || blkid_do_safeprobe(pr) != 0 || blkid_probe_lookup_value(pr, "UUID", &uuid, NULL) < 0)
                return NULL;
        return strdup(uuid);
}

/* /etc/crypttab: the LUKS containers, unlocked by passphrase at boot;
 * "initramfs" makes cryptsetup-initramfs unlock them in the initramfs even
 * when its hook cannot trace the root file system down to them. */
static int write_crypttab(Engine *e, bool *changed) {
        json_object *list = json_get(e->storage, "luks");
        _cleanup_free_ char *text = NULL;
        for (size_t i = 0; i < json_array_len(list); i++) {
                json_object *l = json_array_at(list, i);
                const char *dev = engine_lookup_id(e, strempty(json_get_string(l, "device")));
                const char *mapped = engine_lookup_id(e, strempty(json_get_string(l, "id")));
                _cleanup_free_ char *uuid = dev ? uuid_of(dev) : NULL;
                if (!uuid || !mapped)
                        return engine_fail(e, -EIO, "no UUID for the LUKS container %s", strempty(dev));
                /* TPM-bound: forja's keyscript asks the TPM before any prompt */
                _cleanup_free_ char *keyscript = NULL;
                if (luks_tpm2_wanted(l) && asprintf(&keyscript, ",keyscript=%s", luks_keyscript_path()) < 0)
                        return -ENOMEM;
                if (strextendf_with_separator(&text, "", "%s UUID=%s none luks,discard,initramfs%s\n",
                                              mapped + strlen("/dev/mapper/"), uuid, strempty(keyscript)) < 0)
                        return -ENOMEM;
        }
        if (!text)
                return 0;
        _cleanup_free_ char *path = engine_target_path(e, "/etc/crypttab");
        int r = path ? write_file_atomic(path, text, strlen(text), 0600) : -ENOMEM;
        if (r < 0)
                return engine_fail(e, r, "writing /etc/crypttab: %s", strerror(-r));
        *changed = true;
        return 0;
}

/* TPM-bound containers: the keyscript on the target, then clevis bind from
 * the target chroot (its /dev bound in, so the TPM is there). */
static int bind_luks_tpm2(Engine *e, bool *keyscript) {
        json_object *list = json_get(e->storage, "luks");
        for (size_t i = 0; i < json_array_len(list); i++) {
                json_object *l = json_array_at(list, i);
                if (!luks_tpm2_wanted(l))
                        continue;
                const char *dev = engine_lookup_id(e, strempty(json_get_string(l, "device")));
                if (!dev)
                        return engine_fail(e, -EINVAL, "plan: LUKS container %zu: unknown device", i);
                int r = luks_bind_tpm2(e, dev, l);
                if (r < 0)
                        return r;
                if (!*keyscript && (r = luks_write_keyscript(e)) < 0)
                        return r;
                *keyscript = true;
        }
        return 0;
}

/* /etc/mdadm/mdadm.conf: the plan's arrays, so the initramfs assembles them
 * and forja-md-degraded.service starts these (and only these) degraded; the
 * configure stage enabled that unit. Arrays are listed one by one, not with
 * --scan: an array of another disk that the installer environment assembled
 * is not the node's. */
static int write_mdadm_conf(Engine *e, bool *changed) {
        json_object *arrays = json_get(e->storage, "md-arrays");
        if (json_array_len(arrays) == 0)
                return 0;
        _cleanup_free_ char *text = strdup("# Written by the forja installer.\nHOMEHOST <system>\nMAILADDR root\n"),
                            *dir = engine_target_path(e, "/etc/mdadm"), *path = engine_target_path(e, "/etc/mdadm/mdadm.conf");
        if (!text || !dir || !path)
                return -ENOMEM;
        for (size_t i = 0; i < json_array_len(arrays); i++) {
                const char *dev = engine_lookup_id(e, strempty(json_get_string(json_array_at(arrays, i), "id")));
                if (!dev)
                        return engine_fail(e, -EINVAL, "plan: an md array was not made");
                _cleanup_free_ char *line = NULL;
                char *argv[] = { "mdadm", "--detail", "--brief", (char *) dev, NULL };
                int r = spawn_checked(argv, NULL, &line);
                if (r < 0)
                        return engine_fail(e, r, "mdadm --detail --brief %s failed", dev);
                size_t n = strlen(strempty(line));
                if (n == 0)
                        return engine_fail(e, -EIO, "mdadm --detail --brief %s printed nothing", dev);
                if (strextendf_with_separator(&text, NULL, "%s%s", line, line[n - 1] == '\n' ? "" : "\n") < 0)
                        return -ENOMEM;
        }
        (void) mkdir(dir, 0755);
        int r = write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0)
                return engine_fail(e, r, "writing /etc/mdadm/mdadm.conf: %s", strerror(-r));
        *changed = true;
        return 0;
}

/* A Btrfs root mirrored over several disks (raid1, raid10) must mount when
 * a disk is gone: the kernel refuses a Btrfs with a missing device unless it
 * is mounted with "degraded", so the node's kernel command line carries
 * rootflags=degraded (harmless while every device is there; the
 * initramfs scans for the devices first). */
static int write_grub_storage_defaults(Engine *e) {
        json_object *list = json_get(e->storage, "btrfs");
        bool degraded = false;
        for (size_t i = 0; i < json_array_len(list); i++) {
                json_object *b = json_array_at(list, i);
                const char *profile = json_get_string(b, "data-profile");
                if (json_array_len(json_get(b, "members")) > 1 && (streq_ptr(profile, "raid1") || streq_ptr(profile, "raid10")))
                        degraded = true;
        }
        if (!degraded)
                return 0;
        static const char text[] = "# Written by the forja installer: the mirrored Btrfs root mounts with a disk missing.\n"
                                   "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX rootflags=degraded\"\n";
        _cleanup_free_ char *dir = engine_target_path(e, "/etc/default/grub.d"),
                            *path = engine_target_path(e, "/etc/default/grub.d/forja-storage.cfg");
        if (!dir || !path)
                return -ENOMEM;
        (void) mkdir(dir, 0755);
        int r = write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0)
                return engine_fail(e, r, "writing /etc/default/grub.d/forja-storage.cfg: %s", strerror(-r));
        return 0;
}

int stage_bootloader(Engine *e) {
        json_object *disks = json_get(e->storage, "disks");
        size_t n = json_array_len(disks);
        _cleanup_free_ char **devs = calloc(n + 1, sizeof(char *)), **esps = calloc(n + 1, sizeof(char *));
        bool initramfs_mdadm = false, initramfs_crypttab = false, initramfs_zfs = false;
        size_t n_esps = 0;
        int r;

        if (!devs || !esps)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_array_at(disks, i);
                devs[i] = (char *) json_get_string(d, "path");
                json_object *parts = json_get(d, "partitions");
                for (size_t j = 0; i > 0 && j < json_array_len(parts); j++)
                        if (streq_ptr(json_get_string(json_array_at(parts, j), "role"), "esp"))
                                esps[n_esps++] = (char *) json_get_string(json_array_at(parts, j), "path");
        }
        if ((r = write_crypttab(e, &initramfs_crypttab)) < 0 || (r = write_mdadm_conf(e, &initramfs_mdadm)) < 0 ||
            (r = write_grub_storage_defaults(e)) < 0 || (r = zfs_write_node_settings(e, &initramfs_zfs)) < 0)
                return r;
        r = bind_kernel_filesystems(e);
        if (r < 0)
                return r;
        bool initramfs_keyscript = false;
        r = bind_luks_tpm2(e, &initramfs_keyscript);
        if (r < 0)
                return r;

        BootloaderInput in = {
                .root = e->c->target,
                .uefi = streq_ptr(json_get_string(json_get(e->c->plan, "hardware"), "firmware"), "uefi"),
                .disks = devs,
                .extra_esps = esps,
                .initramfs_mdadm = initramfs_mdadm,
                .initramfs_crypttab = initramfs_crypttab,
                .initramfs_keyscript = initramfs_keyscript ? luks_keyscript_path() : NULL,
                .initramfs_zfs = initramfs_zfs,
        };
        _cleanup_free_ char *error = NULL;
        r = bootloader_install(&in, &error);
        if (r < 0)
                return engine_fail(e, r, "%s", error ?: "installing the boot loader failed");
        return 0;
}
