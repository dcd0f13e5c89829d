/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Screen 6: the management interface (with link state and MAC), host name,
 * address, gateway and DNS, prefilled from the DHCP lease when there is one. */

#include <stdint.h>
#include <string.h>

#include "tui-internal.h"

typedef struct NetworkPage {
        newtComponent nics, dhcp, chosen;
} NetworkPage;

static void network_live(TuiPage *p, const TuiCheck *c) {
        NetworkPage *n = p->userdata;
        const Hardware *hw = p->t->form.hw;
        char line[96];
        snprintf(line, sizeof(line), "Management interface: %s",
                 hw->n_nics > 0 ? hw->nics[MIN(p->t->form.nic, hw->n_nics - 1)].name : "none");
        tui_label_set(n->chosen, 60, line);
}

static bool network_read(TuiPage *p) {
        NetworkPage *n = p->userdata;
        TuiForm *f = &p->t->form;
        bool changed = false;
        void *cur = newtListboxGetCurrent(n->nics);
        if (cur && (size_t) (uintptr_t) cur - 1 != f->nic) {
                f->nic = (size_t) (uintptr_t) cur - 1;
                p->touched[F_NIC] = changed = true;
        }
        bool dhcp = newtCheckboxGetValue(n->dhcp) == '*';
        if (dhcp != f->dhcp) {
                f->dhcp = dhcp;
                p->touched[F_DHCP] = changed = true;
        }
        return changed;
}

int tui_screen_network(Tui *t) {
        static const TuiPageOps ops = { .read = network_read, .live = network_live };
        const Hardware *hw = t->o->hw;
        NetworkPage n = {};
        TuiPage p;

        tui_page_open(&p, t, TUI_NETWORK, "Network", &ops, &n);
        n.chosen = tui_label_blank(1, 0, 60);
        newtFormAddComponent(p.form, n.chosen);
        n.nics = newtListbox(1, 1, 3, hw->n_nics > 3 ? NEWT_FLAG_SCROLL : 0);
        for (size_t i = 0; i < hw->n_nics; i++) {
                const HwNic *nic = &hw->nics[i];
                char line[128];
                bool lease = hw->dhcp.nic && streq(hw->dhcp.nic, nic->name);
                snprintf(line, sizeof(line), "%-10.10s %-17s  %-7s  %-8.8s %s%s", nic->name, strempty(nic->mac),
                         nic->link ? "link up" : "no link", strempty(nic->driver), lease ? "lease " : "",
                         lease ? strempty(hw->dhcp.address) : "");
                newtListboxAppendEntry(n.nics, line, (void *) (uintptr_t) (i + 1));
        }
        newtListboxSetWidth(n.nics, TUI_WIN_WIDTH - 4);
        if (hw->n_nics > 0)
                newtListboxSetCurrent(n.nics, (int) t->form.nic);
        tui_page_field(&p, F_NIC, n.nics, 1, 4);
        n.dhcp = newtCheckbox(1, 5, "Use the DHCP lease (then the address, gateway and DNS are the lease's)",
                              t->form.dhcp ? '*' : ' ', NULL, NULL);
        tui_page_field(&p, F_DHCP, n.dhcp, 1, -1);
        tui_page_label(&p, 1, 7, "Host name (FQDN):");
        (void) tui_page_entry(&p, F_FQDN, 22, 7, 40, 0);
        tui_page_label(&p, 1, 9, "Address/CIDR:");
        (void) tui_page_entry(&p, F_CIDR, 22, 9, 40, 0);
        tui_page_label(&p, 1, 11, "Gateway:");
        (void) tui_page_entry(&p, F_GATEWAY, 22, 11, 40, 0);
        tui_page_label(&p, 1, 13, "DNS server:");
        (void) tui_page_entry(&p, F_DNS, 22, 13, 40, 0);
        tui_page_buttons(&p, "Back", "Next");

        int next = tui_page_run(&p);
        tui_page_close(&p);
        return next;
}
