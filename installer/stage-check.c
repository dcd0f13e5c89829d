/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stage "check": the early look before anything is written. The hardware
 * check (waivers from the plan), the plan's disks against the inventory
 * probed when the install began (present, same size, not the install medium,
 * empty when the answer says existing-data = "refuse") and against the
 * mounts and swap of now, and what this installer cannot do. Which disk
 * sits under each name is checked again, from an open descriptor, right
 * before the wipe (stage disks): minutes may pass in between. */

#include <dirent.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "engine-internal.h"
#include "first-boot.h"
#include "hwcheck.h"
#include "json-out.h"
#include "log.h"
#include "reinstall-guard.h"
#include "strutil.h"
#include "target-path.h"
#include "zfs.h"

static int check_hardware(Engine *e) {
        json_object *waived = json_get(e->c->plan, "checks-waived");
        size_t n = json_array_len(waived);
        _cleanup_free_ char **ids = calloc(n + 1, sizeof(char *));
        _cleanup_free_ char *failed = NULL;
        HwcheckReport *report = NULL;
        int r;

        if (!ids)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const char *id = json_object_get_string(json_array_at(waived, i));
                /* "root-disk-size" is forja's own, already applied by the plan. */
                if (id && hwcheck_id_is_known(id))
                        ids[k++] = (char *) id;
        }

        r = hwcheck_run(NULL, &report);
        if (r < 0)
                return engine_fail(e, r, "hardware check could not run: %s", strerror(-r));
        const char *bad = NULL;
        r = hwcheck_report_waive(report, ids, &bad);
        if (r < 0) {
                hwcheck_report_free(report);
                return engine_fail(e, r, "checks-waived: '%s' is not a check id", strempty(bad));
        }
        for (size_t i = 0; i < report->n_results; i++) {
                const HwcheckResult *res = &report->results[i];
                if (res->status == HWCHECK_WARN)
                        log_warning("Hardware check %s: %s", res->id, res->message);
                else if (res->status == HWCHECK_FAIL && res->waived)
                        log_warning("Hardware check %s failed and is waived by the answer: %s", res->id, res->message);
                else if (res->status == HWCHECK_FAIL)
                        (void) strextendf_with_separator(&failed, "; ", "%s: %s%s%s", res->id, res->message,
                                                         res->hint ? " (" : "", res->hint ? res->hint : "");
        }
        log_info("CPU virtualization: %s.", report->cpu_verdict);
        bool ok = hwcheck_report_ok(report);
        hwcheck_report_free(report);
        if (!ok)
                return engine_fail(e, -EPERM, "the hardware check failed, nothing was written: %s. "
                                   "Waive a check by id in the answer ([checks] waive = [...]) to install anyway.",
                                   strempty(failed));
        return 0;
}

/* The device numbers of a disk, its partitions and, recursively, whatever
 * holds them (LVM, LUKS, md). */
static int collect_devnums(const char *sysdir, dev_t **list, size_t *n, unsigned depth) {
        _cleanup_free_ char *holders = NULL;
        dev_t dev;
        if (depth > 8)
                return 0;
        if (asprintf(&holders, "%s/holders", sysdir) < 0)
                return -ENOMEM;
        if (engine_sysfs_devnum(sysdir, &dev) >= 0) {
                dev_t *l = realloc(*list, (*n + 1) * sizeof(dev_t));
                if (!l)
                        return -ENOMEM;
                *list = l;
                l[(*n)++] = dev;
        }
        DIR *d = opendir(holders);
        struct dirent *de;
        int r = 0;
        while (d && (de = readdir(d)) && r >= 0) {
                _cleanup_free_ char *h = NULL;
                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&h, "/sys/class/block/%s", de->d_name) < 0)
                        r = -ENOMEM;
                else
                        r = collect_devnums(h, list, n, depth + 1);
        }
        if (d)
                closedir(d);
        return r;
}

/* forja installs onto disks nothing uses. In the installer environment the
 * only mounts on a target disk are an earlier run's, under the target
 * directory, which the disks stage releases; anything else (the running
 * system's /, a user's data) means the wrong disk was chosen. */
