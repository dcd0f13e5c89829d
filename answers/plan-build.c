/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Building the plan JSON from a resolved answer. Partition and volume sizes
 * come from partition/layout (the Proxmox formulas); the tree layout is
 * described in docs/plan-json.md. */

#include <math.h>

#define FORJA_CLEANUP_JSON
#include "answer-check.h"
#include "answer-locale.h"
#include "cleanup-libs.h"
#include "json-out.h"
#include "layout.h"
#include "plan.h"

#define GUID_BIOS_BOOT  "21686148-6449-6E6F-744E-656564454649"
#define GUID_ESP        "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define GUID_LINUX_FS   "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
#define GUID_LINUX_LVM  "E6D6D379-F507-44C2-A23C-238F2A3DF928"
#define GUID_LINUX_RAID "A19D880F-05FC-4D3B-A006-743F0F84911E"
#define GUID_LUKS       "CA7D7CCB-63ED-4C53-861C-1742536059CC"
#define GUID_ZFS        "6A898CC3-1DD2-11B2-99A6-080020736631"

#define BOOT_PART_MIB 1024ULL                   /* forja's /boot when the root is encrypted or on ZFS */
#define MD_DATA_OFFSET (128ULL * LAYOUT_MIB)    /* md superblock area, passed to mdadm --data-offset */
#define LUKS2_HEADER (16ULL * LAYOUT_MIB)       /* cryptsetup's default LUKS2 header */

typedef struct Builder {
        const Resolved *r;
        const Answer *a;
        const Hardware *hw;
        AnswerDiags *d;
        json_object *storage;
        json_object *md, *luks, *vgs, *pools, *btrfs;
        BootDiskLayout *layouts;        /* one per target disk */
} Builder;

static char *part_path(const char *disk, unsigned n) {
        char *s = NULL;
        size_t l = strlen(disk);
        bool digit = l > 0 && disk[l - 1] >= '0' && disk[l - 1] <= '9';
        if (asprintf(&s, "%s%s%u", disk, digit ? "p" : "", n) < 0)
                return NULL;
        return s;
}

static char *id_of(const char *kind, const char *name) {
        char *s = NULL;
        if (asprintf(&s, "%s:%s", kind, name) < 0)
                return NULL;
        return s;
}

static json_object *content(const char *kind) {
        json_object *c = json_object_new_object();
        json_add_string(c, "kind", kind);
        return c;
}

static json_object *content_fs(const char *fstype, const char *mountpoint, const char *options) {
        json_object *c = content("filesystem");
        json_add_string(c, "fstype", fstype);
        json_add_string(c, "mountpoint", mountpoint);
        json_add_string(c, "mount-options", options);
        return c;
}

static json_object *content_ref(const char *kind, const char *key, const char *id) {
        json_object *c = content(kind);
        json_add_string(c, key, id);
        return c;
}

/* A partition node; start and end are bytes, end exclusive. */
static json_object *partition(const HwDisk *disk, unsigned number, const char *role, const char *guid,
                              uint64_t start, uint64_t end, json_object *cont) {
        json_object *p = json_object_new_object();
        _cleanup_free_ char *path = part_path(disk->path ?: disk->name, number);
        char name[64];
        snprintf(name, sizeof(name), "%s%s", disk->name, path ? path + strlen(disk->path ?: disk->name) : "");
        _cleanup_free_ char *id = id_of("part", name);
        uint32_t lbs = disk->logical_sector_size ?: 512;

        json_add_string(p, "id", id);
        json_add_int(p, "number", number);
        json_add_string(p, "path", path);
        json_add_string(p, "role", role);
        json_add_string(p, "gpt-type", guid);
        json_add_int(p, "start-sector", (int64_t) (start / lbs));
        json_add_int(p, "end-sector", (int64_t) (end / lbs - 1));
        json_add_int(p, "start-bytes", (int64_t) start);
        json_add_int(p, "size-bytes", (int64_t) (end - start));
        json_add(p, "content", cont);
        return p;
}

static const char *part_id(json_object *part) {
        return json_get_string(part, "id");
}

