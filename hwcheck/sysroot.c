/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading /proc, /sys and /dev below a root: "" for the live system, or a
 * fixture tree, so every check runs the same code on both. */

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "hwcheck-internal.h"
#include "spawn.h"

char *hwc_sysroot_path(const Sysroot *s, const char *path) {
        char *p;
        if (asprintf(&p, "%s%s", s->root, path) < 0)
                return NULL;
        return p;
}

bool hwc_sysroot_exists(const Sysroot *s, const char *path) {
        _cleanup_free_ char *p = hwc_sysroot_path(s, path);
        struct stat st;
        /* lstat: /proc/self/ns entries and sysfs links count as present. */
        return p && lstat(p, &st) == 0;
}

bool hwc_sysroot_is_dir(const Sysroot *s, const char *path) {
        _cleanup_free_ char *p = hwc_sysroot_path(s, path);
        struct stat st;
        return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int hwc_sysroot_read(const Sysroot *s, const char *path, char **ret_data) {
        _cleanup_free_ char *p = hwc_sysroot_path(s, path);
        if (!p)
                return -ENOMEM;
        return read_full_file(p, 4u << 20, ret_data, NULL);
}

int hwc_sysroot_read_line(const Sysroot *s, const char *path, char **ret_line) {
        _cleanup_free_ char *p = hwc_sysroot_path(s, path);
        if (!p)
                return -ENOMEM;
        return read_one_line_file(p, ret_line);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int hwc_sysroot_list_dir(const Sysroot *s, const char *path, char ***ret_names) {
        _cleanup_free_ char *p = hwc_sysroot_path(s, path);
        if (!p)
                return -ENOMEM;
        _cleanup_strv_free_ char **names = calloc(1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        size_t n = 0;
        DIR *d = opendir(p);
        if (!d) {
                if (errno != ENOENT && errno != ENOTDIR)
                        return negative_errno();
                *ret_names = TAKE_PTR(names);
                return 0;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                char **m = realloc(names, (n + 2) * sizeof(char *));
                if (!m) {
                        closedir(d);
                        return -ENOMEM;
                }
                names = m;
                names[n] = strdup(de->d_name);
                names[n + 1] = NULL;
                if (!names[n]) {
                        closedir(d);
                        return -ENOMEM;
                }
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(char *), cmp_str);
        *ret_names = TAKE_PTR(names);
        return 0;
}

static const char *next_line(const char *line) {
        const char *nl = strchr(line, '\n');
        return nl ? nl + 1 : NULL;
}

int hwc_proc_field(const char *data, const char *key, char **ret_value) {
        size_t kl = strlen(key);
        for (const char *line = data; line && *line; line = next_line(line)) {
                if (!strneq(line, key, kl))
                        continue;
                const char *v = line + kl;
                while (*v == ' ' || *v == '\t')
                        v++;
                if (*v != ':')
                        continue;
                v++;
                while (*v == ' ' || *v == '\t')
                        v++;
                size_t l = strcspn(v, "\n");
                while (l > 0 && isspace((unsigned char) v[l - 1]))
                        l--;
                char *value = strndup(v, l);
                if (!value)
                        return -ENOMEM;
                *ret_value = value;
                return 0;
        }
        return -ENOENT;
}

char *hwc_format_bytes(uint64_t bytes) {
        char *s;
        int r;
        if (bytes >= (UINT64_C(1) << 30))
                r = asprintf(&s, "%.1f GiB", (double) bytes / (double) (UINT64_C(1) << 30));
        else
                r = asprintf(&s, "%" PRIu64 " MiB", (bytes + (UINT64_C(1) << 19)) >> 20);
        return r < 0 ? NULL : s;
}

int hwc_load_module(const Sysroot *s, const char *name) {
        if (!s->live)
                return -EOPNOTSUPP;
        if (!hwc_sysroot_exists(s, "/proc/modules"))
                return -EOPNOTSUPP;
        if (geteuid() != 0)
                return -EPERM;
        char *argv[] = { (char *) "modprobe", (char *) "-q", (char *) name, NULL };
        SpawnOptions o = { .quiet = true, .timeout_sec = 30 };
        SpawnResult res = {};
        int r = spawn(argv, &o, &res);
        if (r < 0)
                return r;
        int status = res.exit_status;
        spawn_result_done(&res);
        return status == 0 ? 0 : -EIO;
}
