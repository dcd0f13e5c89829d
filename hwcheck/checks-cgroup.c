/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup controllers for QEMU and LXC, on cgroup v1 (one mount per
 * controller), v2 (the unified hierarchy's cgroup.controllers) or both. */

#include <stdio.h>

#include "hwcheck-internal.h"

typedef struct CgroupState {
        char *v1;                   /* "cpu cpuacct memory ..." from v1 mount options */
        char *v2;                   /* "cpu io memory ..." from cgroup.controllers */
        char *v2_mount;             /* where cgroup2 is mounted, or NULL */
        char *kernel;               /* "cpuset cpu ..." enabled in /proc/cgroups */
} CgroupState;

static void cgroup_state_done(CgroupState *c) {
        free(c->v1);
        free(c->v2);
        free(c->v2_mount);
        free(c->kernel);
}

/* /proc/cgroups lists the controllers the kernel has, mounted or not (an
 * installer environment may mount none): "NAME HIERARCHY NUM ENABLED". */
static int cgroup_kernel_read(const Sysroot *s, CgroupState *c) {
        _cleanup_free_ char *data = NULL;
        if (hwc_sysroot_read(s, "/proc/cgroups", &data) < 0)
                return 0;
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char name[64];
                unsigned hierarchy, num, enabled;
                if (line[0] == '#' || sscanf(line, "%63s %u %u %u", name, &hierarchy, &num, &enabled) != 4 || !enabled)
                        continue;
                if (strextendf_with_separator(&c->kernel, " ", "%s", name) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static bool word_in(const char *list, const char *word) {
        size_t l = strlen(word);
        for (const char *p = list; p && (p = strstr(p, word)); p += l)
                if ((p == list || p[-1] == ' ') && (p[l] == 0 || p[l] == ' '))
                        return true;
        return false;
}

static int append_words(char **list, const char *words, const char *separators) {
        _cleanup_free_ char *copy = strdup(words);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *w = strtok_r(copy, separators, &save); w; w = strtok_r(NULL, separators, &save)) {
                if (strextendf_with_separator(list, " ", "%s", w) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Undoes the octal escapes of /proc/mounts (\040 for a space). */
static void unescape_mount_path(char *p) {
        char *o = p;
        for (char *i = p; *i; i++) {
                if (i[0] == '\\' && i[1] >= '0' && i[1] <= '3' && i[2] >= '0' && i[2] <= '7' && i[3] >= '0' && i[3] <= '7') {
                        *o++ = (char) (((i[1] - '0') << 6) | ((i[2] - '0') << 3) | (i[3] - '0'));
                        i += 3;
                } else
                        *o++ = *i;
        }
        *o = 0;
}

static int cgroup_state_read(const Sysroot *s, CgroupState *c) {
        _cleanup_free_ char *mounts = NULL;
        int k = hwc_sysroot_read(s, "/proc/mounts", &mounts);
        if (k < 0)
                return k;
        char *save = NULL;
        for (char *line = strtok_r(mounts, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char dev[256], where[1024], type[64], opts[1024];
                if (sscanf(line, "%255s %1023s %63s %1023s", dev, where, type, opts) != 4)
                        continue;
                if (streq(type, "cgroup")) {
                        if ((k = append_words(&c->v1, opts, ",")) < 0)
                                return k;
                } else if (streq(type, "cgroup2") && !c->v2_mount) {
                        unescape_mount_path(where);
                        if (!(c->v2_mount = strdup(where)))
                                return -ENOMEM;
                        _cleanup_free_ char *path = NULL, *controllers = NULL;
                        if (asprintf(&path, "%s/cgroup.controllers", streq(where, "/") ? "" : where) < 0)
                                return -ENOMEM;
                        if (hwc_sysroot_read_line(s, path, &controllers) >= 0 &&
                            (k = append_words(&c->v2, controllers, " \t")) < 0)
                                return k;
                }
        }
        return 0;
}

int hwc_check_cgroups(const Sysroot *s, HwcheckReport *r) {
        /* v1 name, v2 name (NULL: part of the v2 core), status when missing. */
        static const struct {
                const char *v1, *v2, *id;
                HwcheckStatus missing;
        } ctl[] = {
                { "cpu", "cpu", "cgroup-cpu", HWCHECK_FAIL },
                { "cpuacct", "cpu", "cgroup-cpuacct", HWCHECK_FAIL },
                { "cpuset", "cpuset", "cgroup-cpuset", HWCHECK_FAIL },
                { "memory", "memory", "cgroup-memory", HWCHECK_FAIL },
                { "devices", NULL, "cgroup-devices", HWCHECK_FAIL },
                { "freezer", NULL, "cgroup-freezer", HWCHECK_FAIL },
                { "blkio", "io", "cgroup-blkio", HWCHECK_FAIL },
                { "pids", "pids", "cgroup-pids", HWCHECK_WARN },
        };
        _cleanup_(cgroup_state_done) CgroupState c = {};
        int read_r = cgroup_state_read(s, &c);
        if (read_r == -ENOMEM || cgroup_kernel_read(s, &c) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(ctl); i++) {
                char hint[160];
                snprintf(hint, sizeof(hint),
                         "Enable the '%s' controller: mount it (cgroup v1) or list it in cgroup.subtree_control (cgroup v2).",
                         ctl[i].v1);
                int k;
                if (word_in(c.v1, ctl[i].v1))
                        k = hwc_report_set(r, ctl[i].id, HWCHECK_PASS, NULL, "cgroup v1 controller '%s' mounted", ctl[i].v1);
                else if (c.v2_mount && !ctl[i].v2)
                        /* v2 has no such controller: device access goes through BPF
                         * programs and freezing through cgroup.freeze. */
                        k = hwc_report_set(r, ctl[i].id, HWCHECK_PASS, NULL, "cgroup v2 (%s): '%s' is built into the unified hierarchy",
                                           c.v2_mount, ctl[i].v1);
                else if (ctl[i].v2 && word_in(c.v2, ctl[i].v2))
                        k = hwc_report_set(r, ctl[i].id, HWCHECK_PASS, NULL, "cgroup v2 (%s): controller '%s' available",
                                           c.v2_mount, ctl[i].v2);
                else if (word_in(c.kernel, ctl[i].v1))
                        k = hwc_report_set(r, ctl[i].id, HWCHECK_PASS, NULL,
                                           "the kernel has '%s' (/proc/cgroups) but no cgroup hierarchy mounts it", ctl[i].v1);
                else if (read_r < 0)
                        k = hwc_report_set(r, ctl[i].id, HWCHECK_WARN, NULL, "cannot read /proc/mounts: %s", strerror(-read_r));
                else
                        k = hwc_report_set(r, ctl[i].id, ctl[i].missing, hint, "no cgroup v1 mount or cgroup v2 controller for '%s'",
                                           ctl[i].v1);
                if (k < 0)
                        return k;
        }
        return 0;
}
