/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Screen 3: the advanced sizes (hdsize, swapsize, maxroot, minfree, maxvz)
 * with the resulting volumes shown live, read from the plan that the plan
 * builder makes of the current fields. */

#include <string.h>

#include "json-out.h"
#include "strutil.h"
#include "tui-internal.h"

typedef struct SizesPage {
        newtComponent result[3];        /* two rows of sizes, or three of why there is no plan */
} SizesPage;

static void lvm_result(json_object *vg, char **line0, char **line1) {
        json_object *lvs = json_get(vg, "logical-volumes");
        char size[32];
        for (size_t i = 0; i < json_array_len(lvs); i++) {
                json_object *lv = json_array_at(lvs, i);
                tui_format_gib(size, sizeof(size), json_get_int(lv, "size-bytes"));
                (void) strextendf_with_separator(line0, ", ", "%s %s", strempty(json_get_string(lv, "name")), size);
        }
        tui_format_gib(size, sizeof(size), json_get_int(vg, "size-bytes"));
        (void) strextendf_with_separator(line1, "", "volume group %s: %s", strempty(json_get_string(vg, "name")), size);
        tui_format_gib(size, sizeof(size), json_get_int(vg, "free-bytes"));
        (void) strextendf_with_separator(line1, "", ", left free %s", size);
}

static void sizes_live(TuiPage *p, const TuiCheck *c) {
        SizesPage *s = p->userdata;
        _cleanup_free_ char *l0 = NULL, *l1 = NULL, *a = NULL, *b = NULL, *more = NULL;
        json_object *st = json_get(c->plan, "storage");
        char size[32];

        if (!c->plan) {
                /* Say which error stops the plan and where, even when it is
                 * on a later screen (a password that is too short). */
                _cleanup_free_ char *why0 = NULL, *why1 = NULL;
                if (tui_plan_missing(c, p->screen, &why0, &why1) >= 0) {
                        (void) strextendf_with_separator(&a, "", "  %s", why0);
                        /* The message may take two rows: cut at a space. */
                        size_t w = TUI_WIN_WIDTH - 8, n = strlen(why1);
                        if (n > w) {
                                n = w;
                                while (n > w / 2 && why1[n] != ' ')
                                        n--;
                        }
                        (void) strextendf_with_separator(&b, "", "  %.*s", (int) n, why1);
                        (void) strextendf_with_separator(&more, "", "  %s", why1 + n + (why1[n] == ' '));
                }
                tui_label_set(s->result[0], TUI_WIN_WIDTH - 6, a ?: "  (no plan: out of memory)");
                tui_label_set(s->result[1], TUI_WIN_WIDTH - 6, strempty(b));
                tui_label_set(s->result[2], TUI_WIN_WIDTH - 6, strempty(more));
                return;
        }
        json_object *vgs = json_get(st, "volume-groups");
        if (json_array_len(vgs) > 0)
                lvm_result(json_array_at(vgs, 0), &l0, &l1);
        else {
                /* Btrfs: the members, one per disk. */
                json_object *disks = json_get(st, "disks");
                for (size_t i = 0; i < json_array_len(disks); i++) {
                        json_object *parts = json_get(json_array_at(disks, i), "partitions");
                        for (size_t k = 0; k < json_array_len(parts); k++) {
                                json_object *part = json_array_at(parts, k);
                                if (!streq_ptr(json_get_string(part, "role"), "btrfs-member"))
                                        continue;
                                tui_format_gib(size, sizeof(size), json_get_int(part, "size-bytes"));
                                (void) strextendf_with_separator(&l0, ", ", "%s %s", strempty(json_get_string(part, "path")), size);
                        }
                }
                const char *raid = json_get_string(st, "raid");
                (void) strextendf_with_separator(&l1, "", "btrfs %s over every disk", raid ?: "single");
        }
        snprintf(size, sizeof(size), "%.2f GiB", json_object_get_double(json_get(st, "hdsize-gib")));
        (void) strextendf_with_separator(&a, "", "  %s", strempty(l0));
        (void) strextendf_with_separator(&b, "", "  %s; hdsize %s", strempty(l1), size);
        tui_label_set(s->result[0], TUI_WIN_WIDTH - 6, strempty(a));
        tui_label_set(s->result[1], TUI_WIN_WIDTH - 6, strempty(b));
        tui_label_set(s->result[2], TUI_WIN_WIDTH - 6, "");
}

int tui_screen_sizes(Tui *t) {
        static const TuiPageOps ops = { .live = sizes_live };
        static const struct {
                TuiField field;
                const char *label;
        } rows[] = {
                { F_HDSIZE, "hdsize    disk space to use" },
                { F_SWAPSIZE, "swapsize  swap volume" },
                { F_MAXROOT, "maxroot   largest root volume" },
                { F_MINFREE, "minfree   left free in the volume group" },
                { F_MAXVZ, "maxvz     largest data volume (guests)" },
        };
        SizesPage s = {};
        TuiPage p;

        tui_page_open(&p, t, TUI_SIZES, "Disk sizes (advanced)", &ops, &s);
        tui_page_label(&p, 1, 0, "Sizes in GiB. Leave a field empty for the default, as the Proxmox");
        tui_page_label(&p, 1, 1, "installer computes it from the disk and the memory.");
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                tui_page_label(&p, 1, 2 + 2 * (int) i, rows[i].label);
                (void) tui_page_entry(&p, rows[i].field, 44, 2 + 2 * (int) i, 12, 0);
        }
        tui_page_label(&p, 1, 12, "Resulting sizes:");
        for (int i = 0; i < (int) ELEMENTSOF(s.result); i++) {
                s.result[i] = tui_label_blank(1, 13 + i, TUI_WIN_WIDTH - 6);
                newtFormAddComponent(p.form, s.result[i]);
        }
        tui_page_buttons(&p, "Back", "Next");

        int next = tui_page_run(&p);
        tui_page_close(&p);
        return next;
}
