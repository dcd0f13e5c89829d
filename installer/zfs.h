/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

typedef struct Engine Engine;

/* Whether this installer can make ZFS pools: the zpool command and a zfs
 * kernel module (ISOs built with `forja iso build --with-zfs`). */
bool zfs_supported(char **ret_why);
/* Whether a node image manifest lists ZFS (zfsutils-linux, zfs-initramfs). */
bool zfs_manifest_has_zfs(json_object *manifest);

/* Pools named in `zpool list -H -v -P` output (import_format false) or in
 * `zpool import` output (true): those with a device on one of disks
 * (NULL-terminated names, "vda"), or with off_disks those with a device on
 * none of them. *ret: a NULL-terminated list (NULL when empty); returns how
 * many, or -errno. */
int zfs_parse_pools(const char *text, bool import_format, const char *const *disks, bool off_disks, char ***ret);

/* Stage disks: exports imported pools with a device on disk (left by an
 * earlier, interrupted run). 0 when ZFS is not available here. */
int zfs_export_pools_on(Engine *e, const char *disk);
/* Stage storage: the plan's pools and datasets, the root dataset mounted on
 * the target (recorded in e->mounts as fstype "zfs", mounted by ZFS). */
int zfs_make_pools(Engine *e);
/* The root dataset's name, or NULL when the root is not on ZFS. */
const char *zfs_root_dataset(const Engine *e);
/* Stage bootloader: /etc/hostid, /etc/modprobe.d/zfs.conf (ARC maximum) and
 * root=ZFS= for GRUB in the target; sets *ret_initramfs_changed when the
 * initramfs must carry /etc/hostid and the modprobe settings. */
int zfs_write_node_settings(Engine *e, bool *ret_initramfs_changed);