static json_object *disk_node(const HwDisk *d) {
        json_object *o = json_object_new_object(), *cur = json_object_new_object(), *list = json_object_new_array();
        _cleanup_free_ char *id = id_of("disk", d->name);

        json_add_string(o, "id", id);
        json_add_string(o, "name", d->name);
        json_add_string(o, "path", d->path);
        json_add_string(o, "model", d->model);
        json_add_string(o, "serial", d->serial);
        json_add_int(o, "size-bytes", (int64_t) d->size_bytes);
        json_add_int(o, "logical-sector-size", d->logical_sector_size ?: 512);
        json_add_int(o, "physical-sector-size", d->physical_sector_size ?: d->logical_sector_size ?: 512);
        json_add_bool(o, "rotational", d->rotational);
        json_add_string(cur, "partition-table", d->pttype);
        for (char **c = d->contents; c && *c; c++)
                json_object_array_add(list, json_object_new_string(*c));
        json_add(cur, "contents", list);
        json_add_bool(cur, "unreadable", d->contents_unknown);
        json_add(o, "current", cur);
        json_add_string(o, "action", "wipe");
        json_add_string(o, "partition-table", "gpt");
        return o;
}

static bool lvm_fs(AnswerFs fs) {
        return fs == ANSWER_FS_EXT4 || fs == ANSWER_FS_XFS;
}

static json_object *lv(const char *vg, const char *name, uint64_t kib, json_object *cont) {
        json_object *o = json_object_new_object();
        _cleanup_free_ char *id = NULL, *path = NULL;
        if (asprintf(&id, "lv:%s/%s", vg, name) < 0 || asprintf(&path, "/dev/%s/%s", vg, name) < 0)
                return o;
        json_add_string(o, "id", id);
        json_add_string(o, "name", name);
        json_add_string(o, "path", path);
        json_add_string(o, "type", "linear");
        json_add_int(o, "size-bytes", (int64_t) (kib * 1024));
        json_add(o, "content", cont);
        return o;
}

/* The LVM volume group "pve" on one physical volume (partition, md array or
 * LUKS mapping) of pv_bytes; os_size_kib is what the sizes derive from. */
static int build_vg(Builder *b, const char *pv_id, uint64_t pv_bytes, uint64_t os_size_kib) {
        const Answer *a = b->a;
        const Resolved *r = b->r;
        const char *vgname = "pve";

        uint64_t swap = layout_swap_kib(os_size_kib, r->memory_mib, a->disks.swapsize);
        LvmLayout l;
        if (layout_lvm(os_size_kib, swap, a->disks.maxroot, a->disks.minfree, a->disks.maxvz, &l) < 0) {
                answer_diags_add(b->d, ANSWER_ERROR, answer_locate(a, "disk-setup", NULL), "disk-setup",
                                 "the disk is too small for a root volume");
                return -EINVAL;
        }

        VgLayout v;
        layout_vg(pv_bytes, &l, &v);
        if (v.used_bytes > v.size_bytes) {
                answer_diags_add(b->d, ANSWER_ERROR, answer_locate(a, "disk-setup", "lvm", NULL), "disk-setup.lvm",
                                 "the logical volumes (%.2f GiB) do not fit the volume group (%.2f GiB)",
                                 (double) v.used_bytes / (1 << 30), (double) v.size_bytes / (1 << 30));
                return -EINVAL;
        }

        json_object *vg = json_object_new_object(), *pvs = json_object_new_array(), *lvs = json_object_new_array();
        json_add_string(vg, "id", "vg:pve");
        json_add_string(vg, "name", vgname);
        json_object_array_add(pvs, json_object_new_string(pv_id));
        json_add(vg, "physical-volumes", pvs);
        json_add_int(vg, "extent-size-bytes", (int64_t) (LAYOUT_LVM_EXTENT_KIB * 1024));
        json_add_int(vg, "size-bytes", (int64_t) v.size_bytes);
        json_add_int(vg, "free-bytes", (int64_t) v.free_bytes);
        json_add_int(vg, "minfree-bytes", (int64_t) (l.minfree_kib * 1024));

        if (l.swap_kib > 0)
                json_object_array_add(lvs, lv(vgname, "swap", l.swap_kib, content("swap")));
        const char *fstype = answer_fs_to_string(a->disks.filesystem);
        json_object_array_add(lvs, lv(vgname, "root", l.root_kib,
                                      content_fs(fstype, "/", a->disks.filesystem == ANSWER_FS_EXT4 ? "errors=remount-ro" : "defaults")));
        if (l.data) {
                json_object *data = lv(vgname, "data", l.data_kib, NULL);
                json_add_string(data, "type", "thin-pool");
                json_add_int(data, "metadata-size-bytes", (int64_t) (l.data_metadata_kib * 1024));
                json_add_int(data, "chunk-size-bytes", (int64_t) (l.data_chunk_kib * 1024));
                json_object *c = content("guest-storage");
                json_add_string(c, "storage-id", "local-lvm");
                json_add(data, "content", c);
                json_object_array_add(lvs, data);
        } else
                answer_diags_add(b->d, ANSWER_WARNING, answer_locate(a, "disk-setup", NULL), "disk-setup",
                                 "no LVM thin pool for guest data: %s", isnan(a->disks.maxvz) ? "too little space left" : "maxvz is 4 GiB or less");
        json_add(vg, "logical-volumes", lvs);
        json_object_array_add(b->vgs, vg);
        return 0;
}

