/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Screen 2: target disks (device, size, model, serial and what each holds
 * now, from the inventory), file system, RAID level and encryption. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "tui-internal.h"

typedef struct DisksPage {
        newtComponent tree, details;
        const void *shown;              /* the disk the details line is about */
        newtComponent fs[_TUI_FS_MAX];
        newtComponent raid[_TUI_RAID_MAX];
        newtComponent encrypt;
} DisksPage;

static void *disk_key(size_t i) {
        return (void *) (uintptr_t) (i + 1);
}

static const char *holds_short(const HwDisk *d) {
        if (d->install_medium)
                return "installer";
        if (d->contents_unknown)
                return "unreadable";
        if (d->pttype || (d->contents && d->contents[0]))
                return d->pttype ? d->pttype : "data";
        return "empty";
}

static char *holds_long(const HwDisk *d) {
        char *s = NULL;
        (void) strextendf_with_separator(&s, "", "%s holds: ", d->name);
        if (d->install_medium)
                (void) strextendf_with_separator(&s, "", "the running installer (cannot be chosen); ");
        if (d->contents_unknown)
                (void) strextendf_with_separator(&s, "", "unknown, it could not be read");
        else if (!d->pttype && !(d->contents && d->contents[0]))
                (void) strextendf_with_separator(&s, "", "nothing found");
        else {
                if (d->pttype)
                        (void) strextendf_with_separator(&s, "", "%s partition table", d->pttype);
                for (size_t i = 0; d->contents && d->contents[i]; i++)
                        (void) strextendf_with_separator(&s, i == 0 && !d->pttype ? "" : "; ", "%s", d->contents[i]);
        }
        return s;
}

static void disks_details(DisksPage *d, const Hardware *hw) {
        const void *cur = newtCheckboxTreeGetCurrent(d->tree);
        size_t i = cur ? (size_t) (uintptr_t) cur - 1 : 0;
        if (cur == d->shown || i >= hw->n_disks)
                return;
        _cleanup_free_ char *s = holds_long(&hw->disks[i]);
        tui_label_set(d->details, TUI_WIN_WIDTH - 3, s ?: "");
        d->shown = cur;
        newtRefresh();
}

static bool disks_read(TuiPage *p) {
        DisksPage *d = p->userdata;
        TuiForm *f = &p->t->form;
        bool changed = false;

        /* The details line follows the cursor. */
        disks_details(d, f->hw);

        for (size_t i = 0; i < f->hw->n_disks; i++) {
                bool on = newtCheckboxTreeGetEntryValue(d->tree, disk_key(i)) == '*';
                if (on != f->disk_selected[i]) {
                        f->disk_selected[i] = on;
                        p->touched[F_DISKS] = changed = true;
                }
        }
        newtComponent cur = newtRadioGetCurrent(d->fs[0]);
        for (TuiFs i = 0; i < _TUI_FS_MAX; i++)
                if (cur == d->fs[i] && f->fs != i) {
                        f->fs = i;
                        p->touched[F_FS] = changed = true;
                }
        cur = newtRadioGetCurrent(d->raid[0]);
        for (TuiRaid i = 0; i < _TUI_RAID_MAX; i++)
                if (cur == d->raid[i] && f->raid != i) {
                        f->raid = i;
                        p->touched[F_RAID] = changed = true;
                }
        bool enc = newtCheckboxGetValue(d->encrypt) == '*';
        if (enc != f->encrypt) {
                f->encrypt = enc;
                p->touched[F_ENCRYPT] = changed = true;
        }
        return changed;
}

int tui_screen_disks(Tui *t) {
        static const TuiPageOps ops = { .read = disks_read };
        const Hardware *hw = t->o->hw;
        TuiForm *f = &t->form;
        DisksPage d = {};
        TuiPage p;

        tui_page_open(&p, t, TUI_DISKS, "Target disks", &ops, &d);
        tui_page_label(&p, 1, 0, "Select the disks to install on with <Space>. Selected disks are ERASED.");
        tui_page_label(&p, 1, 1, "    Device  Size        Model                Serial         Holds now");
        d.tree = newtCheckboxTree(1, 2, 4, hw->n_disks > 4 ? NEWT_FLAG_SCROLL : 0);
        for (size_t i = 0; i < hw->n_disks; i++) {
                const HwDisk *k = &hw->disks[i];
                char line[128], size[32];
                tui_format_gib(size, sizeof(size), k->size_bytes);
                snprintf(line, sizeof(line), "%-7.7s %10s  %-20.20s %-14.14s %.12s", k->name, size, strempty(k->model),
                         strempty(k->serial), holds_short(k));
                newtCheckboxTreeAddItem(d.tree, line, disk_key(i), 0, NEWT_ARG_APPEND, NEWT_ARG_LAST);
                if (f->disk_selected[i])
                        newtCheckboxTreeSetEntryValue(d.tree, disk_key(i), '*');
        }
        newtCheckboxTreeSetWidth(d.tree, TUI_WIN_WIDTH - 4);
        tui_page_field(&p, F_DISKS, d.tree, 1, 7);
        d.details = tui_label_blank(1, 6, TUI_WIN_WIDTH - 3);
        newtFormAddComponent(p.form, d.details);
        disks_details(&d, hw);

        tui_page_label(&p, 1, 8, "File system:");
        static const int fs_left[_TUI_FS_MAX] = { 15, 25, 34 };
        for (TuiFs i = 0; i < _TUI_FS_MAX; i++) {
                d.fs[i] = newtRadiobutton(fs_left[i], 8, tui_fs_names[i], f->fs == i, i > 0 ? d.fs[i - 1] : NULL);
                tui_page_field(&p, F_FS, d.fs[i], 1, i == 0 ? 9 : -1);
        }
        p.focus[F_FS] = d.fs[f->fs];

        tui_page_label(&p, 1, 10, "RAID level:");
        static const int raid_left[_TUI_RAID_MAX] = { 15, 25, 36, 47 };
        for (TuiRaid i = 0; i < _TUI_RAID_MAX; i++) {
                d.raid[i] = newtRadiobutton(raid_left[i], 10, tui_raid_names[i], f->raid == i,
                                            i > 0 ? d.raid[i - 1] : NULL);
                tui_page_field(&p, F_RAID, d.raid[i], 1, i == 0 ? 11 : -1);
        }
        p.focus[F_RAID] = d.raid[f->raid];

        d.encrypt = newtCheckbox(1, 12, "Encrypt (LUKS2)", f->encrypt ? '*' : ' ', NULL, NULL);
        tui_page_field(&p, F_ENCRYPT, d.encrypt, 0, -1);
        tui_page_label(&p, 24, 12, "Passphrase:");
        (void) tui_page_entry(&p, F_PASSPHRASE, 36, 12, 30, NEWT_FLAG_PASSWORD);
        tui_page_label(&p, 1, 15, "Sizes (hdsize, swap, root, data) can be changed on the next screen.");
        tui_page_buttons(&p, "Back", "Next");

        int next = tui_page_run(&p);
        tui_page_close(&p);
        return next;
}