static int check_not_in_use(Engine *e, const char *name) {
        _cleanup_free_ char *sysdir = NULL;
        _cleanup_free_ dev_t *devs = NULL;
        size_t n = 0;
        if (asprintf(&sysdir, "/sys/block/%s", name) < 0)
                return -ENOMEM;
        int r = collect_devnums(sysdir, &devs, &n, 0);
        if (r < 0)
                return r;
        DIR *d = opendir(sysdir);
        struct dirent *de;
        while (d && (de = readdir(d)) && r >= 0) {
                _cleanup_free_ char *p = NULL;
                if (!startswith(de->d_name, name))
                        continue;
                if (asprintf(&p, "%s/%s", sysdir, de->d_name) < 0)
                        r = -ENOMEM;
                else
                        r = collect_devnums(p, &devs, &n, 0);
        }
        if (d)
                closedir(d);
        if (r < 0)
                return r;

        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        while (f && fgets(line, sizeof line, f)) {
                unsigned maj, min;
                char mnt[2048];
                if (sscanf(line, "%*u %*u %u:%u %*s %2047s", &maj, &min, mnt) != 3)
                        continue;
                for (size_t i = 0; i < n; i++)
                        if (devs[i] == makedev(maj, min) && !path_is_inside(mnt, e->c->target))
                                return engine_fail(e, -EBUSY, "disk %s is in use: a file system on it is mounted on %s. "
                                                   "forja only installs onto disks nothing uses; nothing was written", name, mnt);
        }
        _cleanup_fclose_ FILE *sw = fopen("/proc/swaps", "re");
        while (sw && fgets(line, sizeof line, sw)) {
                char path[2048];
                struct stat st;
                if (sscanf(line, "%2047s", path) != 1 || stat(path, &st) < 0)
                        continue;
                for (size_t i = 0; i < n; i++)
                        if (S_ISBLK(st.st_mode) && st.st_rdev == devs[i])
                                return engine_fail(e, -EBUSY, "disk %s is in use: swap is active on %s; nothing was written", name, path);
        }
        return 0;
}

static int check_disks(Engine *e) {
        json_object *disks = json_get(e->storage, "disks");
        bool refuse = streq_ptr(json_get_string(e->storage, "existing-data"), "refuse");

        /* Mounts inside the target pass the in-use test: "/" would let all pass. */
        if (target_path_check(e->c->target) < 0)
                return engine_fail(e, -EINVAL, "the target directory '%s' cannot hold the new system (an absolute path "
                                   "without '..' that is not the root directory); nothing was written", e->c->target);

        if (json_array_len(disks) == 0)
                return engine_fail(e, -EINVAL, "the plan selects no disk");
        for (size_t i = 0; i < json_array_len(disks); i++) {
                json_object *d = json_array_at(disks, i);
                const char *name = json_get_string(d, "name");
                const HwDisk *hd = name ? hardware_find_disk(e->c->hw, name) : NULL;
                if (!hd)
                        return engine_fail(e, -ENODEV, "disk %s of the plan is not on this machine (any more)", strempty(name));
                if ((int64_t) hd->size_bytes != json_get_int(d, "size-bytes"))
                        return engine_fail(e, -ENODEV, "disk %s changed: %" PRIu64 " bytes now, %" PRId64 " in the plan",
                                           name, hd->size_bytes, json_get_int(d, "size-bytes"));
                if (hd->install_medium)
                        return engine_fail(e, -EPERM, "disk %s holds the install medium: forja never writes to it", name);
                int r = check_not_in_use(e, name);
                if (r < 0)
                        return r;
                if (refuse && (hd->contents_unknown || hd->pttype || (hd->contents && hd->contents[0])))
                        return engine_fail(e, -EEXIST, "disk %s holds data (%s%s%s) and the answer says existing-data = \"refuse\": nothing was written",
                                           name, hd->pttype ? hd->pttype : "", hd->pttype && hd->contents && hd->contents[0] ? ", " : "",
                                           hd->contents && hd->contents[0] ? hd->contents[0] : hd->contents_unknown ? "unreadable" : "");
        }
        _cleanup_free_ char *why = NULL;
        if (json_array_len(json_get(e->storage, "zfs-pools")) > 0 && !zfs_supported(&why))
                return engine_fail(e, -EOPNOTSUPP, "the answer asks for ZFS, and this installer was built without ZFS support "
                                   "(%s; build the ISO with `forja iso build --with-zfs`); nothing was written", strempty(why));
        return 0;
}

int stage_check(Engine *e) {
        int r = check_disks(e);
        if (r < 0)
                return r;
        r = reinstall_guard_check(e);
        if (r < 0)
                return r;
        r = check_hardware(e);
        if (r < 0)
                return r;
        /* The first-boot hook is fetched now: a missing or untrusted hook stops
         * the install before anything is written. */
        _cleanup_free_ char *error = NULL;
        r = first_boot_load(json_get(e->c->plan, "first-boot"), e->c->medium_dir, &e->first_boot, &e->first_boot_size, &error);
        if (r < 0)
                return engine_fail(e, r, "%s; nothing was written", error ?: strerror(-r));
        return 0;
}