/* The partitions every target disk gets (BIOS boot, ESP, optional /boot, the
 * OS partition); returns the OS partition's node. */
static json_object *partition_disk(Builder *b, size_t i, json_object *disks, const char *os_role,
                                   const char *os_guid, json_object *os_content, json_object *boot_content,
                                   json_object **ret_boot) {
        const HwDisk *d = &b->hw->disks[b->r->disks[i]];
        const BootDiskLayout *l = &b->layouts[i];
        json_object *node = disk_node(d), *parts = json_object_new_array();
        uint32_t lbs = l->sector_size;

        if (l->bios_boot)
                json_object_array_add(parts, partition(d, 1, "bios-boot", GUID_BIOS_BOOT, 34ULL * lbs, 2048ULL * lbs, NULL));
        bool mount_esp = i == 0 && b->hw->uefi;
        /* With an ESP on several disks, the node must come up without the
         * first one (its /boot/efi): the mount is not required for booting. */
        const char *esp_options = mount_esp && b->r->n_disks > 1 ? "nofail" : NULL;
        json_object_array_add(parts, partition(d, 2, "esp", GUID_ESP, l->esp_start, l->esp_start + l->esp_size,
                                               content_fs("vfat", mount_esp ? "/boot/efi" : NULL, esp_options)));
        unsigned n = 3;
        if (l->extra_size) {
                json_object *bp = partition(d, n++, boot_content && json_get_string(boot_content, "array") ? "md-member" : "boot",
                                            boot_content && json_get_string(boot_content, "array") ? GUID_LINUX_RAID : GUID_LINUX_FS,
                                            l->extra_start, l->extra_start + l->extra_size, boot_content);
                json_object_array_add(parts, bp);
                if (ret_boot)
                        *ret_boot = bp;
        }
        json_object *os = partition(d, n, os_role, os_guid, l->os_start, l->os_end, os_content);
        json_object_array_add(parts, os);
        json_add(node, "partitions", parts);
        json_object_array_add(disks, node);
        return os;
}

/* A disk whose OS partition is a member (role) of a shared node (ref_key: id);
 * the partition id is appended to members when given. */
static json_object *partition_member(Builder *b, size_t i, json_object *disks, const char *role, const char *guid,
                                     const char *ref_key, const char *ref_id, json_object *members) {
        json_object *os = partition_disk(b, i, disks, role, guid, content_ref(role, ref_key, ref_id), NULL, NULL);
        if (members)
                json_object_array_add(members, json_object_new_string(part_id(os)));
        return os;
}

/* A node with "id" (KIND:NAME), "name" and "path" (DIR + NAME). */
static json_object *named_node(const char *kind, const char *name, const char *dir) {
        json_object *o = json_object_new_object();
        _cleanup_free_ char *id = id_of(kind, name), *path = NULL;
        if (asprintf(&path, "%s%s", dir, name) < 0)
                path = NULL;
        json_add_string(o, "id", id);
        json_add_string(o, "name", name);
        json_add_string(o, "path", path);
        return o;
}

/* tpm2: null, or how the TPM unlocks the container (clevis, PCR 7) and
 * where the recovery key goes. */
