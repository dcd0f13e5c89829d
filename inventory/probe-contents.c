/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a disk holds now, from libblkid: the partition table type, and the
 * signature (filesystem, LVM2_member, linux_raid_member, crypto_LUKS...) and
 * label of the whole device and of every partition. Partitions are probed at
 * their offsets inside the whole device, so no partition device nodes are
 * needed (loop devices without partition scanning, image files in a fixture).
 * Devices are only ever opened read-only. */

#include <fcntl.h>

#define FORJA_CLEANUP_BLKID
#include "cleanup-libs.h"
#include "inventory-internal.h"

/* "ext4 \"root\"", "LVM2_member", or NULL when nothing was found. */
static int signature_string(blkid_probe pr, int probe_result, char **ret) {
        const char *type = NULL, *label = NULL;

        *ret = NULL;
        if (probe_result == -2)
                return (*ret = strdup("(several signatures)")) ? 0 : -ENOMEM;
        if (probe_result != 0)
                return 0;
        if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) < 0 || !type)
                return 0;
        (void) blkid_probe_lookup_value(pr, "LABEL", &label, NULL);
        int r = label && *label ? asprintf(ret, "%s \"%s\"", type, label) : asprintf(ret, "%s", type);
        if (r < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

static char *partition_name(const char *disk, int partno) {
        char *n;
        size_t l = strlen(disk);
        bool digit = l > 0 && disk[l - 1] >= '0' && disk[l - 1] <= '9';
        if (asprintf(&n, "%s%s%d", disk, digit ? "p" : "", partno) < 0)
                return NULL;
        return n;
}

static int probe_partition(int fd, const HwDisk *d, blkid_partition par, char ***contents) {
        _cleanup_blkid_probe_ blkid_probe pr = NULL;
        _cleanup_free_ char *name = NULL, *sig = NULL;
        char *entry;
        int r;

        /* libblkid counts partition offsets in 512-byte sectors. */
        blkid_loff_t start = blkid_partition_get_start(par) * 512;
        blkid_loff_t size = blkid_partition_get_size(par) * 512;

        name = partition_name(d->name, blkid_partition_get_partno(par));
        if (!name)
                return -ENOMEM;

        pr = blkid_new_probe();
        if (!pr)
                return -ENOMEM;
        int k = -1;
        if (size > 0 && blkid_probe_set_device(pr, fd, start, size) == 0) {
                blkid_probe_enable_superblocks(pr, 1);
                blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL);
                blkid_probe_enable_partitions(pr, 0);
                k = blkid_do_safeprobe(pr);
        }
        r = signature_string(pr, k, &sig);
        if (r < 0)
                return r;
        if (asprintf(&entry, "%s: %s", name, sig ?: "(no signature)") < 0)
                return -ENOMEM;
        r = hw_strv_push(contents, entry);
        if (r < 0)
                free(entry);
        return r;
}

int probe_disk_contents(const ProbeContext *c, HwDisk *d) {
        _cleanup_free_ char *path = probe_path(c, d->path);
        _cleanup_close_ int fd = -EBADF;
        _cleanup_blkid_probe_ blkid_probe pr = NULL;
        _cleanup_free_ char *sig = NULL;
        const char *pttype = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                d->contents_unknown = true;
                probe_warn(c, "Cannot read %s (contents unknown): %s", d->path, strerror(errno));
                return 0;
        }

        pr = blkid_new_probe();
        if (!pr)
                return -ENOMEM;
        if (blkid_probe_set_device(pr, fd, 0, 0) < 0) {
                d->contents_unknown = true;
                probe_warn(c, "Cannot probe %s (contents unknown).", d->path);
                return 0;
        }
        blkid_probe_enable_partitions(pr, 1);
        blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL);
        int k = blkid_do_safeprobe(pr);
        if (k == -1) {
                d->contents_unknown = true;
                probe_warn(c, "Probing %s failed (contents unknown).", d->path);
                return 0;
        }

        if (k == 0 && blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL) == 0 && pttype) {
                d->pttype = strdup(pttype);
                if (!d->pttype)
                        return -ENOMEM;
        }
        r = signature_string(pr, k, &sig);
        if (r < 0)
                return r;
        if (sig) {
                r = hw_strv_push(&d->contents, sig);
                if (r < 0)
                        return r;
                sig = NULL;
        }

        if (!d->pttype)
                return 0;
        blkid_partlist ls = blkid_probe_get_partitions(pr);
        int n = ls ? blkid_partlist_numof_partitions(ls) : 0;
        for (int i = 0; i < n; i++) {
                blkid_partition par = blkid_partlist_get_partition(ls, i);
                if (!par || blkid_partition_is_extended(par))
                        continue;
                r = probe_partition(fd, d, par, &d->contents);
                if (r < 0)
                        return r;
        }
        return 0;
}
