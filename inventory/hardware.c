/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Hardware model: freeing, lookups. */

#include "hardware.h"
#include "inventory-internal.h"

void hw_props_free(HwProperty *props, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(props[i].key);
                free(props[i].value);
        }
        free(props);
}

static void hw_disk_done(HwDisk *d) {
        free(d->name);
        free(d->path);
        free(d->model);
        free(d->serial);
        free(d->wwn);
        free(d->pttype);
        strv_free(d->contents);
        hw_props_free(d->props, d->n_props);
}

static void hw_nic_done(HwNic *n) {
        free(n->name);
        free(n->mac);
        free(n->driver);
        hw_props_free(n->props, n->n_props);
}

void hw_dhcp_done(HwDhcp *dhcp) {
        if (!dhcp)
                return;
        free(dhcp->nic);
        free(dhcp->address);
        free(dhcp->gateway);
        strv_free(dhcp->dns);
        free(dhcp->hostname);
        free(dhcp->domain);
        *dhcp = (HwDhcp) {};
}

void hardware_free(Hardware *hw) {
        if (!hw)
                return;
        for (size_t i = 0; i < hw->n_disks; i++)
                hw_disk_done(&hw->disks[i]);
        free(hw->disks);
        for (size_t i = 0; i < hw->n_nics; i++)
                hw_nic_done(&hw->nics[i]);
        free(hw->nics);
        free(hw->cpu.vendor);
        free(hw->cpu.model);
        free(hw->cpu.virt_verdict);
        free(hw->dmi.system_vendor);
        free(hw->dmi.system_product);
        free(hw->dmi.system_serial);
        free(hw->dmi.system_uuid);
        hw_dhcp_done(&hw->dhcp);
        free(hw->kernel_cmdline);
        strv_free(hw->warnings);
        free(hw);
}

const char *hw_property_get(const HwProperty *props, size_t n, const char *key) {
        if (!key)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (props[i].key && streq(props[i].key, key))
                        return props[i].value;
        return NULL;
}

const HwDisk *hardware_find_disk(const Hardware *hw, const char *name) {
        if (!hw || !name)
                return NULL;
        for (size_t i = 0; i < hw->n_disks; i++)
                if (streq(hw->disks[i].name, name) || streq_ptr(hw->disks[i].path, name))
                        return &hw->disks[i];
        return NULL;
}

const HwNic *hardware_find_nic(const Hardware *hw, const char *name) {
        if (!hw || !name)
                return NULL;
        for (size_t i = 0; i < hw->n_nics; i++)
                if (streq(hw->nics[i].name, name))
                        return &hw->nics[i];
        return NULL;
}

size_t hw_strv_length(char *const *l) {
        size_t n = 0;
        for (; l && l[n]; n++)
                ;
        return n;
}

int hw_strv_push(char ***l, char *s) {
        size_t n = hw_strv_length(*l);
        char **nl = realloc(*l, (n + 2) * sizeof(char *));
        if (!nl)
                return -ENOMEM;
        nl[n] = s;
        nl[n + 1] = NULL;
        *l = nl;
        return 0;
}

int hw_strv_extend(char ***l, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        int r = hw_strv_push(l, c);
        if (r < 0)
                free(c);
        return r;
}

int hw_props_add(HwProperty **props, size_t *n, const char *key, const char *value) {
        /* A later value for the same key replaces the earlier one (udev database over uevent). */
        for (size_t i = 0; i < *n; i++)
                if (streq((*props)[i].key, key)) {
                        char *v = strdup(value);
                        if (!v)
                                return -ENOMEM;
                        free((*props)[i].value);
                        (*props)[i].value = v;
                        return 0;
                }

        HwProperty *np = realloc(*props, (*n + 1) * sizeof(HwProperty));
        if (!np)
                return -ENOMEM;
        *props = np;
        np[*n] = (HwProperty) { .key = strdup(key), .value = strdup(value) };
        if (!np[*n].key || !np[*n].value) {
                free(np[*n].key);
                free(np[*n].value);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

static int prop_cmp(const void *a, const void *b) {
        return strcmp(((const HwProperty *) a)->key, ((const HwProperty *) b)->key);
}

void hw_props_sort(HwProperty *props, size_t n) {
        if (n > 1)
                qsort(props, n, sizeof(HwProperty), prop_cmp);
}
