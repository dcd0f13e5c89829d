/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Disks from /sys/block (sizes, sector sizes, model, serial) with their udev
 * properties; what they hold comes from probe-contents.c. */

#include "inventory-internal.h"

/* Kernel name prefixes of block devices that are not installation targets. */
static const char *const virtual_prefixes[] = { "loop", "ram", "zram", "dm-", "md", "sr", NULL };

static bool is_virtual_disk(const char *name) {
        for (const char *const *p = virtual_prefixes; *p; p++)
                if (startswith(name, *p))
                        return true;
        return false;
}

/* A sysfs attribute of the disk, trimmed; NULL when missing or empty. */
static char *disk_attr(const ProbeContext *c, const char *name, const char *attr) {
        _cleanup_free_ char *path = NULL;
        char *v = NULL;

        if (asprintf(&path, "/sys/block/%s/%s", name, attr) < 0)
                return NULL;
        if (probe_read_line(c, path, &v) < 0)
                return NULL;
        /* SCSI pads model strings with blanks on both sides. */
        char *s = v;
        while (*s == ' ')
                s++;
        if (!*s) {
                free(v);
                return NULL;
        }
        memmove(v, s, strlen(s) + 1);
        return v;
}

static uint64_t disk_u64(const ProbeContext *c, const char *name, const char *attr, uint64_t fallback) {
        _cleanup_free_ char *path = NULL;
        uint64_t v;

        if (asprintf(&path, "/sys/block/%s/%s", name, attr) < 0)
                return fallback;
        return probe_read_u64(c, path, &v) < 0 ? fallback : v;
}

static char *strdup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

static int probe_one_disk(const ProbeContext *c, const char *name, HwDisk *d) {
        _cleanup_free_ char *dir = NULL, *devnum = NULL, *dbid = NULL;
        int r;

        if (asprintf(&dir, "/sys/block/%s", name) < 0 || asprintf(&d->path, "/dev/%s", name) < 0)
                return -ENOMEM;
        d->name = strdup(name);
        if (!d->name)
                return -ENOMEM;

        d->size_bytes = disk_u64(c, name, "size", 0) * 512;
        d->logical_sector_size = (uint32_t) disk_u64(c, name, "queue/logical_block_size", 512);
        d->physical_sector_size = (uint32_t) disk_u64(c, name, "queue/physical_block_size", d->logical_sector_size);
        d->rotational = disk_u64(c, name, "queue/rotational", 0) == 1;
        d->removable = disk_u64(c, name, "removable", 0) == 1;

        devnum = disk_attr(c, name, "dev");
        if (devnum && asprintf(&dbid, "b%s", devnum) < 0)
                return -ENOMEM;
        r = probe_device_props(c, dir, "block", dbid, &d->props, &d->n_props);
        if (r < 0)
                return r;

        d->model = disk_attr(c, name, "device/model");
        if (!d->model)
                d->model = strdup_or_null(hw_property_get(d->props, d->n_props, "ID_MODEL"));
        d->serial = strdup_or_null(hw_property_get(d->props, d->n_props, "ID_SERIAL_SHORT"));
        if (!d->serial)
                d->serial = disk_attr(c, name, "device/serial");
        if (!d->serial)
                d->serial = disk_attr(c, name, "serial");
        if (!d->serial)
                d->serial = strdup_or_null(hw_property_get(d->props, d->n_props, "ID_SERIAL"));

        return probe_disk_contents(c, d);
}

int probe_disks(const ProbeContext *c, Hardware *hw) {
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = probe_list_dir(c, "/sys/block", &names);
        if (r < 0 || !names)
                return r;
        hw->disks = calloc(hw_strv_length(names), sizeof(HwDisk));
        if (!hw->disks)
                return -ENOMEM;
        for (char **n = names; *n; n++) {
                bool extra = is_virtual_disk(*n);
                if (extra && !(c->flags & HW_PROBE_ALL_DISKS))
                        continue;
                /* An unattached loop device or an empty drive is not a disk. */
                if (extra && disk_u64(c, *n, "size", 0) == 0)
                        continue;
                r = probe_one_disk(c, *n, &hw->disks[hw->n_disks++]);
                if (r < 0)
                        return r;
        }
        return 0;
}
