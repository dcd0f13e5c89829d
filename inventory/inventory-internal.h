/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the inventory's JSON code and its probes; not part of
 * the public API (hardware.h). */

#include <stdarg.h>
#include <sys/types.h>

#include "hardware.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(Hardware *, hardware_free);
#define _cleanup_hardware_ _cleanup_(hardware_freep)

void hw_props_free(HwProperty *props, size_t n);
int hw_props_add(HwProperty **props, size_t *n, const char *key, const char *value);
void hw_props_sort(HwProperty *props, size_t n);

size_t hw_strv_length(char *const *l);
int hw_strv_push(char ***l, char *s);     /* takes s on success */
int hw_strv_extend(char ***l, const char *s);

/* Probing context: every path is read below sysroot. */
typedef struct ProbeContext {
        const char *sysroot;            /* "" for the real root */
        HwProbeFlags flags;
        bool have_udev_db;
        char ***warnings;
} ProbeContext;

/* sysroot + path (path is absolute). */
char *probe_path(const ProbeContext *c, const char *path);
/* First line of sysroot/path, trimmed of trailing whitespace; -errno on failure. */
int probe_read_line(const ProbeContext *c, const char *path, char **ret);
/* The whole file; -errno on failure. */
int probe_read_file(const ProbeContext *c, const char *path, char **ret, size_t *ret_size);
/* An unsigned integer from the first line; -errno or -EINVAL. */
int probe_read_u64(const ProbeContext *c, const char *path, uint64_t *ret);
/* The last component of a symlink's target, e.g. the driver name. */
int probe_readlink_basename(const ProbeContext *c, const char *path, char **ret);
/* The sysfs device path of a /sys/block or /sys/class/net link, as udev
 * writes it in DEVPATH ("/devices/..."). */
int probe_devpath(const ProbeContext *c, const char *path, char **ret);
void probe_warn(const ProbeContext *c, const char *format, ...) _printf_(2, 3);
/* The entries of sysroot/dir (no dot entries), in natural order (sda, sdb, sdaa;
 * nvme0n1, nvme0n10). A missing directory is an empty list and a warning. */
int probe_list_dir(const ProbeContext *c, const char *dir, char ***ret);

/* Properties of a device: its sysfs uevent file, DEVPATH and SUBSYSTEM, then
 * the udev database entry (E: lines, DEVLINKS from S: lines) when the database
 * exists. Sorted by key. */
int probe_device_props(const ProbeContext *c, const char *sysfs_dir, const char *subsystem,
                       const char *udev_db_id, HwProperty **ret, size_t *ret_n);

int probe_disks(const ProbeContext *c, Hardware *hw);
int probe_disk_contents(const ProbeContext *c, HwDisk *d);
/* Serial and WWN of the disk whose sysfs directory is dir (with its
 * properties), the same for the probe and hw_disk_identify_fd(). */
void probe_disk_names(const ProbeContext *c, const char *dir, const HwProperty *props, size_t n_props,
                      char **ret_serial, char **ret_wwn);
int probe_install_medium(const ProbeContext *c, Hardware *hw);
int probe_nics(const ProbeContext *c, Hardware *hw);
int probe_system(const ProbeContext *c, Hardware *hw);

/* JSON (hardware-json.c): the dhcp object, shared with the lease file. */
#include <json-c/json.h>
int hw_dhcp_from_json(json_object *o, const char *path, HwDhcp *ret, char **ret_error);
json_object *hw_dhcp_to_json(const HwDhcp *dhcp);
int hw_json_parse_file(const char *path, json_object **ret, char **ret_error);
/* The same for JSON text in memory; path only names it in messages (the hardware fuzz target). */
int hw_json_parse_data(const char *path, const char *data, size_t size, json_object **ret, char **ret_error);
