/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who a disk is right now, from an open descriptor (hardware.h): the
 * installer compares it with the plan right before it wipes the disk, so a
 * disk swapped or re-enumerated under the same /dev name is never written. */

#include <inttypes.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "inventory-internal.h"
#include "strutil.h"

#ifndef BLKGETDISKSEQ
#define BLKGETDISKSEQ _IOR(0x12, 128, __u64)
#endif

int hw_disk_identify_fd(int fd, const char *sysroot, HwDiskIdentity *ret) {
        HwDiskIdentity id = {};
        struct stat st;
        uint64_t seq = 0;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISBLK(st.st_mode))
                return -ENOTBLK;
        if (ioctl(fd, BLKGETSIZE64, &id.size_bytes) < 0)
                return -errno;
        /* Kernels before 5.15 do not know the request: no sequence number. */
        if (ioctl(fd, BLKGETDISKSEQ, &seq) >= 0)
                id.diskseq = seq;
        else if (errno != ENOTTY && errno != EINVAL)
                return -errno;

        _cleanup_free_ char *root = strdup(sysroot ? sysroot : ""), *dir = NULL, *dbid = NULL, *udev = NULL;
        if (!root)
                return -ENOMEM;
        for (size_t l = strlen(root); l > 0 && root[l - 1] == '/'; l--)
                root[l - 1] = 0;
        char **warnings = NULL;
        ProbeContext c = { .sysroot = root, .warnings = &warnings };
        struct stat ust;
        udev = probe_path(&c, "/run/udev/data");
        if (!udev)
                return -ENOMEM;
        c.have_udev_db = stat(udev, &ust) == 0 && S_ISDIR(ust.st_mode);
        if (asprintf(&dir, "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev)) < 0 ||
            asprintf(&dbid, "b%u:%u", major(st.st_rdev), minor(st.st_rdev)) < 0)
                return -ENOMEM;

        HwProperty *props = NULL;
        size_t n = 0;
        int r = probe_device_props(&c, dir, "block", dbid, &props, &n);
        strv_free(warnings);
        if (r < 0)
                return r;
        probe_disk_names(&c, dir, props, n, &id.serial, &id.wwn);
        hw_props_free(props, n);
        *ret = id;
        return 0;
}

void hw_disk_identity_done(HwDiskIdentity *id) {
        if (!id)
                return;
        free(id->serial);
        free(id->wwn);
        *id = (HwDiskIdentity) {};
}

int hw_disk_identity_diff(const HwDiskIdentity *was, const HwDiskIdentity *now, char **ret_changes) {
        _cleanup_free_ char *changes = NULL;
        int r = 0;

        if (!streq_ptr(was->serial, now->serial))
                r = strextendf_with_separator(&changes, "; ", "serial %s in the plan, %s now",
                                              was->serial ?: "(none)", now->serial ?: "(none)");
        if (r >= 0 && !streq_ptr(was->wwn, now->wwn))
                r = strextendf_with_separator(&changes, "; ", "WWN %s in the plan, %s now",
                                              was->wwn ?: "(none)", now->wwn ?: "(none)");
        if (r >= 0 && was->size_bytes != 0 && was->size_bytes != now->size_bytes)
                r = strextendf_with_separator(&changes, "; ", "%" PRIu64 " bytes in the plan, %" PRIu64 " now",
                                              was->size_bytes, now->size_bytes);
        if (r >= 0 && was->diskseq != 0 && now->diskseq != 0 && was->diskseq != now->diskseq)
                r = strextendf_with_separator(&changes, "; ", "disk sequence number %" PRIu64 " at the start, %" PRIu64 " now",
                                              was->diskseq, now->diskseq);
        if (r < 0)
                return r;
        *ret_changes = TAKE_PTR(changes);
        return 0;
}