static json_object *tpm2_node(const Answer *a) {
        if (!a->disks.encrypt_tpm2)
                return NULL;
        json_object *o = json_object_new_object(), *pcrs = json_object_new_array(), *to = json_object_new_array();
        json_object_array_add(pcrs, json_object_new_int(7));
        json_add_string(o, "pin", "clevis-tpm2");
        json_add_string(o, "pcr-bank", "sha256");
        json_add(o, "pcrs", pcrs);
        if (a->disks.encrypt_recovery_key & ANSWER_RECOVERY_WEBHOOK)
                json_object_array_add(to, json_object_new_string("webhook"));
        if (a->disks.encrypt_recovery_key & ANSWER_RECOVERY_TTY1)
                json_object_array_add(to, json_object_new_string("tty1"));
        json_add(o, "recovery-key", to);
        return o;
}

static json_object *luks_node(const Answer *a, const char *name, const char *device_id, json_object *cont) {
        json_object *o = named_node("luks", name, "/dev/mapper/");
        json_add_string(o, "type", "luks2");
        json_add_string(o, "device", device_id);
        json_add_int(o, "header-bytes", (int64_t) LUKS2_HEADER);
        json_add_string(o, "passphrase", "from-answer");
        json_add(o, "tpm2", tpm2_node(a));
        json_add(o, "content", cont);
        return o;
}

static json_object *md_node(const char *name, const char *metadata, json_object *members, uint64_t size,
                            json_object *cont) {
        json_object *o = named_node("md", name, "/dev/");
        json_add_string(o, "level", "raid1");
        json_add_string(o, "metadata", metadata);
        json_add_int(o, "data-offset-bytes", streq(metadata, "1.2") ? (int64_t) MD_DATA_OFFSET : 0);
        json_add(o, "members", members);
        json_add_int(o, "size-bytes", (int64_t) size);
        json_add(o, "content", cont);
        return o;
}

/* forja's /boot over several disks: an md RAID1 of each disk's boot
 * partition, metadata 1.0 (at the end) so the boot loader reads each member
 * as plain ext4. add_boot_member() collects the partitions, boot_array() makes
 * the array over them, sized by the smallest. */
static void add_boot_member(json_object *members, uint64_t *min_size, json_object *bootp) {
        json_object_array_add(members, json_object_new_string(part_id(bootp)));
        *min_size = MIN(*min_size, (uint64_t) json_object_get_int64(json_get(bootp, "size-bytes")));
}

static json_object *boot_array(const char *name, json_object *members, uint64_t min_size) {
        return md_node(name, "1.0", members, min_size - LAYOUT_MIB, content_fs("ext4", "/boot", "defaults"));
}

static int build_lvm(Builder *b, json_object *disks) {
        const Answer *a = b->a;
        bool md = a->disks.raid == ANSWER_RAID1, enc = a->disks.encrypt;
        const char *pv_id;
        uint64_t pv_bytes, overhead = (md ? MD_DATA_OFFSET : 0) + (enc ? LUKS2_HEADER : 0);

        /* the chain below the volume group: os partition(s) [-> md0] [-> LUKS] -> PV */
        json_object *pv_content = content_ref("lvm-pv", "volume-group", "vg:pve");
        if (!md) {
                json_object *boot = enc ? content_fs("ext4", "/boot", "defaults") : NULL;
                json_object *os = partition_disk(b, 0, disks, enc ? "luks" : "lvm-pv", enc ? GUID_LUKS : GUID_LINUX_LVM,
                                                 enc ? content_ref("luks", "luks", "luks:cryptroot") : pv_content,
                                                 boot, NULL);
                pv_bytes = (uint64_t) json_object_get_int64(json_get(os, "size-bytes")) - overhead;
                if (enc) {
                        json_object_array_add(b->luks, luks_node(a, "cryptroot", part_id(os), pv_content));
                        pv_id = "luks:cryptroot";
                } else
                        pv_id = part_id(os);
                return build_vg(b, pv_id, pv_bytes, b->layouts[0].os_size_kib - overhead / 1024);
        }

        json_object *members = json_object_new_array(), *boot_members = enc ? json_object_new_array() : NULL;
        uint64_t min_os = UINT64_MAX, min_kib = UINT64_MAX, min_boot = UINT64_MAX;
        for (size_t i = 0; i < b->r->n_disks; i++) {
                json_object *bootp = NULL;
                json_object *os = partition_disk(b, i, disks, "md-member", GUID_LINUX_RAID,
                                                 content_ref("md-member", "array", "md:md0"),
                                                 enc ? content_ref("md-member", "array", "md:md1") : NULL, &bootp);
                json_object_array_add(members, json_object_new_string(part_id(os)));
                min_os = MIN(min_os, (uint64_t) json_object_get_int64(json_get(os, "size-bytes")));
                min_kib = MIN(min_kib, b->layouts[i].os_size_kib);
                if (bootp)
                        add_boot_member(boot_members, &min_boot, bootp);
        }
        json_object *md0_content = enc ? content_ref("luks", "luks", "luks:cryptroot") : pv_content;
        json_object_array_add(b->md, md_node("md0", "1.2", members, min_os - MD_DATA_OFFSET, md0_content));
        if (enc) {
                json_object_array_add(b->md, boot_array("md1", boot_members, min_boot));
                json_object_array_add(b->luks, luks_node(a, "cryptroot", "md:md0", pv_content));
                pv_id = "luks:cryptroot";
        } else
                pv_id = "md:md0";
        return build_vg(b, pv_id, min_os - overhead, min_kib - overhead / 1024);
}

