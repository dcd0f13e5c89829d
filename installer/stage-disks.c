/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stage "disks": for every disk of the plan, stop whatever still uses it (an
 * earlier, interrupted install: mounts, swap, LVM and LUKS mappings, md
 * arrays), wipe every signature with libblkid (the whole disk and each old
 * partition, so an old LVM or md superblock cannot reappear inside a new
 * partition), write the GPT exactly as the plan says with libparted, tell
 * the kernel and wait for the partition nodes. Only plan disks are opened for
 * writing, and only after each of them has been re-identified from an open
 * descriptor: a disk swapped or re-enumerated under the same name since the
 * hardware was probed stops the install before the first write. */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include <time.h>

#define FORJA_CLEANUP_BLKID
#include "cleanup-libs.h"
#include "config.h"
#include "engine-internal.h"
#include "fileio.h"
#include "hardware.h"
#include "json-out.h"
#include "log.h"
#include "spawn.h"
#include "strutil.h"
#include "zfs.h"

#include <parted/parted.h>

#define ZERO_BYTES (1u << 20)

/* ---- who the disks are ---- */

/* The disks of the plan, open read-only from before the first write to the
 * end of the stage, with who they were when they were opened. While a
 * descriptor is open the kernel keeps the disk's name and device number for
 * it (a disk pulled out meanwhile leaves them taken, so its replacement gets
 * others), so the path the wipe opens names the disk identified here, which
 * wipe_disk() checks once more. */
typedef struct HeldDisks {
        size_t n;
        int *fds;
        HwDiskIdentity *ids;
} HeldDisks;

static void held_disks_done(HeldDisks *h) {
        for (size_t i = 0; i < h->n; i++) {
                closep(&h->fds[i]);
                hw_disk_identity_done(&h->ids[i]);
        }
        free(h->fds);
        free(h->ids);
        *h = (HeldDisks) {};
}

/* Opens every disk of the plan and compares it, from the descriptor, with
 * the plan (serial, size) and the inventory probed when the install began
 * (disk sequence number, WWN). Every difference of every disk is named;
 * any stops the install before anything is written. */
static int identify_disks(Engine *e, json_object *disks, HeldDisks *h) {
        size_t n = json_array_len(disks);
        _cleanup_free_ char *changed = NULL;

        h->fds = malloc(n * sizeof(int) + 1);
        h->ids = calloc(n + 1, sizeof(HwDiskIdentity));
        if (!h->fds || !h->ids)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_array_at(disks, i);
                const char *name = json_get_string(d, "name"), *path = json_get_string(d, "path");
                if (!name || !path)
                        return engine_fail(e, -EINVAL, "plan: disk %zu has no name or path", i);
                int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                if (fd < 0)
                        return engine_fail(e, negative_errno(), "disk %s of the plan cannot be opened any more: %m; "
                                           "nothing was written", path);
                h->fds[h->n] = fd;
                int r = hw_disk_identify_fd(fd, NULL, &h->ids[h->n]);
                h->n++;
                if (r < 0)
                        return engine_fail(e, r, "%s: cannot tell which disk it is: %s; nothing was written", path, strerror(-r));

                const HwDisk *hd = hardware_find_disk(e->c->hw, name);
                HwDiskIdentity was = {
                        .serial = (char *) json_get_string(d, "serial"),
                        .wwn = hd ? hd->wwn : NULL,
                        .size_bytes = (uint64_t) json_get_int(d, "size-bytes"),
                        .diskseq = hd ? hd->diskseq : 0,
                };
                const HwDiskIdentity *now = &h->ids[h->n - 1];
                _cleanup_free_ char *diff = NULL;
                r = hw_disk_identity_diff(&was, now, &diff);
                if (r < 0)
                        return r;
                if (diff)
                        r = strextendf_with_separator(&changed, ". ", "%s: %s", path, diff);
                else if (now->diskseq == 0 && !now->serial && !now->wwn)
                        log_warning("%s: no disk sequence number (a kernel before 5.15), no serial and no WWN: "
                                    "another disk of the same size under this name could not be told apart.", path);
                else
                        log_info("%s: the disk of the plan (serial %s, disk sequence number %" PRIu64 ").", path,
                                 now->serial ?: "none", now->diskseq);
                if (r < 0)
                        return r;
        }
        if (changed)
                return engine_fail(e, -ENODEV, "disks changed since the plan was made (swapped or re-enumerated under "
                                   "the same name), nothing was written: %s.", changed);
        return 0;
}

