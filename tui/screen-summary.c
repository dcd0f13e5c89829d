/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Screen 8: the plan as `forja plan` prints it, the disks to be erased
 * highlighted with model and serial, an explicit confirmation, and "Save as
 * answer file": the answer TOML that reproduces this install unattended. */

#include <string.h>

#include "fileio.h"
#include "json-out.h"
#include "strutil.h"
#include "tui-internal.h"

typedef struct SummaryPage {
        newtComponent plan, confirm, path, save, saved;
} SummaryPage;

static void summary_show_plan(TuiPage *p) {
        SummaryPage *s = p->userdata;
        TuiCheck c;
        _cleanup_free_ char *text = NULL, *why0 = NULL, *why1 = NULL;
        if (tui_check(&p->t->form, TUI_SUMMARY, p->t->save_path ?: "answer.toml", &c) >= 0) {
                if (c.plan)
                        (void) tui_plan_text(c.plan, &text);
                else if (tui_plan_missing(&c, TUI_SUMMARY, &why0, &why1) >= 0)
                        (void) strextendf_with_separator(&text, "", "%s\n%s", why0, why1);
        }
        tui_check_done(&c);
        newtTextboxSetText(s->plan, text ?: "(no plan: out of memory)");
}

static void summary_save(TuiPage *p, newtComponent co) {
        SummaryPage *s = p->userdata;
        if (co != s->save)
                return;
        const char *path = newtEntryGetValue(s->path);
        _cleanup_free_ char *text = NULL, *msg = NULL;
        int r = tui_answer_build(&p->t->form, TUI_SUMMARY, &text, NULL, NULL);
        if (r >= 0)
                r = *path ? write_file_atomic(path, text, strlen(text), 0600) : -EINVAL;
        if (r < 0)
                r = asprintf(&msg, "Cannot save the answer file to '%s': %s", path, *path ? strerror(-r) : "no path given");
        else {
                free(p->t->save_path);
                p->t->save_path = strdup(path);
                r = asprintf(&msg, "Saved to %s (mode 0600: it holds the root password).", path);
                summary_show_plan(p);
        }
        if (text)
                explicit_bzero(text, strlen(text));
        tui_label_set(s->saved, TUI_WIN_WIDTH - 3, r >= 0 ? msg : "Out of memory.");
}

static bool summary_next(TuiPage *p, const TuiCheck *c) {
        SummaryPage *s = p->userdata;
        if (newtCheckboxGetValue(s->confirm) == '*')
                return true;
        tui_label_set(p->general, TUI_WIN_WIDTH - 3, "Tick the confirmation first: the disks listed above will be erased.");
        newtFormSetCurrent(p->form, s->confirm);
        return false;
}

int tui_screen_summary(Tui *t) {
        static const TuiPageOps ops = { .next = summary_next, .other = summary_save };
        SummaryPage s = {};
        TuiPage p;
        TuiCheck c;

        /* Each screen checked its fields; a change since (Back) is caught here. */
        if (tui_check(&t->form, TUI_SUMMARY, t->save_path ?: "answer.toml", &c) < 0)
                return TUI_QUIT;
        if (c.first_bad < TUI_SUMMARY) {
                int back = c.first_bad;
                tui_check_done(&c);
                return back;
        }

        tui_page_open(&p, t, TUI_SUMMARY, "Summary", &ops, &s);
        tui_page_label(&p, 1, 0, "Disks that will be ERASED (everything on them is lost):");
        json_object *disks = json_get(json_get(c.plan, "storage"), "disks");
        size_t n = json_array_len(disks);
        for (size_t i = 0; i < MIN(n, (size_t) 3); i++) {
                json_object *d = json_array_at(disks, i);
                char line[128], size[32];
                tui_format_gib(size, sizeof(size), json_get_int(d, "size-bytes"));
                if (i == 2 && n > 3)
                        snprintf(line, sizeof(line), " ... and %zu more (see the plan below) ", n - 2);
                else
                        snprintf(line, sizeof(line), " %-10s %-24.24s serial %-14.14s %10s ",
                                 strempty(json_get_string(d, "path")), strempty(json_get_string(d, "model")),
                                 strempty(json_get_string(d, "serial")), size);
                newtComponent l = newtLabel(1, 1 + (int) i, line);
                newtLabelSetColors(l, TUI_COLOR_ERASE);
                newtFormAddComponent(p.form, l);
        }
        tui_check_done(&c);

        int top = 1 + (int) MIN(n, (size_t) 3);
        /* The scroll bar takes two more columns. */
        s.plan = newtTextbox(1, top, TUI_WIN_WIDTH - 5, 12 - top, NEWT_FLAG_SCROLL | NEWT_FLAG_WRAP);
        newtFormAddComponent(p.form, s.plan);
        summary_show_plan(&p);
        s.confirm = newtCheckbox(1, 12, "I have checked the disks above: erase them and install", ' ', NULL, NULL);
        newtFormAddComponent(p.form, s.confirm);
        tui_page_label(&p, 1, 14, "Save as answer file:");
        s.path = newtEntry(22, 14, t->save_path ?: "", 38, NULL, NEWT_FLAG_SCROLL);
        newtFormAddComponent(p.form, s.path);
        s.save = newtCompactButton(62, 14, "Save");
        newtFormAddComponent(p.form, s.save);
        s.saved = tui_label_blank(1, 15, TUI_WIN_WIDTH - 3);
        newtFormAddComponent(p.form, s.saved);
        tui_page_field(&p, F_NONE, NULL, 1, -1);
        tui_page_buttons(&p, "Back", t->o->dry_run ? "Finish (dry run)" : "Install");
        newtFormSetCurrent(p.form, s.confirm);

        int next = tui_page_run(&p);
        tui_page_close(&p);
        return next;
}
