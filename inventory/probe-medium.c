/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which disk holds the running installer's medium (docs/hardware.md,
 * "install_medium"). forja never writes to that disk. A disk is the install
 * medium when
 *   (a) the filesystem mounted at one of the medium mount points below comes
 *       from the disk or one of its partitions, or "/" is mounted from it with
 *       an optical-media filesystem (iso9660, udf: booted from the medium), or
 *   (b) the disk or one of its partitions is mounted anywhere and the disk
 *       holds a filesystem whose label starts with "FORJA" (the ISO's
 *       FORJA_<version> and FORJA_EFI, a mounted FORJA-AIS answer partition).
 * Mounts come from /proc/self/mountinfo below the sysroot; a mount is tied to
 * a disk by device number (sysfs "dev" of the disk and of its partitions). */

#include <dirent.h>

#include "inventory-internal.h"

static const char *const medium_mountpoints[] = {
        "/run/forja/medium",
        "/cdrom",
        "/run/live/medium",
        "/lib/live/mount/medium",
        "/run/initramfs/live",
        NULL
};

typedef struct Mount {
        char devnum[32];
        char *mountpoint;
        char *fstype;
} Mount;

/* mountinfo escapes blanks and backslashes as \ooo. */
static void unescape_octal(char *s) {
        char *w = s;
        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = 0;
}

static void mounts_free(Mount *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].mountpoint);
                free(m[i].fstype);
        }
        free(m);
}

static int read_mounts(const ProbeContext *c, Mount **ret, size_t *ret_n) {
        _cleanup_free_ char *data = NULL;
        Mount *m = NULL;
        size_t n = 0;
        int r;

        r = probe_read_file(c, "/proc/self/mountinfo", &data, NULL);
        if (r < 0)
                return r;
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
                char *fields[6] = {}, *fsave = NULL, *tok;
                size_t k = 0;
                for (tok = strtok_r(line, " ", &fsave); tok && k < 6; tok = strtok_r(NULL, " ", &fsave))
                        fields[k++] = tok;
                while (tok && !streq(tok, "-"))
                        tok = strtok_r(NULL, " ", &fsave);
                char *fstype = tok ? strtok_r(NULL, " ", &fsave) : NULL;
                if (k < 6 || !fstype || strlen(fields[2]) >= sizeof(m->devnum))
                        continue;

                Mount *nm = realloc(m, (n + 1) * sizeof(Mount));
                if (!nm) {
                        mounts_free(m, n);
                        return -ENOMEM;
                }
                m = nm;
                m[n] = (Mount) {};
                strcpy(m[n].devnum, fields[2]);
                unescape_octal(fields[4]);
                m[n].mountpoint = strdup(fields[4]);
                m[n].fstype = strdup(fstype);
                n++;
                if (!m[n - 1].mountpoint || !m[n - 1].fstype) {
                        mounts_free(m, n);
                        return -ENOMEM;
                }
        }
        *ret = m;
        *ret_n = n;
        return 0;
}

/* The "MAJ:MIN" of the disk and of each of its partitions. */
static int disk_devnums(const ProbeContext *c, const char *name, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *dir = NULL, *path = NULL, *v = NULL;
        int r;

        if (asprintf(&dir, "/sys/block/%s", name) < 0 || asprintf(&path, "%s/dev", dir) < 0)
                return -ENOMEM;
        if (probe_read_line(c, path, &v) >= 0) {
                r = hw_strv_push(&l, v);
                if (r < 0)
                        return r;
                v = NULL;
        }

        _cleanup_free_ char *full = probe_path(c, dir);
        if (!full)
                return -ENOMEM;
        DIR *d = opendir(full);
        if (d) {
                for (struct dirent *de; (de = readdir(d));) {
                        _cleanup_free_ char *ppath = NULL, *pdev = NULL;
                        if (!startswith(de->d_name, name))
                                continue;
                        if (asprintf(&ppath, "%s/%s/partition", dir, de->d_name) < 0) {
                                closedir(d);
                                return -ENOMEM;
                        }
                        uint64_t partno;
                        if (probe_read_u64(c, ppath, &partno) < 0)
                                continue;
                        free(ppath);
                        if (asprintf(&ppath, "%s/%s/dev", dir, de->d_name) < 0) {
                                ppath = NULL;
                                closedir(d);
                                return -ENOMEM;
                        }
                        if (probe_read_line(c, ppath, &pdev) < 0)
                                continue;
                        r = hw_strv_push(&l, pdev);
                        if (r < 0) {
                                closedir(d);
                                return r;
                        }
                        pdev = NULL;
                }
                closedir(d);
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static bool strv_contains(char *const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

static bool is_medium_mount(const Mount *m) {
        for (const char *const *p = medium_mountpoints; *p; p++)
                if (streq(m->mountpoint, *p))
                        return true;
        return streq(m->mountpoint, "/") && (streq(m->fstype, "iso9660") || streq(m->fstype, "udf"));
}

static bool has_forja_label(const HwDisk *d) {
        for (size_t i = 0; d->contents && d->contents[i]; i++)
                if (strstr(d->contents[i], " \"FORJA"))
                        return true;
        const char *label = hw_property_get(d->props, d->n_props, "ID_FS_LABEL");
        return label && startswith(label, "FORJA");
}

int probe_install_medium(const ProbeContext *c, Hardware *hw) {
        Mount *mounts = NULL;
        size_t n_mounts = 0;
        int r;

        r = read_mounts(c, &mounts, &n_mounts);
        if (r < 0) {
                probe_warn(c, "Cannot read /proc/self/mountinfo, install medium unknown: %s", strerror(-r));
                return r == -ENOMEM ? r : 0;
        }

        for (size_t i = 0; i < hw->n_disks && r >= 0; i++) {
                HwDisk *d = &hw->disks[i];
                _cleanup_strv_free_ char **devnums = NULL;

                r = disk_devnums(c, d->name, &devnums);
                if (r < 0)
                        break;
                bool forja_label = has_forja_label(d);
                for (size_t j = 0; j < n_mounts; j++) {
                        if (!strv_contains(devnums, mounts[j].devnum))
                                continue;
                        if (is_medium_mount(&mounts[j]) || forja_label)
                                d->install_medium = true;
                }
        }
        mounts_free(mounts, n_mounts);
        return r < 0 ? r : 0;
}
