/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proxmox test environment -> forja Hardware. */

#include <json-c/json.h>

#include "macro.h"
#include "pve-fixture.h"

static char *dup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

static json_object *get(json_object *o, const char *key) {
        json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v = get(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int props_from(json_object *o, HwProperty **ret, size_t *ret_n) {
        size_t n = 0;
        HwProperty *p = calloc(o ? (size_t) json_object_object_length(o) + 1 : 1, sizeof(HwProperty));
        if (!p)
                return -ENOMEM;
        if (o) {
                json_object_object_foreach(o, k, v) {
                        p[n].key = strdup(k);
                        p[n].value = strdup(json_object_get_string(v));
                        n++;
                }
        }
        *ret = p;
        *ret_n = n;
        return 0;
}

/* Interfaces in ifindex order, as `ip link` lists them (not name order, so the
 * tests show that pinned nic<N> names do not depend on inventory order). */
static int cmp_index(const void *a, const void *b) {
        json_object *x = *(json_object *const *) a, *y = *(json_object *const *) b;
        return json_object_get_int(get(x, "index")) - json_object_get_int(get(y, "index"));
}

int pve_fixture_hardware(const char *resources_dir, const char *run_env_path, Hardware **ret) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/run-env-udev.json", resources_dir);
        json_object *env = json_object_from_file(run_env_path), *udev = json_object_from_file(path);
        if (!env || !udev) {
                json_object_put(env);
                json_object_put(udev);
                return -ENOENT;
        }
        Hardware *hw = calloc(1, sizeof(Hardware));
        if (!hw)
                return -ENOMEM;

        hw->uefi = streq_ptr(get_str(env, "boot_type"), "efi");
        hw->memory_bytes = (uint64_t) json_object_get_int64(get(env, "total_memory")) * 1024 * 1024;

        json_object *disks = get(env, "disks");
        size_t nd = json_object_array_length(disks);
        hw->disks = calloc(nd + 1, sizeof(HwDisk));
        for (size_t i = 0; i < nd; i++) {
                /* [index, "/dev/path", size in 512-byte blocks, "model", logical block size, "/sys/block/..."] */
                json_object *d = json_object_array_get_idx(disks, i);
                int idx = json_object_get_int(json_object_array_get_idx(d, 0));
                const char *dev = json_object_get_string(json_object_array_get_idx(d, 1));
                HwDisk *h = &hw->disks[idx];
                char key[16];
                snprintf(key, sizeof(key), "%d", idx);
                json_object *props = get(get(udev, "disks"), key);
                h->path = strdup(dev);
                h->name = strdup(strrchr(dev, '/') + 1);
                h->size_bytes = (uint64_t) json_object_get_int64(json_object_array_get_idx(d, 2)) * 512;
                h->model = dup_or_null(json_object_get_string(json_object_array_get_idx(d, 3)));
                h->logical_sector_size = h->physical_sector_size =
                        (uint32_t) json_object_get_int(json_object_array_get_idx(d, 4));
                h->serial = dup_or_null(get_str(props, "ID_SERIAL_SHORT"));
                h->pttype = dup_or_null(get_str(props, "ID_PART_TABLE_TYPE"));
                h->contents = calloc(2, sizeof(char *));
                if (get_str(props, "ID_FS_TYPE"))
                        h->contents[0] = strdup(get_str(props, "ID_FS_TYPE"));
                if (props_from(props, &h->props, &h->n_props) < 0)
                        return -ENOMEM;
        }
        hw->n_disks = nd;

        json_object *net = get(env, "network"), *ifaces = get(net, "interfaces");
        size_t nn = ifaces ? (size_t) json_object_object_length(ifaces) : 0, k = 0;
        json_object **sorted = calloc(nn + 1, sizeof(json_object *));
        json_object_object_foreach(ifaces, name, iface) {
                (void) name;
                sorted[k++] = iface;
        }
        qsort(sorted, nn, sizeof(json_object *), cmp_index);
        hw->nics = calloc(nn + 1, sizeof(HwNic));
        for (size_t i = 0; i < nn; i++) {
                HwNic *n = &hw->nics[i];
                n->name = strdup(get_str(sorted[i], "name"));
                n->mac = dup_or_null(get_str(sorted[i], "mac"));
                n->driver = dup_or_null(get_str(sorted[i], "driver"));
                n->link = streq_ptr(get_str(sorted[i], "state"), "UP");
                if (props_from(get(get(udev, "nics"), n->name), &n->props, &n->n_props) < 0)
                        return -ENOMEM;
        }
        hw->n_nics = nn;

        /* the lease: the default route's interface and its IPv4 address */
        json_object *gw = get(get(net, "routes"), "gateway4");
        const char *dev = get_str(gw, "dev");
        json_object *addrs = get(get(ifaces, dev ?: ""), "addresses");
        for (size_t i = 0; addrs && i < json_object_array_length(addrs); i++) {
                json_object *a = json_object_array_get_idx(addrs, i);
                if (!streq_ptr(get_str(a, "family"), "inet"))
                        continue;
                char cidr[64];
                snprintf(cidr, sizeof(cidr), "%s/%d", get_str(a, "address"), json_object_get_int(get(a, "prefix")));
                hw->dhcp.nic = strdup(dev);
                hw->dhcp.address = strdup(cidr);
                hw->dhcp.gateway = dup_or_null(get_str(gw, "gateway"));
                break;
        }
        json_object *dns = get(get(net, "dns"), "dns");
        size_t ndns = dns ? json_object_array_length(dns) : 0;
        hw->dhcp.dns = calloc(ndns + 1, sizeof(char *));
        for (size_t i = 0; i < ndns; i++)
                hw->dhcp.dns[i] = strdup(json_object_get_string(json_object_array_get_idx(dns, i)));
        hw->dhcp.hostname = dup_or_null(get_str(net, "hostname"));
        hw->dhcp.domain = dup_or_null(get_str(get(net, "dns"), "domain"));

        free(sorted);
        json_object_put(env);
        json_object_put(udev);
        *ret = hw;
        return 0;
}