/* ---- stopping users ---- */

/* Unmounts every mount whose source is dev, and turns off swap on it. */
static void release_device(Engine *e, dev_t dev, const char *node) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        while (f && fgets(line, sizeof line, f)) {
                unsigned maj, min;
                char mnt[2048];
                if (sscanf(line, "%*u %*u %u:%u %*s %2047s", &maj, &min, mnt) != 3 || makedev(maj, min) != dev)
                        continue;
                log_notice("Unmounting %s (on %s, left from an earlier run).", mnt, node);
                if (umount2(mnt, 0) < 0 && umount2(mnt, MNT_DETACH) < 0)
                        log_warning("Failed to unmount %s: %m", mnt);
        }
        _cleanup_fclose_ FILE *s = fopen("/proc/swaps", "re");
        while (s && fgets(line, sizeof line, s)) {
                char path[2048];
                struct stat st;
                if (sscanf(line, "%2047s", path) != 1 || stat(path, &st) < 0 || st.st_rdev != dev)
                        continue;
                log_notice("Turning off swap on %s.", path);
                if (swapoff(path) < 0)
                        log_warning("Failed to turn off swap on %s: %m", path);
        }
}

/* Stops a holder (dm or md device) and, first, whatever holds it. */
static int stop_holders(Engine *e, const char *sysdir, unsigned depth) {
        _cleanup_free_ char *hdir = NULL;
        if (depth > 8 || asprintf(&hdir, "%s/holders", sysdir) < 0)
                return -ELOOP;
        DIR *d = opendir(hdir);
        if (!d)
                return 0;
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d)) && r >= 0) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *hsys = NULL, *node = NULL;
                if (asprintf(&hsys, "/sys/class/block/%s", de->d_name) < 0 || asprintf(&node, "/dev/%s", de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = stop_holders(e, hsys, depth + 1);
                if (r < 0)
                        break;
                dev_t dev;
                if (engine_sysfs_devnum(hsys, &dev) >= 0)
                        release_device(e, dev, node);
                if (startswith(de->d_name, "dm-")) {
                        _cleanup_free_ char *namefile = NULL, *name = NULL;
                        if (asprintf(&namefile, "%s/dm/name", hsys) < 0)
                                r = -ENOMEM;
                        else if (read_one_line_file(namefile, &name) >= 0) {
                                log_notice("Removing device-mapper device %s (from an earlier run).", name);
                                char *argv[] = { "dmsetup", "remove", "--retry", name, NULL };
                                r = engine_run(e, "stopping users of the target disks", argv);
                        }
                } else if (startswith(de->d_name, "md")) {
                        log_notice("Stopping md array %s (from an earlier run).", node);
                        char *argv[] = { "mdadm", "--stop", node, NULL };
                        r = engine_run(e, "stopping users of the target disks", argv);
                }
        }
        closedir(d);
        return r;
}