static const char *zfs_vdev_type(AnswerRaid raid) {
        switch (raid) {
        case ANSWER_RAID1:
        case ANSWER_RAID10:
                return "mirror";
        case ANSWER_RAIDZ1:
                return "raidz1";
        case ANSWER_RAIDZ2:
                return "raidz2";
        case ANSWER_RAIDZ3:
                return "raidz3";
        default:
                return "stripe";
        }
}

static int build_zfs(Builder *b, json_object *disks) {
        const Answer *a = b->a;
        const Resolved *r = b->r;
        json_object *pool = json_object_new_object(), *vdevs = json_object_new_array(), *cur = NULL;

        /* /boot is ext4 on its own partition (boot_array() over several
         * disks): GRUB then needs no ZFS support, and the pool may use every
         * feature (zstd compression included), which GRUB's ZFS reader
         * does not. */
        bool md = r->n_disks > 1;
        json_object *boot_members = md ? json_object_new_array() : NULL;
        uint64_t min_boot = UINT64_MAX;
        for (size_t i = 0; i < r->n_disks; i++) {
                json_object *bootp = NULL;
                json_object *os = partition_disk(b, i, disks, "zfs-member", GUID_ZFS, content_ref("zfs-member", "pool", "zpool:rpool"),
                                                 md ? content_ref("md-member", "array", "md:md0")
                                                    : content_fs("ext4", "/boot", "defaults"),
                                                 &bootp);
                if (md && bootp)
                        add_boot_member(boot_members, &min_boot, bootp);
                bool new_vdev = !cur || (a->disks.raid == ANSWER_RAID10 && i % 2 == 0) ||
                                a->disks.raid == ANSWER_RAID0;
                if (new_vdev) {
                        cur = json_object_new_object();
                        json_add_string(cur, "type", a->disks.raid == ANSWER_RAID0 ? "disk" : zfs_vdev_type(a->disks.raid));
                        json_add(cur, "members", json_object_new_array());
                        json_object_array_add(vdevs, cur);
                }
                json_object_array_add(json_get(cur, "members"), json_object_new_string(part_id(os)));
        }
        json_add_string(pool, "id", "zpool:rpool");
        json_add_string(pool, "name", "rpool");
        json_add_string(pool, "raid", answer_raid_to_string(a->disks.raid));
        json_add(pool, "vdevs", vdevs);
        json_object *props = json_object_new_object();
        json_add_int(props, "ashift", r->zfs_ashift);
        json_add_string(props, "compression", r->zfs_compress);
        json_add_string(props, "checksum", r->zfs_checksum);
        json_add_int(props, "copies", r->zfs_copies);
        json_add(pool, "properties", props);
        json_add_int(pool, "arc-max-mib", (int64_t) r->zfs_arc_max);
        json_object *ds = json_object_new_array();
        /* Proxmox's: the root file system's container, the root file
         * system, and the guests' (Proxmox's storage local-zfs) */
        static const struct { const char *name, *mount, *storage; } datasets[] = {
                { "rpool/ROOT", NULL, NULL }, { "rpool/ROOT/pve-1", "/", NULL }, { "rpool/data", NULL, "local-zfs" },
        };
        for (size_t i = 0; i < ELEMENTSOF(datasets); i++) {
                json_object *o = json_object_new_object(), *c = NULL;
                json_add_string(o, "name", datasets[i].name);
                json_add_string(o, "mountpoint", datasets[i].mount);
                if (datasets[i].storage) {
                        c = content("guest-storage");
                        json_add_string(c, "storage-id", datasets[i].storage);
                }
                json_add(o, "content", c);
                json_object_array_add(ds, o);
        }
        json_add(pool, "datasets", ds);
        json_object_array_add(b->pools, pool);
        if (md)
                json_object_array_add(b->md, boot_array("md0", boot_members, min_boot));
        return 0;
}

