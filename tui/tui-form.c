/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The installer's fields: initial values from the hardware (the DHCP lease,
 * the first disk that is not the install medium), and which screen, label
 * and name in a sentence each field has. */

#include <stdlib.h>
#include <string.h>

#include "tui-internal.h"

const char *const tui_fs_names[_TUI_FS_MAX] = { "ext4", "xfs", "btrfs" };
const char *const tui_raid_names[_TUI_RAID_MAX] = { "none", "raid0", "raid1", "raid10" };

static const struct {
        TuiScreen screen;
        const char *label;
        const char *noun;
} fields[_F_MAX] = {
        [F_NONE] = { TUI_SUMMARY, "Answer", "a valid answer" },
        [F_DISKS] = { TUI_DISKS, "Disks", "the disks" },
        [F_FS] = { TUI_DISKS, "File system", "the file system" },
        [F_RAID] = { TUI_DISKS, "RAID level", "the RAID level" },
        [F_ENCRYPT] = { TUI_DISKS, "Encryption", "the encryption" },
        [F_PASSPHRASE] = { TUI_DISKS, "Passphrase", "the passphrase" },
        [F_HDSIZE] = { TUI_SIZES, "hdsize", "hdsize" },
        [F_SWAPSIZE] = { TUI_SIZES, "swapsize", "swapsize" },
        [F_MAXROOT] = { TUI_SIZES, "maxroot", "maxroot" },
        [F_MINFREE] = { TUI_SIZES, "minfree", "minfree" },
        [F_MAXVZ] = { TUI_SIZES, "maxvz", "maxvz" },
        [F_TIMEZONE] = { TUI_LOCALE, "Time zone", "the time zone" },
        [F_KEYBOARD] = { TUI_LOCALE, "Keyboard", "the keyboard" },
        [F_COUNTRY] = { TUI_LOCALE, "Country", "the country" },
        [F_PASSWORD] = { TUI_ADMIN, "Root password", "the root password" },
        [F_PASSWORD2] = { TUI_ADMIN, "Confirm", "the repeated password" },
        [F_MAILTO] = { TUI_ADMIN, "E-mail", "the e-mail address" },
        [F_SSHKEY] = { TUI_ADMIN, "SSH key", "the SSH key" },
        [F_NIC] = { TUI_NETWORK, "Interface", "the interface" },
        [F_DHCP] = { TUI_NETWORK, "DHCP", "the network" },
        [F_FQDN] = { TUI_NETWORK, "Host name", "the host name" },
        [F_CIDR] = { TUI_NETWORK, "Address/CIDR", "the address" },
        [F_GATEWAY] = { TUI_NETWORK, "Gateway", "the gateway" },
        [F_DNS] = { TUI_NETWORK, "DNS server", "the DNS server" },
        [F_CLUSTER_MODE] = { TUI_CLUSTER, "Cluster", "the cluster mode" },
        [F_TOKEN] = { TUI_CLUSTER, "Join token", "the join token" },
        [F_SERVER_NAME] = { TUI_CLUSTER, "Member name", "the member name" },
        [F_VERIFY] = { TUI_CLUSTER, "Verify", "the verify choice" },
        [F_WAIVE] = { TUI_WELCOME, "Hardware check", "the hardware check" },
};

static const char *const screen_names[_TUI_SCREEN_MAX] = {
        [TUI_WELCOME] = "Welcome",
        [TUI_DISKS] = "Disks",
        [TUI_SIZES] = "Disk sizes",
        [TUI_LOCALE] = "Location",
        [TUI_ADMIN] = "Administrator",
        [TUI_NETWORK] = "Network",
        [TUI_CLUSTER] = "Cluster",
        [TUI_SUMMARY] = "Summary",
};

TuiScreen tui_field_screen(TuiField field) {
        return field >= 0 && field < _F_MAX ? fields[field].screen : TUI_SUMMARY;
}

const char *tui_field_label(TuiField field) {
        return field >= 0 && field < _F_MAX ? fields[field].label : "";
}

const char *tui_field_noun(TuiField field) {
        return field >= 0 && field < _F_MAX ? fields[field].noun : "";
}

const char *tui_screen_name(TuiScreen screen) {
        return screen >= 0 && screen < _TUI_SCREEN_MAX ? screen_names[screen] : "";
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
