/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stage "storage": the plan's storage tree below the partitions, in
 * dependency order: md arrays, LUKS2 containers, LVM (physical volumes,
 * volume group, logical volumes, the thin pool), Btrfs over its members, ZFS
 * pools (installer/zfs.c), then
 * every file system and swap, then the mounts under the target. Names of
 * volume groups, md arrays and LUKS mappings never clash with ones that
 * exist elsewhere on the machine: a free name is picked instead (nothing on
 * another disk is renamed or touched). */

#include <inttypes.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define FORJA_CLEANUP_BLKID
#include "cleanup-libs.h"
#include "engine-internal.h"
#include "fileio.h"
#include "json-out.h"
#include "log.h"
#include "spawn.h"
#include "zfs.h"

/* ---- free names ---- */

static bool vg_exists(const char *name, void *userdata) {
        _cleanup_free_ char *out = NULL;
        char *argv[] = { "vgs", "--noheadings", "-o", "vg_name", NULL };
        if (spawn_checked(argv, &(SpawnOptions) { .quiet = true }, &out) < 0 || !out)
                return false;
        for (char *save = NULL, *tok = strtok_r(out, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
                if (streq(tok, name))
                        return true;
        return false;
}

static bool path_exists(const char *dir, const char *name) {
        _cleanup_free_ char *p = NULL;
        struct stat st;
        return asprintf(&p, "%s/%s", dir, name) >= 0 && stat(p, &st) == 0;
}

static bool mapper_taken(const char *name, void *userdata) {
        return path_exists("/dev/mapper", name);
}

static bool md_taken(const char *name) {
        return path_exists("/sys/block", name) || path_exists("/dev", name);
}

/* md arrays are named mdN: the first free N at or above the plan's. */
static char *free_md_name(const char *name) {
        unsigned n = 0;
        if (!startswith(name, "md") || sscanf(name + 2, "%u", &n) != 1)
                n = 0;
        for (unsigned i = n; i < n + 100; i++) {
                char buf[32];
                snprintf(buf, sizeof buf, "md%u", i);
                if (!md_taken(buf))
                        return strdup(buf);
        }
        return NULL;
}

/* ---- file systems ---- */

static int record_mount(Engine *e, const char *device, json_object *content) {
        const char *kind = json_get_string(content, "kind");
        bool swap = streq_ptr(kind, "swap");
        const char *mp = swap ? "none" : json_get_string(content, "mountpoint");
        if (!mp)
                return 0;

        /* The file system's UUID, for fstab. */
        _cleanup_blkid_probe_ blkid_probe pr = blkid_new_probe_from_filename(device);
        const char *uuid = NULL;
        if (!pr || blkid_do_safeprobe(pr) != 0 || blkid_probe_lookup_value(pr, "UUID", &uuid, NULL) < 0)
                return engine_fail(e, -EIO, "%s: no UUID found after creating the file system", device);

        const char *fstype = swap ? "swap" : json_get_string(content, "fstype");
        return engine_add_mount(e, &(MountRecord) {
                .mountpoint = (char *) mp,
                .device = (char *) device,
                .fstype = (char *) strempty(fstype),
                .uuid = (char *) uuid,
                .options = (char *) json_get_string(content, "mount-options"),
                /* Btrfs has no boot-time fsck (fsck.btrfs does nothing) */
                .pass = swap || streq_ptr(fstype, "btrfs") ? 0 : streq(mp, "/") ? 1 : 2,
        });
}

static int make_filesystem(Engine *e, const char *device, json_object *content) {
        const char *kind = json_get_string(content, "kind");
        const char *fstype = json_get_string(content, "fstype");
        char what[256];
        int r;

        if (!kind)
                return 0;
        snprintf(what, sizeof what, "creating %s on %s", streq(kind, "swap") ? "swap" : strempty(fstype), device);
        if (streq(kind, "swap")) {
                char *argv[] = { "mkswap", "-f", (char *) device, NULL };
                r = engine_run(e, what, argv);
        } else if (!streq(kind, "filesystem"))
                return 0;       /* lvm-pv, md-member, luks, btrfs-member, guest-storage: made elsewhere */
        else if (streq_ptr(fstype, "ext4")) {
                char *argv[] = { "mkfs.ext4", "-F", "-q", (char *) device, NULL };
                r = engine_run(e, what, argv);
        } else if (streq_ptr(fstype, "xfs")) {
                char *argv[] = { "mkfs.xfs", "-f", "-q", (char *) device, NULL };
                r = engine_run(e, what, argv);
        } else if (streq_ptr(fstype, "vfat")) {
                char *argv[] = { "mkfs.vfat", "-F", "32", (char *) device, NULL };
                r = engine_run(e, what, argv);
        } else
                return engine_fail(e, -EOPNOTSUPP, "%s: file system type '%s' is not supported here", device, strempty(fstype));
        if (r < 0)
                return r;
        return record_mount(e, device, content);
}

/* ---- md, LUKS, LVM, Btrfs ---- */

static int make_md_arrays(Engine *e) {
        json_object *arrays = json_get(e->storage, "md-arrays");
        for (size_t i = 0; i < json_array_len(arrays); i++) {
                json_object *a = json_array_at(arrays, i);
                _cleanup_free_ char *name = free_md_name(strempty(json_get_string(a, "name"))), *path = NULL, *level = NULL,
                                    *count = NULL, *meta = NULL, *offset = NULL;
                json_object *members = json_get(a, "members");
                size_t n = json_array_len(members);
                if (!name || asprintf(&path, "/dev/%s", name) < 0 ||
                    asprintf(&level, "--level=%s", strempty(json_get_string(a, "level"))) < 0 ||
                    asprintf(&count, "--raid-devices=%zu", n) < 0 ||
                    asprintf(&meta, "--metadata=%s", strempty(json_get_string(a, "metadata"))) < 0 ||
                    asprintf(&offset, "--data-offset=%" PRId64 "K", json_get_int(a, "data-offset-bytes") / 1024) < 0)
                        return -ENOMEM;

                char *argv[16 + 64] = { "mdadm", "--create", path, "--run", "--assume-clean", "--homehost=any", level, count, meta };
                size_t k = 9;
                if (json_get_int(a, "data-offset-bytes") > 0)
                        argv[k++] = offset;
                for (size_t j = 0; j < n && j < 64; j++) {
                        const char *dev = engine_lookup_id(e, strempty(json_object_get_string(json_array_at(members, j))));
                        if (!dev)
                                return engine_fail(e, -EINVAL, "plan: md array %s: unknown member", name);
                        argv[k++] = (char *) dev;
                }
                argv[k] = NULL;
                int r = engine_run(e, "creating the md array", argv);
                if (r < 0)
                        return r;
                r = engine_list_push(&e->md_running, &e->n_md_running, path);
                if (r >= 0)
                        r = engine_add_id(e, strempty(json_get_string(a, "id")), path);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The argon2id memory cost for luksFormat, in KiB: cryptsetup's own
 * default (up to 1 GiB, at most half the RAM) unless a quarter of the
 * memory available now is less. The installer runs from RAM, and
 * luksFormat's benchmark allocating half of it can end in the OOM killer on
 * a small machine; the node then unlocks with the same, smaller cost. 0: the
 * default. */
static uint64_t luks_pbkdf_memory_kib(void) {
        _cleanup_free_ char *meminfo = NULL;
        if (read_full_file("/proc/meminfo", 64 * 1024, &meminfo, NULL) < 0)
                return 0;
        const char *p = strstr(meminfo, "MemAvailable:");
        uint64_t kib;
        if (!p || sscanf(p, "MemAvailable: %" SCNu64, &kib) != 1)
                return 0;
        kib /= 4;
        return kib >= 1024 * 1024 ? 0 : MAX(kib, (uint64_t) 64 * 1024);
}

static int make_luks(Engine *e) {
        json_object *list = json_get(e->storage, "luks");
        const char *pass = e->c->answer ? e->c->answer->disks.encrypt_passphrase : NULL;

        for (size_t i = 0; i < json_array_len(list); i++) {
                json_object *l = json_array_at(list, i);
                if (!pass)
                        return engine_fail(e, -EINVAL, "the plan encrypts, and the answer has no passphrase");
                const char *dev = engine_lookup_id(e, strempty(json_get_string(l, "device")));
                _cleanup_free_ char *name = engine_free_name(strempty(json_get_string(l, "name")), mapper_taken, NULL), *path = NULL;
                if (!dev)
                        return engine_fail(e, -EINVAL, "plan: LUKS container %zu: unknown device", i);
                if (!name || asprintf(&path, "/dev/mapper/%s", name) < 0)
                        return -ENOMEM;
                /* The passphrase goes through stdin, never the command line. */
                char memory[32];
                uint64_t kib = luks_pbkdf_memory_kib();
                snprintf(memory, sizeof memory, "--pbkdf-memory=%" PRIu64, kib);
                char *format[] = { "cryptsetup", "luksFormat", "--type", "luks2", "--batch-mode", "--key-file=-", (char *) dev,
                                   kib > 0 ? memory : NULL, NULL };
                int r = engine_run_input(e, "encrypting the system volume", format, pass, strlen(pass));
                if (r < 0)
                        return r;
                char *open_argv[] = { "cryptsetup", "open", "--key-file=-", (char *) dev, name, NULL };
                r = engine_run_input(e, "opening the encrypted volume", open_argv, pass, strlen(pass));
                if (r < 0)
                        return r;
                /* TPM unlock: the recovery key's keyslot now; the TPM's
                 * (clevis) in stage bootloader, from the target chroot. */
                if (luks_tpm2_wanted(l) && (r = luks_add_recovery_key(e, dev, pass, kib > 0 ? memory : NULL)) < 0)
                        return r;
                r = engine_list_push(&e->luks_open, &e->n_luks_open, name);
                if (r >= 0)
                        r = engine_add_id(e, strempty(json_get_string(l, "id")), path);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Reads a new logical volume back: lvm2 must have made the size the plan
 * shows, and for the thin pool its metadata size (the plan has lvm2's
 * limit and rounding, docs/plan-json.md "Sizes at the boundaries"). */
static int verify_lv(Engine *e, const char *vg, json_object *lv) {
        _cleanup_free_ char *spec = NULL, *out = NULL;
        if (asprintf(&spec, "%s/%s", vg, strempty(json_get_string(lv, "name"))) < 0)
                return -ENOMEM;
        char *argv[] = { "lvs", "--noheadings", "--nosuffix", "--units", "b", "-o", "lv_size,lv_metadata_size,chunk_size", spec, NULL };
        int r = spawn_checked(argv, &(SpawnOptions) { .quiet = true }, &out);
        if (r < 0)
                return engine_fail(e, r, "%s: the new logical volume cannot be read back with lvs", spec);

        bool thin = streq_ptr(json_get_string(lv, "type"), "thin-pool");
        int64_t want = json_get_int(lv, "size-bytes"), want_meta = 0, want_chunk = 0;
        if (thin) {
                want_meta = json_get_int(lv, "metadata-size-bytes");
                want_chunk = json_get_int(lv, "chunk-size-bytes");
        }
        int64_t size = -1, meta = 0, chunk = 0;
        int n = out ? sscanf(out, "%" SCNd64 " %" SCNd64 " %" SCNd64, &size, &meta, &chunk) : 0;
        if (n < 1 || size != want || (thin && (n < 3 || meta != want_meta || chunk != want_chunk)))
                return engine_fail(e, -EIO, "%s: LVM made %" PRId64 " bytes (metadata %" PRId64 ", chunks %" PRId64 "), "
                                   "the plan says %" PRId64 " (metadata %" PRId64 ", chunks %" PRId64 ")",
                                   spec, size, meta, chunk, want, want_meta, want_chunk);
        log_info("%s: %" PRId64 " bytes%s as planned.", spec, size, thin ? " and its metadata" : "");
        return 0;
}

/* The volume group once its volumes are made: its size and free space
 * should be the plan's (the plan counts the pool's metadata and spare as
 * lvm2 makes them). The volumes themselves are checked by verify_lv(); a
 * group a few extents off (an md array rounded other than planned) holds
 * them all the same, so that is a warning, not a failed install: the e2e
 * scenarios require the "as planned" line. */
static int verify_vg(Engine *e, const char *name, json_object *vg) {
        _cleanup_free_ char *out = NULL;
        char *argv[] = { "vgs", "--noheadings", "--nosuffix", "--units", "b", "-o", "vg_size,vg_free", (char *) name, NULL };
        int r = spawn_checked(argv, &(SpawnOptions) { .quiet = true }, &out);
        if (r < 0)
                return engine_fail(e, r, "%s: the new volume group cannot be read back with vgs", name);
        int64_t size = -1, free_bytes = -1, want = json_get_int(vg, "size-bytes"), want_free = json_get_int(vg, "free-bytes");
        if (!out || sscanf(out, "%" SCNd64 " %" SCNd64, &size, &free_bytes) != 2 || size != want || free_bytes != want_free) {
                log_warning("volume group %s: LVM has %" PRId64 " bytes, %" PRId64 " free; the plan says %" PRId64 ", %"
                            PRId64 " free", name, size, free_bytes, want, want_free);
                return 0;
        }
        log_info("volume group %s: %" PRId64 " bytes, %" PRId64 " free, as planned.", name, size, free_bytes);
        return 0;
}

static int make_volume_groups(Engine *e) {
        json_object *vgs = json_get(e->storage, "volume-groups");
        for (size_t i = 0; i < json_array_len(vgs); i++) {
                json_object *vg = json_array_at(vgs, i);
                json_object *pvs = json_get(vg, "physical-volumes");
                _cleanup_free_ char *name = engine_free_name(strempty(json_get_string(vg, "name")), vg_exists, NULL);
                if (!name)
                        return -ENOMEM;
                char *pvcreate[8 + 64] = { "pvcreate", "-ff", "-y", "--metadatasize", "250k" };
                char *vgcreate[8 + 64] = { "vgcreate", "--yes", name };
                size_t k = 5, m = 3;
                for (size_t j = 0; j < json_array_len(pvs) && j < 64; j++) {
                        const char *dev = engine_lookup_id(e, strempty(json_object_get_string(json_array_at(pvs, j))));
                        if (!dev)
                                return engine_fail(e, -EINVAL, "plan: volume group %s: unknown physical volume", name);
                        pvcreate[k++] = vgcreate[m++] = (char *) dev;
                }
                int r = engine_run(e, "creating the LVM physical volume", pvcreate);
                if (r >= 0)
                        r = engine_run(e, "creating the LVM volume group", vgcreate);
                if (r < 0)
                        return r;
                r = engine_list_push(&e->vgs_active, &e->n_vgs_active, name);
                if (r >= 0)
                        r = engine_add_id(e, strempty(json_get_string(vg, "id")), name);
                if (r < 0)
                        return r;

                json_object *lvs = json_get(vg, "logical-volumes");
                for (size_t j = 0; j < json_array_len(lvs); j++) {
                        json_object *lv = json_array_at(lvs, j);
                        const char *lvname = strempty(json_get_string(lv, "name"));
                        char size[32], meta[32], chunk[32], what[128];
                        _cleanup_free_ char *path = NULL;
                        snprintf(size, sizeof size, "%" PRId64 "k", json_get_int(lv, "size-bytes") / 1024);
                        snprintf(meta, sizeof meta, "%" PRId64 "k", json_get_int(lv, "metadata-size-bytes") / 1024);
                        snprintf(chunk, sizeof chunk, "%" PRId64 "k", json_get_int(lv, "chunk-size-bytes") / 1024);
                        snprintf(what, sizeof what, "creating the logical volume %s/%s", name, lvname);
                        if (asprintf(&path, "/dev/%s/%s", name, lvname) < 0)
                                return -ENOMEM;
                        if (streq_ptr(json_get_string(lv, "type"), "thin-pool")) {
                                char *argv[] = { "lvcreate", "--yes", "--type", "thin-pool", "-L", size, "--poolmetadatasize", meta,
                                                 "--chunksize", chunk, "-n", (char *) lvname, name, NULL };
                                r = engine_run(e, what, argv);
                        } else {
                                char *argv[] = { "lvcreate", "--yes", "-Wy", "-Zy", "-L", size, "-n", (char *) lvname, name, NULL };
                                r = engine_run(e, what, argv);
                        }
                        if (r >= 0)
                                r = verify_lv(e, name, lv);
                        if (r >= 0)
                                r = engine_add_id(e, strempty(json_get_string(lv, "id")), path);
                        if (r >= 0)
                                r = make_filesystem(e, path, json_get(lv, "content"));
                        if (r < 0)
                                return r;
                }
                r = verify_vg(e, name, vg);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int make_btrfs(Engine *e) {
        json_object *list = json_get(e->storage, "btrfs");
        for (size_t i = 0; i < json_array_len(list); i++) {
                json_object *b = json_array_at(list, i);
                json_object *members = json_get(b, "members");
                char *argv[16 + 64] = { "mkfs.btrfs", "-f", "-q", "-d", (char *) strempty(json_get_string(b, "data-profile")),
                                        "-m", (char *) strempty(json_get_string(b, "metadata-profile")) };
                size_t k = 7;
                const char *first = NULL;
                for (size_t j = 0; j < json_array_len(members) && j < 64; j++) {
                        const char *dev = engine_lookup_id(e, strempty(json_object_get_string(json_array_at(members, j))));
                        if (!dev)
                                return engine_fail(e, -EINVAL, "plan: btrfs file system %zu: unknown member", i);
                        argv[k++] = (char *) dev;
                        first = first ?: dev;
                }
                argv[k] = NULL;
                if (!first)
                        return engine_fail(e, -EINVAL, "plan: btrfs file system %zu has no member", i);
                int r = engine_run(e, "creating the Btrfs file system", argv);
                if (r < 0)
                        return r;
                /* A multi-device Btrfs mounts once the kernel knows all
                 * members. The scan talks to /dev/btrfs-control, which only
                 * exists once the module is loaded (mkfs.btrfs does not load
                 * it, and the installer makes no static device nodes). */
                char *modprobe[] = { "modprobe", "btrfs", NULL };
                (void) spawn_checked(modprobe, &(SpawnOptions) { .quiet = true }, NULL);
                char *scan[] = { "btrfs", "device", "scan", NULL };
                r = engine_run(e, "scanning Btrfs devices", scan);
                if (r < 0)
                        return r;
                json_object *content = json_get(b, "content");
                r = engine_add_id(e, strempty(json_get_string(b, "id")), first);
                if (r >= 0)
                        r = record_mount(e, first, content);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* File systems directly on partitions, md arrays and LUKS containers. */
static int make_other_filesystems(Engine *e) {
        json_object *disks = json_get(e->storage, "disks");
        for (size_t i = 0; i < json_array_len(disks); i++) {
                json_object *parts = json_get(json_array_at(disks, i), "partitions");
                for (size_t j = 0; j < json_array_len(parts); j++) {
                        json_object *p = json_array_at(parts, j);
                        json_object *content = json_get(p, "content");
                        if (!content)
                                continue;
                        int r = make_filesystem(e, strempty(json_get_string(p, "path")), content);
                        if (r < 0)
                                return r;
                }
        }
        static const char *const shared[] = { "md-arrays", "luks" };
        for (size_t s = 0; s < ELEMENTSOF(shared); s++) {
                json_object *list = json_get(e->storage, shared[s]);
                for (size_t i = 0; i < json_array_len(list); i++) {
                        json_object *node = json_array_at(list, i);
                        const char *dev = engine_lookup_id(e, strempty(json_get_string(node, "id")));
                        if (!dev)
                                continue;
                        int r = make_filesystem(e, dev, json_get(node, "content"));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* ---- mounting ---- */

static int mount_depth(const char *mp) {
        int n = 0;
        for (; *mp; mp++)
                n += *mp == '/';
        return streq(mp, "/") ? 0 : n;
}

static int cmp_mounts(const void *a, const void *b) {
        const MountRecord *x = a, *y = b;
        bool xs = streq(x->mountpoint, "none"), ys = streq(y->mountpoint, "none");
        if (xs != ys)
                return xs - ys;
        int d = (streq(x->mountpoint, "/") ? 0 : mount_depth(x->mountpoint)) -
                (streq(y->mountpoint, "/") ? 0 : mount_depth(y->mountpoint));
        return d ?: strcmp(x->mountpoint, y->mountpoint);
}

static int mount_all(Engine *e) {
        qsort(e->mounts, e->n_mounts, sizeof(MountRecord), cmp_mounts);
        if (mkdir(e->c->target, 0755) < 0 && errno != EEXIST)
                return engine_fail(e, negative_errno(), "cannot create the target directory %s: %m", e->c->target);
        if (e->n_mounts == 0 || !streq(e->mounts[0].mountpoint, "/"))
                return engine_fail(e, -EINVAL, "plan: no root file system");
        for (size_t i = 0; i < e->n_mounts; i++) {
                MountRecord *m = &e->mounts[i];
                if (streq(m->mountpoint, "none") || m->mounted_by_tool)
                        continue;
                _cleanup_free_ char *where = engine_target_path(e, m->mountpoint);
                if (!where)
                        return -ENOMEM;
                char *argv[] = { "mkdir", "-p", where, NULL };
                int r = engine_run(e, "creating a mount point", argv);
                if (r < 0)
                        return r;
                if (mount(m->device, where, m->fstype, 0, NULL) < 0)
                        return engine_fail(e, negative_errno(), "mounting %s (%s) on %s: %m", m->device, m->fstype, where);
                r = engine_list_push(&e->mounted, &e->n_mounted, where);
                if (r < 0)
                        return r;
        }
        return 0;
}

int stage_storage(Engine *e) {
        int r;
        if ((r = make_md_arrays(e)) < 0 ||
            (r = make_luks(e)) < 0 ||
            (r = make_volume_groups(e)) < 0 ||
            (r = make_btrfs(e)) < 0 ||
            (r = zfs_make_pools(e)) < 0 ||
            (r = make_other_filesystems(e)) < 0)
                return r;
        return mount_all(e);
}
