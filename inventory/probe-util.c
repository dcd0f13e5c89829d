/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File access below the probe's sysroot, and device properties from sysfs
 * uevent files and the udev database. */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>

#include "fileio.h"
#include "inventory-internal.h"

char *probe_path(const ProbeContext *c, const char *path) {
        char *p;
        if (asprintf(&p, "%s%s", c->sysroot, path) < 0)
                return NULL;
        return p;
}

static void trim_trailing(char *s) {
        size_t l = strlen(s);
        while (l > 0 && strchr(" \t\r\n", s[l - 1]))
                s[--l] = 0;
}

int probe_read_file(const ProbeContext *c, const char *path, char **ret, size_t *ret_size) {
        _cleanup_free_ char *p = probe_path(c, path);
        if (!p)
                return -ENOMEM;
        return read_full_file(p, 4 * 1024 * 1024, ret, ret_size);
}

int probe_read_line(const ProbeContext *c, const char *path, char **ret) {
        _cleanup_free_ char *p = probe_path(c, path);
        char *line = NULL;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_one_line_file(p, &line);
        if (r < 0)
                return r;
        trim_trailing(line);
        *ret = line;
        return 0;
}

int probe_read_u64(const ProbeContext *c, const char *path, uint64_t *ret) {
        _cleanup_free_ char *line = NULL;
        char *end;
        int r;

        r = probe_read_line(c, path, &line);
        if (r < 0)
                return r;
        errno = 0;
        unsigned long long v = strtoull(line, &end, 10);
        if (errno || end == line || *end || line[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

static int probe_readlink(const ProbeContext *c, const char *path, char **ret) {
        _cleanup_free_ char *p = probe_path(c, path);
        char buf[PATH_MAX];

        if (!p)
                return -ENOMEM;
        ssize_t n = readlink(p, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int probe_readlink_basename(const ProbeContext *c, const char *path, char **ret) {
        _cleanup_free_ char *target = NULL;
        int r = probe_readlink(c, path, &target);
        if (r < 0)
                return r;
        const char *b = strrchr(target, '/');
        *ret = strdup(b ? b + 1 : target);
        return *ret ? 0 : -ENOMEM;
}

int probe_devpath(const ProbeContext *c, const char *path, char **ret) {
        _cleanup_free_ char *target = NULL;
        int r = probe_readlink(c, path, &target);
        if (r < 0)
                return r;
        /* "../devices/pci0000:00/.../block/sda" or "../../devices/..." */
        const char *s = target;
        while (startswith(s, "../"))
                s += 3;
        if (asprintf(ret, "/%s", s) < 0)
                return -ENOMEM;
        return 0;
}

void probe_warn(const ProbeContext *c, const char *format, ...) {
        char *msg = NULL;
        va_list ap;

        va_start(ap, format);
        int r = vasprintf(&msg, format, ap);
        va_end(ap);
        if (r < 0)
                return;
        if (hw_strv_push(c->warnings, msg) < 0)
                free(msg);
}

static int natural_cmp(const void *a, const void *b) {
        return strverscmp(*(char *const *) a, *(char *const *) b);
}

int probe_list_dir(const ProbeContext *c, const char *dir, char ***ret) {
        _cleanup_free_ char *path = probe_path(c, dir);
        _cleanup_strv_free_ char **names = NULL;
        int r = 0;

        if (!path)
                return -ENOMEM;
        DIR *d = opendir(path);
        if (!d) {
                if (errno != ENOENT)
                        return negative_errno();
                probe_warn(c, "%s does not exist.", path);
                *ret = NULL;
                return 0;
        }
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                r = hw_strv_extend(&names, de->d_name);
                if (r < 0)
                        break;
        }
        closedir(d);
        if (r < 0)
                return r;
        if (names)
                qsort(names, hw_strv_length(names), sizeof(char *), natural_cmp);
        *ret = TAKE_PTR(names);
        return 0;
}

/* Adds KEY=VALUE lines (uevent) or E:KEY=VALUE lines (udev database). */
static int add_assignment(HwProperty **props, size_t *n, char *line) {
        char *eq = strchr(line, '=');
        if (!eq || eq == line)
                return 0;
        *eq = 0;
        return hw_props_add(props, n, line, eq + 1);
}

/* dir/name below the sysroot, or *ret = NULL when it does not exist. */
static int read_optional(const ProbeContext *c, const char *dir, const char *name, char **ret) {
        _cleanup_free_ char *path = NULL;
        int r;

        *ret = NULL;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        r = probe_read_file(c, path, ret, NULL);
        return r == -ENOENT ? 0 : r;
}

static int add_uevent(const ProbeContext *c, const char *sysfs_dir, HwProperty **props, size_t *n) {
        _cleanup_free_ char *data = NULL;
        int r;

        r = read_optional(c, sysfs_dir, "uevent", &data);
        if (r < 0 || !data)
                return r;
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (startswith(line, "DEVNAME=")) {
                        /* udev reports the device node, not the kernel name. */
                        _cleanup_free_ char *node = NULL;
                        const char *v = line + strlen("DEVNAME=");
                        if (asprintf(&node, "%s%s", v[0] == '/' ? "" : "/dev/", v) < 0)
                                return -ENOMEM;
                        r = hw_props_add(props, n, "DEVNAME", node);
                } else
                        r = add_assignment(props, n, line);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_udev_db(const ProbeContext *c, const char *id, HwProperty **props, size_t *n) {
        _cleanup_free_ char *data = NULL, *links = NULL;
        int r;

        r = read_optional(c, "/run/udev/data", id, &data);
        if (r < 0 || !data)
                return r;
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (startswith(line, "E:")) {
                        r = add_assignment(props, n, line + 2);
                        if (r < 0)
                                return r;
                } else if (startswith(line, "S:")) {
                        /* Symlinks, as udevadm info shows them in DEVLINKS. */
                        char *nl;
                        if (asprintf(&nl, "%s%s/dev/%s", strempty(links), links ? " " : "", line + 2) < 0)
                                return -ENOMEM;
                        free(links);
                        links = nl;
                }
        }
        if (links)
                return hw_props_add(props, n, "DEVLINKS", links);
        return 0;
}

int probe_device_props(const ProbeContext *c, const char *sysfs_dir, const char *subsystem,
                       const char *udev_db_id, HwProperty **ret, size_t *ret_n) {
        HwProperty *props = NULL;
        size_t n = 0;
        _cleanup_free_ char *devpath = NULL;
        int r;

        r = add_uevent(c, sysfs_dir, &props, &n);
        if (r >= 0 && probe_devpath(c, sysfs_dir, &devpath) >= 0)
                r = hw_props_add(&props, &n, "DEVPATH", devpath);
        if (r >= 0)
                r = hw_props_add(&props, &n, "SUBSYSTEM", subsystem);
        if (r >= 0 && c->have_udev_db && udev_db_id)
                r = add_udev_db(c, udev_db_id, &props, &n);
        if (r < 0) {
                hw_props_free(props, n);
                return r;
        }
        hw_props_sort(props, n);
        *ret = props;
        *ret_n = n;
        return 0;
}