static int stop_users(Engine *e, const char *name) {
        _cleanup_free_ char *sysdir = NULL;
        if (asprintf(&sysdir, "/sys/class/block/%s", name) < 0)
                return -ENOMEM;
        /* The whole disk and each of its partitions. */
        int r = stop_holders(e, sysdir, 0);
        if (r < 0)
                return r;
        dev_t dev;
        _cleanup_free_ char *node = NULL;
        if (asprintf(&node, "/dev/%s", name) < 0)
                return -ENOMEM;
        if (engine_sysfs_devnum(sysdir, &dev) >= 0)
                release_device(e, dev, node);

        _cleanup_free_ char *blockdir = NULL;
        if (asprintf(&blockdir, "/sys/block/%s", name) < 0)
                return -ENOMEM;
        DIR *d = opendir(blockdir);
        struct dirent *de;
        while (d && (de = readdir(d)) && r >= 0) {
                if (!startswith(de->d_name, name))
                        continue;
                _cleanup_free_ char *psys = NULL, *pnode = NULL;
                if (asprintf(&psys, "%s/%s", blockdir, de->d_name) < 0 || asprintf(&pnode, "/dev/%s", de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = stop_holders(e, psys, 0);
                if (r >= 0 && engine_sysfs_devnum(psys, &dev) >= 0)
                        release_device(e, dev, pnode);
        }
        if (d)
                closedir(d);
        return r;
}

/* ---- wiping ---- */

/* Wipes every signature libblkid finds in [offset, offset+size) of fd. */
static int wipe_range(Engine *e, int fd, const char *path, uint64_t offset, uint64_t size) {
        _cleanup_blkid_probe_ blkid_probe pr = blkid_new_probe();
        if (!pr)
                return -ENOMEM;
        if (blkid_probe_set_device(pr, fd, (blkid_loff_t) offset, (blkid_loff_t) size) < 0)
                return engine_fail(e, -EIO, "%s: cannot probe at offset %" PRIu64, path, offset);
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM | BLKID_SUBLKS_TYPE);
        blkid_probe_enable_partitions(pr, 1);
        blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
        while (blkid_do_probe(pr) == 0) {
                const char *type = NULL;
                if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) < 0)
                        (void) blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL);
                log_info("Wiping %s signature on %s at offset %" PRIu64 ".", strempty(type), path, offset);
                if (blkid_do_wipe(pr, 0) < 0)
                        return engine_fail(e, -EIO, "%s: failed to wipe the %s signature", path, strempty(type));
        }
        return 0;
}

static int zero_range(Engine *e, int fd, const char *path, uint64_t offset, uint64_t size) {
        static const char zeros[64 * 1024];
        for (uint64_t done = 0; done < size;) {
                size_t n = (size_t) MIN((uint64_t) sizeof zeros, size - done);
                ssize_t k = pwrite(fd, zeros, n, (off_t) (offset + done));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return engine_fail(e, negative_errno(), "%s: cannot write at offset %" PRIu64 ": %m", path, offset + done);
                }
                done += (uint64_t) k;
        }
        return 0;
}

