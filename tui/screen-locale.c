/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Screen 4: time zone, keyboard layout (the Proxmox list, answer-locale.h)
 * and country. */

#include <string.h>

#include "answer-locale.h"
#include "tui-internal.h"

typedef struct LocalePage {
        newtComponent keyboard, chosen;
} LocalePage;

static void locale_live(TuiPage *p, const TuiCheck *c) {
        LocalePage *l = p->userdata;
        const KeyboardLayout *k = keyboard_layout_find(tui_form_get(&p->t->form, F_KEYBOARD));
        char line[96];
        snprintf(line, sizeof(line), "Layout: %s (%s)", k ? k->name : "?", tui_form_get(&p->t->form, F_KEYBOARD));
        tui_label_set(l->chosen, 36, line);
}

static bool locale_read(TuiPage *p) {
        LocalePage *l = p->userdata;
        const KeyboardLayout *k = newtListboxGetCurrent(l->keyboard);
        if (k && tui_form_set(&p->t->form, F_KEYBOARD, k->id)) {
                p->touched[F_KEYBOARD] = true;
                return true;
        }
        return false;
}

int tui_screen_locale(Tui *t) {
        static const TuiPageOps ops = { .read = locale_read, .live = locale_live };
        LocalePage l = {};
        TuiPage p;

        tui_page_open(&p, t, TUI_LOCALE, "Location, time zone and keyboard", &ops, &l);
        tui_page_label(&p, 1, 0, "Time zone (Europe/Vienna, America/New_York, UTC...):");
        (void) tui_page_entry(&p, F_TIMEZONE, 56, 0, 18, 0);
        tui_page_label(&p, 1, 2, "Country, as an ISO 3166 code (at, de, us...):");
        (void) tui_page_entry(&p, F_COUNTRY, 56, 2, 6, 0);
        tui_page_label(&p, 1, 4, "Keyboard layout:");
        l.keyboard = newtListbox(1, 5, 9, NEWT_FLAG_SCROLL | NEWT_FLAG_BORDER);
        for (const KeyboardLayout *k = keyboard_layouts; k->id; k++) {
                char line[64];
                snprintf(line, sizeof(line), "%-6s %-20s", k->id, k->name);
                newtListboxAppendEntry(l.keyboard, line, k);
        }
        const KeyboardLayout *cur = keyboard_layout_find(tui_form_get(&t->form, F_KEYBOARD));
        if (cur)
                newtListboxSetCurrentByKey(l.keyboard, (void *) cur);
        tui_page_field(&p, F_KEYBOARD, l.keyboard, 1, 14);
        l.chosen = tui_label_blank(38, 6, 36);
        newtFormAddComponent(p.form, l.chosen);
        tui_page_buttons(&p, "Back", "Next");

        int next = tui_page_run(&p);
        tui_page_close(&p);
        return next;
}