static int build_btrfs(Builder *b, json_object *disks) {
        const Answer *a = b->a;
        const Resolved *r = b->r;
        json_object *fs = json_object_new_object(), *members = json_object_new_array();

        for (size_t i = 0; i < r->n_disks; i++)
                partition_member(b, i, disks, "btrfs-member", GUID_LINUX_FS, "filesystem", "btrfs:root", members);
        /* one disk is always "single", as the installer does it */
        const char *profile = r->n_disks == 1 ? "single" :
                              a->disks.raid == ANSWER_RAID1 ? "raid1" : a->disks.raid == ANSWER_RAID10 ? "raid10" : "raid0";
        json_add_string(fs, "id", "btrfs:root");
        json_add_string(fs, "raid", answer_raid_to_string(a->disks.raid));
        json_add_string(fs, "data-profile", profile);
        json_add_string(fs, "metadata-profile", profile);
        json_add(fs, "members", members);
        json_add_string(fs, "compress", r->btrfs_compress);
        json_add(fs, "content", content_fs("btrfs", "/", "defaults"));
        json_object *subvols = json_object_new_array();
        json_object_array_add(subvols, json_object_new_string("var/lib/pve/local-btrfs"));
        json_add(fs, "subvolumes", subvols);
        json_object_array_add(b->btrfs, fs);
        return 0;
}

static int build_storage(Builder *b, json_object *plan) {
        const Answer *a = b->a;
        const Resolved *r = b->r;
        json_object *s = json_object_new_object(), *disks = json_object_new_array();
        int q;

        b->md = json_object_new_array();
        b->luks = json_object_new_array();
        b->vgs = json_object_new_array();
        b->pools = json_object_new_array();
        b->btrfs = json_object_new_array();
        json_add(plan, "storage", s);

        json_add_string(s, "filesystem", answer_fs_to_string(a->disks.filesystem));
        json_add_string(s, "raid", answer_raid_to_string(a->disks.raid));
        json_add(s, "hdsize-gib", json_object_new_double(r->hdsize));
        json_add_string(s, "existing-data", a->disks.existing_data == ANSWER_EXISTING_REFUSE ? "refuse" : "wipe");
        json_add_bool(s, "encrypt", a->disks.encrypt);
        json_add_bool(s, "reinstall", a->disks.reinstall);

        b->layouts = calloc(r->n_disks ?: 1, sizeof(BootDiskLayout));
        if (!b->layouts)
                return -ENOMEM;
        uint64_t extra = a->disks.encrypt || a->disks.filesystem == ANSWER_FS_ZFS ? BOOT_PART_MIB : 0;
        for (size_t i = 0; i < r->n_disks; i++) {
                const HwDisk *d = &b->hw->disks[r->disks[i]];
                q = layout_boot_disk(d->size_bytes, d->logical_sector_size, r->hdsize, extra, &b->layouts[i]);
                if (q < 0)
                        return q;
        }

        json_add(s, "disks", disks);
        if (lvm_fs(a->disks.filesystem))
                q = build_lvm(b, disks);
        else if (a->disks.filesystem == ANSWER_FS_ZFS)
                q = build_zfs(b, disks);
        else
                q = build_btrfs(b, disks);

        json_add(s, "md-arrays", b->md);
        json_add(s, "luks", b->luks);
        json_add(s, "volume-groups", b->vgs);
        json_add(s, "zfs-pools", b->pools);
        json_add(s, "btrfs", b->btrfs);
        return q;
}

