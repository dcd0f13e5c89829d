/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network interfaces from /sys/class/net: MAC, driver, carrier, and their
 * udev properties (database entry n<ifindex>). Interfaces without a device
 * (lo, bridges, bonds, tun/tap, veth, ifb) are skipped unless asked for. */

#include <ctype.h>
#include <sys/stat.h>

#include "inventory-internal.h"

static char *nic_attr(const ProbeContext *c, const char *name, const char *attr) {
        _cleanup_free_ char *path = NULL;
        char *v = NULL;

        if (asprintf(&path, "/sys/class/net/%s/%s", name, attr) < 0)
                return NULL;
        if (probe_read_line(c, path, &v) < 0)
                return NULL;
        if (!*v) {
                free(v);
                return NULL;
        }
        return v;
}

static bool nic_has_device(const ProbeContext *c, const char *name) {
        _cleanup_free_ char *rel = NULL, *path = NULL;
        struct stat st;

        if (asprintf(&rel, "/sys/class/net/%s/device", name) < 0)
                return false;
        path = probe_path(c, rel);
        return path && lstat(path, &st) == 0;
}

static int probe_one_nic(const ProbeContext *c, const char *name, HwNic *n) {
        _cleanup_free_ char *dir = NULL, *ifindex = NULL, *dbid = NULL, *carrier = NULL, *oper = NULL, *rel = NULL;
        int r;

        n->name = strdup(name);
        if (!n->name || asprintf(&dir, "/sys/class/net/%s", name) < 0)
                return -ENOMEM;

        n->mac = nic_attr(c, name, "address");
        if (n->mac)
                for (char *p = n->mac; *p; p++)
                        *p = (char) tolower((unsigned char) *p);

        if (asprintf(&rel, "%s/device/driver", dir) < 0)
                return -ENOMEM;
        if (probe_readlink_basename(c, rel, &n->driver) < 0)
                n->driver = NULL;

        /* carrier cannot be read while the interface is down: fall back to operstate. */
        carrier = nic_attr(c, name, "carrier");
        if (carrier)
                n->link = streq(carrier, "1");
        else {
                oper = nic_attr(c, name, "operstate");
                n->link = oper && streq(oper, "up");
        }

        ifindex = nic_attr(c, name, "ifindex");
        if (ifindex && asprintf(&dbid, "n%s", ifindex) < 0)
                return -ENOMEM;
        r = probe_device_props(c, dir, "net", dbid, &n->props, &n->n_props);
        return r;
}

int probe_nics(const ProbeContext *c, Hardware *hw) {
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = probe_list_dir(c, "/sys/class/net", &names);
        if (r < 0 || !names)
                return r;
        hw->nics = calloc(hw_strv_length(names), sizeof(HwNic));
        if (!hw->nics)
                return -ENOMEM;
        for (char **n = names; *n; n++) {
                if (!(c->flags & HW_PROBE_ALL_NICS) && (streq(*n, "lo") || !nic_has_device(c, *n)))
                        continue;
                r = probe_one_nic(c, *n, &hw->nics[hw->n_nics++]);
                if (r < 0)
                        return r;
        }
        return 0;
}
