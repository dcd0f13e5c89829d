/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Screen 5: the root password (twice), the administrator's e-mail and an
 * optional SSH key for root. */

#include <string.h>

#include "tui-internal.h"

static bool admin_next(TuiPage *p, const TuiCheck *c) {
        /* The answer holds the password once; typing it twice is the screen's own affair. */
        if (!streq(tui_form_get(&p->t->form, F_PASSWORD), tui_form_get(&p->t->form, F_PASSWORD2))) {
                tui_label_set(p->err[F_PASSWORD2], TUI_WIN_WIDTH - 3, "The two passwords differ; type the same one twice.");
                newtFormSetCurrent(p->form, p->focus[F_PASSWORD2]);
                return false;
        }
        return true;
}

int tui_screen_admin(Tui *t) {
        static const TuiPageOps ops = { .next = admin_next };
        TuiPage p;

        tui_page_open(&p, t, TUI_ADMIN, "Administrator", &ops, NULL);
        tui_page_label(&p, 1, 0, "Root password:");
        (void) tui_page_entry(&p, F_PASSWORD, 22, 0, 40, NEWT_FLAG_PASSWORD);
        tui_page_label(&p, 1, 2, "Root password again:");
        (void) tui_page_entry(&p, F_PASSWORD2, 22, 2, 40, NEWT_FLAG_PASSWORD);
        tui_page_label(&p, 1, 4, "E-mail:");
        (void) tui_page_entry(&p, F_MAILTO, 22, 4, 40, 0);
        tui_page_label(&p, 1, 6, "SSH key (optional):");
        (void) tui_page_entry(&p, F_SSHKEY, 22, 6, 50, 0);
        tui_page_label(&p, 1, 9, "The e-mail address gets the node's notifications. An SSH public key");
        tui_page_label(&p, 1, 10, "(ssh-ed25519 AAAA... user) lets root log in without the password.");
        tui_page_buttons(&p, "Back", "Next");

        int next = tui_page_run(&p);
        tui_page_close(&p);
        return next;
}
