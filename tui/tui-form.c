/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The installer's fields: initial values from the hardware (the DHCP lease,
 * the first disk that is not the install medium), and which screen and label
 * each field belongs to. */

#include <stdlib.h>
#include <string.h>

#include "tui-internal.h"

const char *const tui_fs_names[_TUI_FS_MAX] = { "ext4", "xfs", "btrfs" };
const char *const tui_raid_names[_TUI_RAID_MAX] = { "none", "raid0", "raid1", "raid10" };

static const struct {
        TuiScreen screen;
        const char *label;
} fields[_F_MAX] = {
        [F_NONE] = { TUI_SUMMARY, "Answer" },
        [F_DISKS] = { TUI_DISKS, "Disks" },
        [F_FS] = { TUI_DISKS, "File system" },
        [F_RAID] = { TUI_DISKS, "RAID level" },
        [F_ENCRYPT] = { TUI_DISKS, "Encryption" },
        [F_PASSPHRASE] = { TUI_DISKS, "Passphrase" },
        [F_HDSIZE] = { TUI_SIZES, "hdsize" },
        [F_SWAPSIZE] = { TUI_SIZES, "swapsize" },
        [F_MAXROOT] = { TUI_SIZES, "maxroot" },
        [F_MINFREE] = { TUI_SIZES, "minfree" },
        [F_MAXVZ] = { TUI_SIZES, "maxvz" },
        [F_TIMEZONE] = { TUI_LOCALE, "Time zone" },
        [F_KEYBOARD] = { TUI_LOCALE, "Keyboard" },
        [F_COUNTRY] = { TUI_LOCALE, "Country" },
        [F_PASSWORD] = { TUI_ADMIN, "Root password" },
        [F_PASSWORD2] = { TUI_ADMIN, "Confirm" },
        [F_MAILTO] = { TUI_ADMIN, "E-mail" },
        [F_SSHKEY] = { TUI_ADMIN, "SSH key" },
        [F_NIC] = { TUI_NETWORK, "Interface" },
        [F_DHCP] = { TUI_NETWORK, "DHCP" },
        [F_FQDN] = { TUI_NETWORK, "Host name" },
        [F_CIDR] = { TUI_NETWORK, "Address/CIDR" },
        [F_GATEWAY] = { TUI_NETWORK, "Gateway" },
        [F_DNS] = { TUI_NETWORK, "DNS server" },
        [F_CLUSTER_MODE] = { TUI_CLUSTER, "Cluster" },
        [F_TOKEN] = { TUI_CLUSTER, "Join token" },
        [F_SERVER_NAME] = { TUI_CLUSTER, "Member name" },
        [F_VERIFY] = { TUI_CLUSTER, "Verify" },
        [F_WAIVE] = { TUI_WELCOME, "Hardware check" },
};

TuiScreen tui_field_screen(TuiField field) {
        return field >= 0 && field < _F_MAX ? fields[field].screen : TUI_SUMMARY;
}

const char *tui_field_label(TuiField field) {
        return field >= 0 && field < _F_MAX ? fields[field].label : "";
}

bool tui_form_set(TuiForm *f, TuiField field, const char *value) {
        if (streq_ptr(f->text[field], value ?: ""))
                return false;
        char *v = strdup(value ?: "");
        if (!v)
                return false;
        free(f->text[field]);
        f->text[field] = v;
        return true;
}

const char *tui_form_get(const TuiForm *f, TuiField field) {
        return f->text[field] ?: "";
}

int tui_form_init(TuiForm *f, const Hardware *hw) {
        *f = (TuiForm) { .hw = hw, .verify = true };
        f->disk_selected = calloc(hw->n_disks + 1, sizeof(bool));
        if (!f->disk_selected)
                return -ENOMEM;
        for (size_t i = 0; i < hw->n_disks; i++)
                if (!hw->disks[i].install_medium) {
                        f->disk_selected[i] = true;
                        break;
                }
        for (TuiField i = 0; i < _F_MAX; i++)
                if (!(f->text[i] = strdup("")))
                        return -ENOMEM;

        (void) tui_form_set(f, F_TIMEZONE, "UTC");
        (void) tui_form_set(f, F_KEYBOARD, "en-us");
        (void) tui_form_set(f, F_COUNTRY, "us");

        /* The network as the DHCP lease has it, else the first NIC with link. */
        const HwDhcp *l = &hw->dhcp;
        f->dhcp = l->nic && l->address;
        for (size_t i = 0; i < hw->n_nics; i++)
                if (l->nic ? streq(hw->nics[i].name, l->nic) : hw->nics[i].link) {
                        f->nic = i;
                        break;
                }
        if (l->address)
                (void) tui_form_set(f, F_CIDR, l->address);
        if (l->gateway)
                (void) tui_form_set(f, F_GATEWAY, l->gateway);
        if (l->dns && l->dns[0])
                (void) tui_form_set(f, F_DNS, l->dns[0]);
        if (l->hostname) {
                _cleanup_free_ char *fqdn = NULL;
                if (asprintf(&fqdn, "%s.%s", l->hostname, l->domain ?: "localdomain") < 0)
                        return -ENOMEM;
                (void) tui_form_set(f, F_FQDN, fqdn);
        }
        return 0;
}

void tui_form_done(TuiForm *f) {
        free(f->disk_selected);
        strv_free(f->waive);
        for (TuiField i = 0; i < _F_MAX; i++)
                if (f->text[i]) {
                        explicit_bzero(f->text[i], strlen(f->text[i]));
                        free(f->text[i]);
                }
        *f = (TuiForm) {};
}