static int wipe_disk(Engine *e, json_object *disk, const char *path, int held_fd, const HwDiskIdentity *held) {
        _cleanup_close_ int fd = open(path, O_RDWR | O_EXCL | O_CLOEXEC);
        if (fd < 0)
                return engine_fail(e, negative_errno(), "%s: cannot open for writing (still in use?): %m", path);

        /* The descriptor that writes is the disk identified before. */
        struct stat a, b;
        _cleanup_(hw_disk_identity_done) HwDiskIdentity now = {};
        _cleanup_free_ char *diff = NULL;
        int r = hw_disk_identify_fd(fd, NULL, &now);
        if (r >= 0)
                r = hw_disk_identity_diff(held, &now, &diff);
        if (r < 0)
                return engine_fail(e, r, "%s: cannot tell which disk it is: %s", path, strerror(-r));
        if (diff || fstat(held_fd, &a) < 0 || fstat(fd, &b) < 0 || a.st_rdev != b.st_rdev)
                return engine_fail(e, -ENODEV, "%s changed while the disks were prepared (%s); nothing was written to it",
                                   path, diff ?: "another device number");

        /* Signatures inside the old partitions first: they survive a new table. */
        {
                _cleanup_blkid_probe_ blkid_probe pr = blkid_new_probe();
                if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0)
                        return engine_fail(e, -EIO, "%s: cannot probe", path);
                blkid_probe_enable_partitions(pr, 1);
                blkid_partlist pl = blkid_probe_get_partitions(pr);
                int n = pl ? blkid_partlist_numof_partitions(pl) : 0;
                uint32_t ssz = blkid_probe_get_sectorsize(pr) ?: 512;
                for (int i = 0; i < n; i++) {
                        blkid_partition p = blkid_partlist_get_partition(pl, i);
                        uint64_t start = (uint64_t) blkid_partition_get_start(p) * ssz;
                        uint64_t size = (uint64_t) blkid_partition_get_size(p) * ssz;
                        if (size == 0 || blkid_partition_is_extended(p))
                                continue;
                        r = wipe_range(e, fd, path, start, size);
                        if (r < 0)
                                return r;
                }
        }
        r = wipe_range(e, fd, path, 0, 0);
        if (r < 0)
                return r;

        /* And the first and last MiB of every new partition, so that nothing of
         * an older layout at other offsets is taken for a file system. */
        json_object *parts = json_get(disk, "partitions");
        for (size_t i = 0; i < json_array_len(parts); i++) {
                json_object *p = json_array_at(parts, i);
                uint64_t start = (uint64_t) json_get_int(p, "start-bytes"), size = (uint64_t) json_get_int(p, "size-bytes");
                uint64_t n = MIN(size, (uint64_t) ZERO_BYTES);
                r = zero_range(e, fd, path, start, n);
                if (r >= 0 && size > n)
                        r = zero_range(e, fd, path, start + size - n, n);
                if (r < 0)
                        return r;
        }
        if (fsync(fd) < 0)
                return engine_fail(e, negative_errno(), "%s: fsync: %m", path);
        return 0;
}

/* ---- partitioning ---- */

static char *parted_message;

static PedExceptionOption parted_exception(PedException *ex) {
        if (ex->type <= PED_EXCEPTION_WARNING && (ex->options & PED_EXCEPTION_IGNORE)) {
                log_warning("libparted: %s", ex->message);
                return PED_EXCEPTION_IGNORE;
        }
        free(parted_message);
        parted_message = strdup(ex->message);
        return (ex->options & PED_EXCEPTION_CANCEL) ? PED_EXCEPTION_CANCEL : PED_EXCEPTION_UNHANDLED;
}

/* Roles libparted has a flag for get their type from the flag (that path is
 * the same in libparted 3.5 and 3.6); the others are set by GUID where
 * libparted can (3.6), else stay "Linux filesystem". verify_types() reads
 * the result back either way. */
static int set_part_type(PedPartition *part, const char *role, const char *guid) {
        static const struct {
                const char *role;
                PedPartitionFlag flag;
        } flags[] = {
                { "bios-boot", PED_PARTITION_BIOS_GRUB },
                { "esp", PED_PARTITION_ESP },
                { "lvm-pv", PED_PARTITION_LVM },
                { "md-member", PED_PARTITION_RAID },
        };
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if (streq(role, flags[i].role))
                        return ped_partition_set_flag(part, flags[i].flag, 1) ? 0 : -EIO;
#if HAVE_PED_PARTITION_SET_TYPE_UUID
        if (guid) {
                /* A uuid_t: the bytes in the order the text shows them. */
                uint8_t uuid[16];
                size_t n = 0;
                for (const char *p = guid; *p && n < 32; p++) {
                        unsigned v;
                        if (*p == '-')
                                continue;
                        if (sscanf(p, "%1x", &v) != 1)
                                return -EINVAL;
                        uuid[n / 2] = n % 2 == 0 ? (uint8_t) (v << 4) : (uint8_t) (uuid[n / 2] | v);
                        n++;
                }
                if (n == 32)
                        return ped_partition_set_type_uuid(part, uuid) ? 0 : -EIO;
        }
#endif
        return 0;
}

