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

/* A sysfs attribute below dir (a disk's sysfs directory), trimmed; NULL when
 * missing or empty. */
static char *dir_attr(const ProbeContext *c, const char *dir, const char *attr) {
        _cleanup_free_ char *path = NULL;
        char *v = NULL;

        if (asprintf(&path, "%s/%s", dir, attr) < 0)
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

static char *disk_attr(const ProbeContext *c, const char *name, const char *attr) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "/sys/block/%s", name) < 0)
                return NULL;
        return dir_attr(c, dir, attr);
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

void probe_disk_names(const ProbeContext *c, const char *dir, const HwProperty *props, size_t n_props,
                      char **ret_serial, char **ret_wwn) {
        char *serial = strdup_or_null(hw_property_get(props, n_props, "ID_SERIAL_SHORT"));
        if (!serial)
                serial = dir_attr(c, dir, "device/serial");
        if (!serial)
                serial = dir_attr(c, dir, "serial");
        if (!serial)
                serial = strdup_or_null(hw_property_get(props, n_props, "ID_SERIAL"));

        /* The World Wide Name: udev's (SCSI, ATA, NVMe EUI/NGUID), else the
         * kernel's (NVMe namespaces: wwid; SCSI: device/wwid). */
        char *wwn = strdup_or_null(hw_property_get(props, n_props, "ID_WWN_WITH_EXTENSION"));
        if (!wwn)
                wwn = strdup_or_null(hw_property_get(props, n_props, "ID_WWN"));
        if (!wwn)
                wwn = dir_attr(c, dir, "wwid");
        if (!wwn)
                wwn = dir_attr(c, dir, "device/wwid");
        *ret_serial = serial;
        *ret_wwn = wwn;
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
        probe_disk_names(c, dir, d->props, d->n_props, &d->serial, &d->wwn);
        /* The kernel's disk sequence number (Linux 5.15+): a new one for
         * every disk that appears, even under a reused name. */
        _cleanup_free_ char *seqfile = NULL;
        if (asprintf(&seqfile, "%s/diskseq", dir) < 0)
                return -ENOMEM;
        (void) probe_read_u64(c, seqfile, &d->diskseq);

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
