/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ZFS in the install engine: whether this installer and the node image can
 * make a ZFS root at all, the pools of the plan (zpool create with the
 * answer's properties, the datasets, bootfs), releasing pools an earlier,
 * interrupted run left imported on the plan's disks, and the node settings
 * the pool needs (hostid, ARC maximum, root=ZFS= on the kernel command line).
 *
 * The pool is created with the target as its altroot, so the root dataset is
 * mounted on the target at once, and with no cache file: the node's
 * initramfs imports it by name (root=ZFS=POOL/ROOT/pve-1). It is exported when
 * the install ends (engine_unwind), so the node imports it cleanly whatever
 * the installer's hostid was. Pool names never clash with a pool on a disk
 * that is not in the plan: a free name is picked instead (POOL-1...). */

#include <inttypes.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "engine-internal.h"
#include "fileio.h"
#include "json-out.h"
#include "log.h"
#include "spawn.h"
#include "strutil.h"
#include "zfs.h"

static int run_capture(char *const argv[], char **ret) {
        SpawnResult res = {};
        SpawnOptions o = { .capture_stdout = true, .quiet = true, .timeout_sec = 120 };
        int r = spawn(argv, &o, &res);
        if (r >= 0 && res.exit_status != 0)
                r = -EIO;
        if (r >= 0)
                *ret = TAKE_PTR(res.out);
        spawn_result_done(&res);
        return r;
}

bool zfs_supported(char **ret_why) {
        char *zpool[] = { "zpool", "version", NULL };
        _cleanup_free_ char *out = NULL;
        if (run_capture(zpool, &out) < 0) {
                if (ret_why)
                        *ret_why = strdup("this installer has no zpool command");
                return false;
        }
        char *modprobe[] = { "modprobe", "--dry-run", "zfs", NULL };
        if (spawn_checked(modprobe, &(SpawnOptions) { .quiet = true }, NULL) < 0) {
                if (ret_why)
                        *ret_why = strdup("this installer's kernel has no zfs module");
                return false;
        }
        return true;
}

bool zfs_manifest_has_zfs(json_object *manifest) {
        json_object *packages = json_get(manifest, "packages");
        bool utils = false, initramfs = false;
        for (size_t i = 0; i < json_array_len(packages); i++) {
                const char *name = json_get_string(json_array_at(packages, i), "name");
                utils = utils || streq_ptr(name, "zfsutils-linux");
                initramfs = initramfs || streq_ptr(name, "zfs-initramfs");
        }
        return utils && initramfs;
}

/* "vda4" is on "vda", "nvme0n1p2" on "nvme0n1"; "vdaa1" is not on "vda". */
static bool partition_of(const char *dev, const char *disk) {
        const char *base = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
        const char *rest = startswith(base, disk);
        if (!rest)
                return false;
        if (*rest == 'p' && rest[1])
                rest++;
        return strspn(rest, "0123456789") == strlen(rest);
}

static bool on_any(const char *dev, const char *const *disks) {
        for (; disks && *disks; disks++)
                if (partition_of(dev, *disks))
                        return true;
        return false;
}

static int names_add(char ***names, size_t *n, const char *pool) {
        for (size_t i = 0; i < *n; i++)
                if (streq((*names)[i], pool))
                        return 0;
        char **l = realloc(*names, (*n + 2) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        *names = l;
        if (!(l[*n] = strdup(pool)))
                return -ENOMEM;
        l[++*n] = NULL;
        return 0;
}

int zfs_parse_pools(const char *text, bool import_format, const char *const *disks, bool off_disks, char ***ret) {
        _cleanup_free_ char *copy = strdup(strempty(text));
        char **names = NULL, pool[256] = "";
        size_t n = 0;
        bool in_config = false;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line && r >= 0; line = strtok_r(NULL, "\n", &save)) {
                char first[256];
                const char *dev = NULL;
                if (import_format) {
                        /* `zpool import`: "   pool: NAME", then after
                         * " config:" the tree: the pool, vdevs (mirror-0,
                         * raidz1-0...), leaf devices. */
                        const char *trimmed = line + strspn(line, " \t"), *v;
                        if ((v = startswith(trimmed, "pool: "))) {
                                snprintf(pool, sizeof pool, "%s", v);
                                in_config = false;
                        } else if (startswith(trimmed, "config:"))
                                in_config = true;
                        else if (in_config && pool[0] && sscanf(line, "%255s", first) == 1 && !streq(first, pool) &&
                                 !strchr(first, '-') && !streq(first, "logs") && !streq(first, "cache") &&
                                 !streq(first, "spares") && !streq(first, "special") && !streq(first, "dedup"))
                                dev = first;
                } else if (line[0] != '\t') {
                        /* `zpool list -H -v -P`: a pool's line, then its vdevs
                         * and devices indented by tabs, devices as paths */
                        if (sscanf(line, "%255s", pool) != 1)
                                pool[0] = 0;
                } else if (pool[0] && sscanf(line, "%255s", first) == 1 && startswith(first, "/dev/"))
                        dev = first;
                if (dev && on_any(dev, disks) != off_disks)
                        r = names_add(&names, &n, pool);
        }
        if (r < 0) {
                strv_free(names);
                return r;
        }
        *ret = names;
        return (int) n;
}

static const char **plan_disk_names(Engine *e) {
        json_object *disks = json_get(e->storage, "disks");
        size_t n = json_array_len(disks);
        const char **l = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; l && i < n; i++)
                l[i] = strempty(json_get_string(json_array_at(disks, i), "name"));
        return l;
}