/* Reads the new table back with libblkid: every partition where the plan
 * says, with the type the plan says (types libparted cannot set are only
 * warned about). */
static int verify_types(Engine *e, json_object *disk, const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_blkid_probe_ blkid_probe pr = blkid_new_probe();
        if (fd < 0 || !pr || blkid_probe_set_device(pr, fd, 0, 0) < 0)
                return engine_fail(e, -EIO, "%s: cannot read the new partition table back", path);
        blkid_probe_enable_partitions(pr, 1);
        blkid_partlist pl = blkid_probe_get_partitions(pr);
        json_object *parts = json_get(disk, "partitions");
        if (!pl || blkid_partlist_numof_partitions(pl) != (int) json_array_len(parts))
                return engine_fail(e, -EIO, "%s: the new partition table has %d partitions, the plan %zu", path,
                                   pl ? blkid_partlist_numof_partitions(pl) : -1, json_array_len(parts));
        for (size_t i = 0; i < json_array_len(parts); i++) {
                json_object *p = json_array_at(parts, i);
                int number = (int) json_get_int(p, "number");
                blkid_partition bp = blkid_partlist_get_partition_by_partno(pl, number);
                const char *want = json_get_string(p, "gpt-type"), *got = bp ? blkid_partition_get_type_string(bp) : NULL;
                if (!bp || blkid_partition_get_start(bp) != json_get_int(p, "start-sector") ||
                    blkid_partition_get_start(bp) + blkid_partition_get_size(bp) - 1 != json_get_int(p, "end-sector"))
                        return engine_fail(e, -EIO, "%s: partition %d is not at sectors %" PRId64 "-%" PRId64 " as planned",
                                           path, number, json_get_int(p, "start-sector"), json_get_int(p, "end-sector"));
                if (want && (!got || strcasecmp(want, got) != 0)) {
                        const char *role = strempty(json_get_string(p, "role"));
                        bool flagged = streq(role, "bios-boot") || streq(role, "esp") || streq(role, "lvm-pv") || streq(role, "md-member");
                        if (flagged || HAVE_PED_PARTITION_SET_TYPE_UUID)
                                return engine_fail(e, -EIO, "%s: partition %d (%s) has type %s, the plan says %s", path, number,
                                                   role, strempty(got), want);
                        log_warning("%s: partition %d (%s) has type %s (this libparted cannot set %s).", path, number, role,
                                    strempty(got), want);
                }
        }
        return 0;
}

static int write_gpt(Engine *e, json_object *disk, const char *path) {
        PedDevice *dev = ped_device_get(path);
        if (!dev)
                return engine_fail(e, -ENODEV, "%s: libparted cannot open it: %s", path, strempty(parted_message));
        if (!ped_device_open(dev))
                return engine_fail(e, -EIO, "%s: libparted cannot open it: %s", path, strempty(parted_message));

        int r = 0;
        PedDisk *pd = ped_disk_new_fresh(dev, ped_disk_type_get("gpt"));
        if (!pd) {
                r = engine_fail(e, -EIO, "%s: cannot create a GPT: %s", path, strempty(parted_message));
                goto out;
        }
        json_object *parts = json_get(disk, "partitions");
        for (size_t i = 0; i < json_array_len(parts) && r >= 0; i++) {
                json_object *p = json_array_at(parts, i);
                PedSector start = json_get_int(p, "start-sector"), end = json_get_int(p, "end-sector");
                int number = (int) json_get_int(p, "number");
                const char *role = strempty(json_get_string(p, "role"));
                PedPartition *part = ped_partition_new(pd, PED_PARTITION_NORMAL, NULL, start, end);
                if (!part) {
                        r = engine_fail(e, -EIO, "%s: partition %d (%s, sectors %lld-%lld): %s", path, number, role,
                                        (long long) start, (long long) end, strempty(parted_message));
                        break;
                }
                part->num = number;
                PedConstraint *exact = ped_constraint_exact(&part->geom);
                if (!ped_disk_add_partition(pd, part, exact)) {
                        ped_constraint_destroy(exact);
                        ped_partition_destroy(part);
                        r = engine_fail(e, -EIO, "%s: cannot place partition %d at sectors %lld-%lld: %s", path, number,
                                        (long long) start, (long long) end, strempty(parted_message));
                        break;
                }
                ped_constraint_destroy(exact);
                if (set_part_type(part, role, json_get_string(p, "gpt-type")) < 0)
                        r = engine_fail(e, -EIO, "%s: cannot set the type of partition %d: %s", path, number, strempty(parted_message));
                if (r >= 0 && *role)
                        (void) ped_partition_set_name(part, role);
        }
        if (r >= 0 && !ped_disk_commit_to_dev(pd))
                r = engine_fail(e, -EIO, "%s: writing the partition table failed: %s", path, strempty(parted_message));
        if (r >= 0 && !ped_disk_commit_to_os(pd))
                r = engine_fail(e, -EIO, "%s: the kernel did not take the new partition table: %s", path, strempty(parted_message));
        if (r >= 0)
                log_info("%s: GPT written with %zu partitions.", path, json_array_len(parts));
out:
        if (pd)
                ped_disk_destroy(pd);
        ped_device_close(dev);
        ped_device_destroy(dev);
        return r;
}