static json_object *build_network(const Resolved *r) {
        const Answer *a = r->answer;
        json_object *n = json_object_new_object();
        IpAddress addr;
        unsigned prefix = 0;
        char buf[64] = "";

        json_add_string(n, "source", a->network.source == ANSWER_NET_FROM_ANSWER ? "from-answer" : "from-dhcp");
        json_add_string(n, "interface", r->nic->name);
        json_add_string(n, "mac", r->nic->mac);
        json_add_string(n, "driver", r->nic->driver);
        json_add_string(n, "interface-on-target", r->ifname);
        json_add_string(n, "cidr", r->cidr);
        if (!check_cidr(r->cidr, &addr, &prefix)) {
                const char *slash = strchr(r->cidr, '/');
                snprintf(buf, sizeof(buf), "%.*s", (int) (slash - r->cidr), r->cidr);
        }
        json_add_string(n, "address", buf);
        json_add_int(n, "prefix-length", prefix);
        json_add_string(n, "gateway", r->gateway);
        json_add_string(n, "dns", r->dns);
        json_add_bool(n, "from-dhcp-lease", r->net_from_dhcp);
        json_add_bool(n, "fallback-address", r->net_fallback);
        json_object *pin = json_object_new_object(), *map = json_object_new_object();
        json_add_bool(pin, "enabled", a->network.pinning);
        for (size_t i = 0; i < r->n_pins; i++)
                json_add_string(map, r->pins[i].mac, r->pins[i].name);
        json_add(pin, "mapping", map);
        json_add(n, "interface-name-pinning", pin);
        return n;
}

static json_object *build_system(const Resolved *r) {
        const Answer *a = r->answer;
        json_object *s = json_object_new_object(), *kb = json_object_new_object(), *pw = json_object_new_object();
        _cleanup_free_ char *fqdn = NULL;

        if (asprintf(&fqdn, "%s.%s", r->hostname, r->domain) < 0)
                fqdn = NULL;
        json_add_string(s, "hostname", r->hostname);
        json_add_string(s, "domain", r->domain);
        json_add_string(s, "fqdn", fqdn);
        json_add_string(s, "fqdn-source", a->global.fqdn_from_dhcp ? "from-dhcp" : "from-answer");
        json_add_string(s, "country", a->global.country);
        const KeyboardLayout *k = keyboard_layout_find(a->global.keyboard);
        json_add_string(kb, "layout", a->global.keyboard);
        json_add_string(kb, "xkb-layout", k ? k->x11 : NULL);
        json_add_string(kb, "xkb-variant", k ? k->x11_variant : NULL);
        json_add(s, "keyboard", kb);
        json_add_string(s, "timezone", a->global.timezone);
        json_add_string(s, "mailto", a->global.mailto);
        json_add_string(pw, "kind", a->global.root_password ? "plain" : "hashed");
        json_add(s, "root-password", pw);
        json_object *keys = json_object_new_array();
        for (char **key = a->global.root_ssh_keys; key && *key; key++)
                json_object_array_add(keys, json_object_new_string(*key));
        json_add(s, "root-ssh-keys", keys);
        json_add_bool(s, "reboot-on-error", a->global.reboot_on_error);
        json_add_string(s, "reboot-mode", a->global.reboot_mode == ANSWER_POWER_OFF ? "power-off" : "reboot");
        return s;
}

static json_object *build_first_boot(const Answer *a) {
        json_object *f = json_object_new_object();
        json_add_bool(f, "enabled", a->first_boot.set);
        if (!a->first_boot.set)
                return f;
        json_add_string(f, "source", a->first_boot.source == ANSWER_FIRST_BOOT_FROM_URL ? "from-url" : "from-iso");
        json_add_string(f, "ordering", answer_first_boot_ordering_to_string(a->first_boot.ordering));
        json_add_string(f, "systemd-target", answer_first_boot_target(a->first_boot.ordering));
        json_add_string(f, "url", a->first_boot.url);
        json_add_string(f, "cert-fingerprint", a->first_boot.cert_fingerprint);
        if (a->first_boot.sha256)
                json_add_string(f, "sha256", a->first_boot.sha256);
        json_add_bool(f, "allow-unverified-http", a->first_boot.allow_unverified_http);
        return f;
}

static json_object *build_webhooks(const Answer *a) {
        json_object *l = json_object_new_array();
        if (!a->webhook.set)
                return l;
        json_object *w = json_object_new_object();
        json_add_string(w, "event", "post-installation");
        json_add_string(w, "url", a->webhook.url);
        json_add_string(w, "cert-fingerprint", a->webhook.cert_fingerprint);
        json_add_bool(w, "auth-token-set", a->webhook.auth_token != NULL);
        json_object_array_add(l, w);
        return l;
}