int zfs_export_pools_on(Engine *e, const char *disk) {
        _cleanup_free_ char *out = NULL;
        _cleanup_strv_free_ char **pools = NULL;
        char *list[] = { "zpool", "list", "-H", "-v", "-P", NULL };
        if (run_capture(list, &out) < 0)
                return 0;       /* no ZFS here, or no pool imported */
        const char *const disks[] = { disk, NULL };
        int r = zfs_parse_pools(out, false, disks, false, &pools);
        for (size_t i = 0; r >= 0 && pools && pools[i]; i++) {
                log_notice("ZFS pool %s, left imported on %s by an earlier run, is exported.", pools[i], disk);
                char *argv[] = { "zpool", "export", "-f", pools[i], NULL };
                r = engine_run(e, "exporting a ZFS pool that uses a disk of the plan", argv);
        }
        return r < 0 ? r : 0;
}

/* Names in use: every imported pool, and every importable pool with a
 * device outside the plan (a stale label on the plan's own disks does not
 * count: those disks are being rewritten). */
static char **pool_names_in_use(Engine *e) {
        _cleanup_free_ char *imported = NULL, *importable = NULL;
        _cleanup_free_ const char **disks = plan_disk_names(e);
        char **names = NULL;
        size_t n = 0;
        char *list[] = { "zpool", "list", "-H", "-o", "name", NULL };
        if (run_capture(list, &imported) >= 0)
                for (char *save = NULL, *t = strtok_r(imported, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
                        if (names_add(&names, &n, t) < 0)
                                break;
        char *import[] = { "zpool", "import", NULL };
        _cleanup_strv_free_ char **foreign = NULL;
        if (disks && run_capture(import, &importable) >= 0 && zfs_parse_pools(importable, true, disks, true, &foreign) > 0)
                for (size_t i = 0; foreign[i]; i++)
                        if (names_add(&names, &n, foreign[i]) < 0)
                                break;
        return names;
}

static bool name_in(const char *name, void *userdata) {
        for (char **l = userdata; l && *l; l++)
                if (streq(*l, name))
                        return true;
        return false;
}

static char *free_pool_name(Engine *e, const char *name) {
        _cleanup_strv_free_ char **used = pool_names_in_use(e);
        return engine_free_name(name, name_in, used);
}

/* A dataset name of the plan ("rpool/ROOT/pve-1") with the pool's real name. */
static char *dataset_name(const char *plan_pool, const char *pool, const char *plan_name) {
        const char *rest = startswith(plan_name, plan_pool);
        char *s;
        if (!rest || (*rest && *rest != '/'))
                return NULL;
        return asprintf(&s, "%s%s", pool, rest) < 0 ? NULL : s;
}

static int make_pool(Engine *e, json_object *p) {
        const char *plan_name = strempty(json_get_string(p, "name"));
        json_object *props = json_get(p, "properties"), *vdevs = json_get(p, "vdevs");
        _cleanup_free_ char *name = free_pool_name(e, plan_name);
        if (!name)
                return -ENOMEM;

        char ashift[32], compression[64], checksum[64], copies[32];
        snprintf(ashift, sizeof ashift, "ashift=%" PRId64, json_get_int(props, "ashift"));
        snprintf(compression, sizeof compression, "compression=%s", strempty(json_get_string(props, "compression")));
        snprintf(checksum, sizeof checksum, "checksum=%s", strempty(json_get_string(props, "checksum")));
        snprintf(copies, sizeof copies, "copies=%" PRId64, json_get_int(props, "copies"));
        char *argv[64 + 128] = {
                "zpool", "create", "-f", "-o", ashift, "-o", "autotrim=on",
                "-O", compression, "-O", checksum, "-O", copies, "-O", "acltype=posixacl", "-O", "xattr=sa",
                "-O", "relatime=on", "-O", "dnodesize=auto", "-O", "canmount=off", "-O", "mountpoint=none",
                "-R", (char *) e->c->target, name,
        };
        size_t k = 0;
        while (argv[k])
                k++;
        for (size_t i = 0; i < json_array_len(vdevs); i++) {
                json_object *v = json_array_at(vdevs, i);
                const char *type = json_get_string(v, "type");
                json_object *members = json_get(v, "members");
                if (type && !streq(type, "disk") && !streq(type, "stripe") && k < ELEMENTSOF(argv) - 2)
                        argv[k++] = (char *) type;
                for (size_t j = 0; j < json_array_len(members) && k < ELEMENTSOF(argv) - 2; j++) {
                        const char *dev = engine_lookup_id(e, strempty(json_object_get_string(json_array_at(members, j))));
                        if (!dev)
                                return engine_fail(e, -EINVAL, "plan: ZFS pool %s: unknown vdev member", plan_name);
                        argv[k++] = (char *) dev;
                }
        }
        argv[k] = NULL;
        if (mkdir(e->c->target, 0755) < 0 && errno != EEXIST)
                return engine_fail(e, negative_errno(), "cannot create the target directory %s: %m", e->c->target);
        char *modprobe[] = { "modprobe", "zfs", NULL };
        int r = engine_run(e, "loading the zfs kernel module", modprobe);
        if (r >= 0)
                r = engine_run(e, "creating the ZFS pool", argv);
        if (r < 0)
                return r;
        r = engine_list_push(&e->zpools, &e->n_zpools, name);
        if (r >= 0)
                r = engine_add_id(e, strempty(json_get_string(p, "id")), name);
        if (r < 0)
                return r;

        json_object *datasets = json_get(p, "datasets");
        _cleanup_free_ char *root = NULL;
        for (size_t i = 0; i < json_array_len(datasets); i++) {
                json_object *d = json_array_at(datasets, i);
                const char *mp = json_get_string(d, "mountpoint");
                _cleanup_free_ char *ds = dataset_name(plan_name, name, strempty(json_get_string(d, "name")));
                char what[300];
                if (!ds)
                        return engine_fail(e, -EINVAL, "plan: ZFS dataset %s is not in pool %s",
                                           strempty(json_get_string(d, "name")), plan_name);
                snprintf(what, sizeof what, "creating the ZFS dataset %s", ds);
                if (mp) {
                        _cleanup_free_ char *opt = NULL;
                        if (asprintf(&opt, "mountpoint=%s", mp) < 0)
                                return -ENOMEM;
                        char *create[] = { "zfs", "create", "-o", opt, ds, NULL };
                        r = engine_run(e, what, create);
                        if (r >= 0 && streq(mp, "/") && !root && !(root = strdup(ds)))
                                r = -ENOMEM;
                } else {
                        /* containers of datasets (POOL/ROOT) and the guests'
                         * dataset (POOL/data, used by Incus) are not mounted */
                        char *create[] = { "zfs", "create", "-o", "canmount=off", "-o", "mountpoint=none", ds, NULL };
                        r = engine_run(e, what, create);
                }
                if (r < 0)
                        return r;
        }
        if (!root)
                return engine_fail(e, -EINVAL, "plan: ZFS pool %s has no dataset on /", plan_name);
        _cleanup_free_ char *bootfs = NULL;
        if (asprintf(&bootfs, "bootfs=%s", root) < 0)
                return -ENOMEM;
        char *set[] = { "zpool", "set", bootfs, name, NULL };
        r = engine_run(e, "setting the pool's boot file system", set);
        if (r < 0)
                return r;
        return engine_add_mount(e, &(MountRecord) {
                .mountpoint = (char *) "/",
                .device = root,
                .fstype = (char *) "zfs",
                .mounted_by_tool = true,
        });
}

int zfs_make_pools(Engine *e) {
        json_object *pools = json_get(e->storage, "zfs-pools");
        for (size_t i = 0; i < json_array_len(pools); i++) {
                int r = make_pool(e, json_array_at(pools, i));
                if (r < 0)
                        return r;
        }
        return 0;
}

const char *zfs_root_dataset(const Engine *e) {
        for (size_t i = 0; i < e->n_mounts; i++)
                if (streq(e->mounts[i].mountpoint, "/") && streq_ptr(e->mounts[i].fstype, "zfs"))
                        return e->mounts[i].device;
        return NULL;
}

int zfs_write_node_settings(Engine *e, bool *ret_initramfs_changed) {
        const char *root = zfs_root_dataset(e);
        int r;

        if (!root)
                return 0;
        /* /etc/hostid: the node's own, also in its initramfs, so the pool it
         * imports there is its own on every later boot. */
        uint32_t id;
        _cleanup_free_ char *hostid = engine_target_path(e, "/etc/hostid");
        if (!hostid)
                return -ENOMEM;
        r = getrandom(&id, sizeof id, 0) == (ssize_t) sizeof id ? 0 : -EIO;
        if (r >= 0)
                r = write_file_atomic(hostid, &id, sizeof id, 0644);
        if (r < 0)
                return engine_fail(e, r, "writing /etc/hostid: %s", strerror(-r));

        /* The ARC maximum of the answer (0: ZFS's own default). */
        json_object *pool = json_array_at(json_get(e->storage, "zfs-pools"), 0);
        int64_t arc = json_get_int(pool, "arc-max-mib");
        if (arc > 0) {
                _cleanup_free_ char *dir = engine_target_path(e, "/etc/modprobe.d"),
                                    *path = engine_target_path(e, "/etc/modprobe.d/zfs.conf"), *text = NULL;
                if (!dir || !path ||
                    asprintf(&text, "# Written by the forja installer: the answer's zfs.arc-max (%" PRId64 " MiB).\n"
                                    "options zfs zfs_arc_max=%" PRId64 "\n", arc, arc * 1024 * 1024) < 0)
                        return -ENOMEM;
                (void) mkdir(dir, 0755);
                r = write_file_atomic(path, text, strlen(text), 0644);
                if (r < 0)
                        return engine_fail(e, r, "writing /etc/modprobe.d/zfs.conf: %s", strerror(-r));
        }

        /* The kernel command line names the root dataset; GRUB reads /boot
         * from ext4 and needs no ZFS support of its own. */
        _cleanup_free_ char *dir = engine_target_path(e, "/etc/default/grub.d"),
                            *path = engine_target_path(e, "/etc/default/grub.d/forja-zfs.cfg"), *text = NULL;
        if (!dir || !path ||
            asprintf(&text, "# Written by the forja installer: the root file system is the ZFS dataset %s.\n"
                            "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX root=ZFS=%s\"\n", root, root) < 0)
                return -ENOMEM;
        (void) mkdir(dir, 0755);
        r = write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0)
                return engine_fail(e, r, "writing /etc/default/grub.d/forja-zfs.cfg: %s", strerror(-r));
        *ret_initramfs_changed = true;
        return 0;
}