static int wait_for_partitions(Engine *e, json_object *disk) {
        char *settle[] = { "udevadm", "settle", "--timeout=30", NULL };
        (void) spawn_checked(settle, &(SpawnOptions) { .quiet = true }, NULL);

        json_object *parts = json_get(disk, "partitions");
        for (int tries = 0; tries < 200; tries++) {
                size_t missing = 0;
                for (size_t i = 0; i < json_array_len(parts); i++) {
                        struct stat st;
                        const char *p = json_get_string(json_array_at(parts, i), "path");
                        if (!p || stat(p, &st) < 0 || !S_ISBLK(st.st_mode))
                                missing++;
                }
                if (missing == 0)
                        return 0;
                struct timespec ts = { 0, 100 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        return engine_fail(e, -ETIMEDOUT, "%s: the partition device nodes did not appear within 20 s",
                           strempty(json_get_string(disk, "path")));
}

int stage_disks(Engine *e) {
        json_object *disks = json_get(e->storage, "disks");
        _cleanup_(held_disks_done) HeldDisks held = {};
        int r;

        r = identify_disks(e, disks, &held);
        if (r < 0)
                return r;
        ped_exception_set_handler(parted_exception);
        for (size_t i = 0; i < json_array_len(disks); i++) {
                json_object *d = json_array_at(disks, i);
                const char *name = json_get_string(d, "name"), *path = json_get_string(d, "path");
                r = stop_users(e, name);
                if (r >= 0)
                        r = zfs_export_pools_on(e, name);
                if (r < 0)
                        return r;
                r = wipe_disk(e, d, path, held.fds[i], &held.ids[i]);
                if (r < 0)
                        return r;
                r = write_gpt(e, d, path);
                if (r < 0)
                        return r;
                r = verify_types(e, d, path);
                if (r < 0)
                        return r;
                ui_progress(e->c->ui, i + 1, json_array_len(disks), "disks");
        }
        for (size_t i = 0; i < json_array_len(disks); i++) {
                json_object *d = json_array_at(disks, i);
                r = wait_for_partitions(e, d);
                if (r < 0)
                        return r;
                json_object *parts = json_get(d, "partitions");
                for (size_t j = 0; j < json_array_len(parts); j++) {
                        json_object *p = json_array_at(parts, j);
                        r = engine_add_id(e, strempty(json_get_string(p, "id")), strempty(json_get_string(p, "path")));
                        if (r < 0)
                                return r;
                }
        }
        free(parted_message);
        parted_message = NULL;
        return 0;
}
