/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the answer schema's findings are shown: each answer key belongs to
 * the field, and so the screen, that writes it; and what a screen says when
 * a finding stops the plan it would preview. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-internal.h"

/* Answer keys and the field that writes them; the longest match wins. A
 * field's first key here is the one it writes (tui_field_key); the section
 * keys at the end take the findings about a section as a whole. */
static const struct {
        const char *key;
        TuiField field;
} key_fields[] = {
        { "global.keyboard", F_KEYBOARD },
        { "global.country", F_COUNTRY },
        { "global.fqdn", F_FQDN },
        { "global.mailto", F_MAILTO },
        { "global.timezone", F_TIMEZONE },
        { "global.root-password", F_PASSWORD },
        { "global.root-password-hashed", F_PASSWORD },
        { "global.root-ssh-keys", F_SSHKEY },
        { "network.source", F_DHCP },
        { "network.cidr", F_CIDR },
        { "network.gateway", F_GATEWAY },
        { "network.dns", F_DNS },
        { "network.filter", F_NIC },
        { "disk-setup.filesystem", F_FS },
        { "disk-setup.disk-list", F_DISKS },
        { "disk-setup.raid", F_RAID },
        { "disk-setup.btrfs.raid", F_RAID },
        { "disk-setup.encrypt", F_ENCRYPT },
        { "disk-setup.encrypt-passphrase", F_PASSPHRASE },
        { "disk-setup.lvm.hdsize", F_HDSIZE },
        { "disk-setup.btrfs.hdsize", F_HDSIZE },
        { "disk-setup.lvm.swapsize", F_SWAPSIZE },
        { "disk-setup.lvm.maxroot", F_MAXROOT },
        { "disk-setup.lvm.minfree", F_MINFREE },
        { "disk-setup.lvm.maxvz", F_MAXVZ },
        { "cluster.mode", F_CLUSTER_MODE },
        { "cluster.token", F_TOKEN },
        { "cluster.server-name", F_SERVER_NAME },
        { "cluster.verify", F_VERIFY },
        { "checks.waive", F_WAIVE },
        /* Findings about a whole section or table. */
        { "network", F_DHCP },
        { "disk-setup", F_DISKS },
        { "disk-setup.lvm", F_SWAPSIZE },
        { "cluster", F_CLUSTER_MODE },
        { "checks", F_WAIVE },
};

TuiField tui_key_field(const char *key) {
        TuiField best = F_NONE;
        size_t best_len = 0;
        for (size_t i = 0; key && i < ELEMENTSOF(key_fields); i++) {
                size_t n = strlen(key_fields[i].key);
                if (n > best_len && strneq(key, key_fields[i].key, n) && strchr(".[", key[n]) /* also the end */) {
                        best = key_fields[i].field;
                        best_len = n;
                }
        }
        return best;
}

TuiScreen tui_key_screen(const char *key) {
        return tui_field_screen(tui_key_field(key));
}

const char *tui_field_key(TuiField field) {
        for (size_t i = 0; field != F_NONE && i < ELEMENTSOF(key_fields); i++)
                if (key_fields[i].field == field)
                        return key_fields[i].key;
        return NULL;
}

/* The error that stops the plan: one on `here` first, else the earliest
 * screen's; F_NONE (the summary's) last. */
static TuiField blocking_field(const TuiCheck *c, TuiScreen here) {
        TuiField best = _F_MAX;
        for (TuiField f = 0; f < _F_MAX; f++) {
                if (!c->error[f])
                        continue;
                if (tui_field_screen(f) == here && f != F_NONE)
                        return f;
                if (best == _F_MAX || tui_field_screen(f) < tui_field_screen(best))
                        best = f;
        }
        return best;
}

/* "key: message", or the message alone when it names its key already (the
 * schema's messages often do) or there is no key. */
static int key_message(const char *key, const char *message, char **ret) {
        if (!key || !*key || strstr(message, key))
                return asprintf(ret, "%s", message) < 0 ? -ENOMEM : 0;
        return asprintf(ret, "%s: %s", key, message) < 0 ? -ENOMEM : 0;
}

int tui_plan_missing(const TuiCheck *c, TuiScreen here, char **ret_line0, char **ret_line1) {
        _cleanup_free_ char *l0 = NULL, *l1 = NULL;
        TuiField f = blocking_field(c, here);
        TuiScreen s = tui_field_screen(f);
        int r;

        if (f == _F_MAX)
                /* No finding at all (the plan builder failed without one). */
                r = asprintf(&l0, "The plan could not be made.") < 0 || !(l1 = strdup("")) ? -ENOMEM : 0;
        else if (f == F_NONE)
                r = asprintf(&l0, "The plan could not be made:");
        else if (s == here)
                r = asprintf(&l0, "The plan needs %s, on this screen:", tui_field_noun(f));
        else
                r = asprintf(&l0, "The plan needs %s: see the %s screen.", tui_field_noun(f), tui_screen_name(s));
        if (r >= 0 && f != _F_MAX)
                r = key_message(c->key[f] ?: tui_field_key(f), c->error[f], &l1);
        if (r < 0)
                return -ENOMEM;
        *ret_line0 = TAKE_PTR(l0);
        *ret_line1 = TAKE_PTR(l1);
        return 0;
}