static json_object *build_cluster(const Resolved *r) {
        const Answer *a = r->answer;
        json_object *c = json_object_new_object();
        json_add_string(c, "mode", answer_cluster_mode_to_string(a->cluster.mode));
        if (a->cluster.mode == ANSWER_CLUSTER_STANDALONE)
                return c;
        json_add_string(c, "server-name", a->cluster.server_name ?: r->hostname);
        /* default: the management address, Incus's port */
        _cleanup_free_ char *addr = NULL;
        if (!a->cluster.address && r->cidr) {
                const char *slash = strchr(r->cidr, '/');
                bool v6 = strchr(r->cidr, ':') != NULL;
                if (asprintf(&addr, "%s%.*s%s:8443", v6 ? "[" : "", (int) (slash ? slash - r->cidr : (long) strlen(r->cidr)),
                             r->cidr, v6 ? "]" : "") < 0)
                        addr = NULL;
        }
        json_add_string(c, "address", a->cluster.address ?: addr);
        json_add_bool(c, "verify", a->cluster.verify);
        json_add_bool(c, "token-set", a->cluster.token != NULL);
        json_object *st = json_object_new_object(), *cfg = json_object_new_object();
        json_add_string(st, "pool", a->cluster.storage.pool);
        json_add_string(st, "driver", a->cluster.storage.driver);
        json_add_string(st, "source", a->cluster.storage.source);
        for (size_t i = 0; i < a->cluster.storage.config.n; i++)
                json_add_string(cfg, a->cluster.storage.config.items[i].key, a->cluster.storage.config.items[i].value);
        json_add(st, "config", cfg);
        json_add(c, "storage", st);
        json_object *nw = json_object_new_object(), *ncfg = json_object_new_object();
        json_add_string(nw, "mode", a->cluster.network.mode);
        json_add_string(nw, "name", a->cluster.network.name);
        json_add_string(nw, "profile", a->cluster.network.profile);
        json_add_string(nw, "device", a->cluster.network.device);
        for (size_t i = 0; i < a->cluster.network.config.n; i++)
                json_add_string(ncfg, a->cluster.network.config.items[i].key, a->cluster.network.config.items[i].value);
        json_add(nw, "config", ncfg);
        json_add(c, "network", nw);
        return c;
}

int plan_build(const Resolved *r, const char *answer_path, json_object **ret, AnswerDiags *diags) {
        const Answer *a = r->answer;
        _cleanup_json_ json_object *plan = json_object_new_object();
        Builder b = { .r = r, .a = a, .hw = r->hw, .d = diags };
        int q;

        if (!plan)
                return -ENOMEM;
        json_add_string(plan, "format", "forja-plan");
        json_add_int(plan, "version", PLAN_FORMAT_VERSION);
        json_add_string(plan, "answer", answer_path);

        json_object *hw = json_object_new_object();
        json_add_string(hw, "firmware", r->hw->uefi ? "uefi" : "bios");
        json_add_bool(hw, "secure-boot", r->hw->secure_boot);
        json_add_int(hw, "memory-bytes", (int64_t) r->hw->memory_bytes);
        json_add(plan, "hardware", hw);

        size_t errors = answer_diags_errors(diags);
        q = build_storage(&b, plan);
        free(b.layouts);
        if (q < 0 && q != -EINVAL)
                return q;
        if (answer_diags_errors(diags) > errors)
                return -EINVAL;

        json_add(plan, "network", build_network(r));
        json_add(plan, "system", build_system(r));
        json_add(plan, "first-boot", build_first_boot(a));
        json_add(plan, "webhooks", build_webhooks(a));
        json_add(plan, "cluster", build_cluster(r));
        json_object *w = json_object_new_array();
        for (char **c = a->waive_checks; c && *c; c++)
                json_object_array_add(w, json_object_new_string(*c));
        json_add(plan, "checks-waived", w);

        json_object *wl = json_object_new_array();
        for (size_t i = 0; i < diags->n; i++)
                if (diags->items[i].severity == ANSWER_WARNING) {
                        _cleanup_free_ char *line = NULL;
                        if (asprintf(&line, "%s: %s", diags->items[i].key, diags->items[i].message) >= 0)
                                json_object_array_add(wl, json_object_new_string(line));
                }
        json_add(plan, "warnings", wl);

        *ret = TAKE_PTR(plan);
        return 0;
}
