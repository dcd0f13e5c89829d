/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One installer screen: a window, its fields with an error line each, and
 * Back/Next. Edits are noticed by a form timer; after each one the answer
 * schema runs again and its findings appear under the fields. Next runs it
 * once more over every field and stays while this screen has an error (or
 * goes back to an earlier screen that has one). F12 is Next, F9 Back. */

#include <stdlib.h>
#include <string.h>

#include "tui-internal.h"

#define TUI_TIMER_MS 250

void tui_label_set(newtComponent label, int width, const char *text) {
        _cleanup_free_ char *buf = malloc(width + 1);
        if (!buf)
                return;
        size_t n = strlen(text ?: "");
        if ((int) n > width) {
                memcpy(buf, text, width - 3);
                memcpy(buf + width - 3, "...", 3);
        } else {
                memcpy(buf, text ?: "", n);
                memset(buf + n, ' ', width - n);
        }
        buf[width] = '\0';
        newtLabelSetText(label, buf);
}

newtComponent tui_label_blank(int left, int top, int width) {
        _cleanup_free_ char *blank = malloc(width + 1);
        if (!blank)
                return newtLabel(left, top, "");
        memset(blank, ' ', width);
        blank[width] = '\0';
        return newtLabel(left, top, blank);
}

newtComponent tui_textbox(int left, int top, int width, int height, const char *text) {
        int w = 0, h = 0;
        _cleanup_free_ char *flowed = newtReflowText((char *) text, width - 2, 0, 0, &w, &h);
        bool scroll = h > height;
        /* A scroll bar only when needed; it takes two columns. */
        newtComponent box = newtTextbox(left, top, scroll ? width - 2 : width, height,
                                        NEWT_FLAG_WRAP | (scroll ? NEWT_FLAG_SCROLL : 0));
        newtTextboxSetText(box, text);
        return box;
}

void tui_page_open(TuiPage *p, Tui *t, TuiScreen s, const char *title, const TuiPageOps *ops, void *userdata) {
        char root[80];

        *p = (TuiPage) { .t = t, .screen = s, .ops = ops, .userdata = userdata };
        newtCls();
        snprintf(root, sizeof(root), " forja installer%s  |  %u of %u: %s", t->o->dry_run ? " (dry run)" : "",
                 (unsigned) s + 1, (unsigned) _TUI_SCREEN_MAX, tui_screen_name(s));
        newtDrawRootText(0, 0, root);
        newtOpenWindow(1, 2, TUI_WIN_WIDTH, TUI_WIN_HEIGHT, title);
        p->form = newtForm(NULL, NULL, 0);
        newtFormAddHotKey(p->form, NEWT_KEY_F9);
        newtFormSetTimer(p->form, TUI_TIMER_MS);
        p->err_width = TUI_WIN_WIDTH - 4;
}

void tui_page_label(TuiPage *p, int left, int top, const char *text) {
        /* A label past the window's edge would draw over the border. */
        int width = TUI_WIN_WIDTH - 1 - left;
        newtFormAddComponent(p->form, newtLabel(left, top, (int) strlen(text) > width ? strndupa(text, width) : text));
}

void tui_page_field(TuiPage *p, TuiField f, newtComponent widget, int left, int top) {
        if (widget) {
                p->focus[f] = widget;
                newtFormAddComponent(p->form, widget);
        }
        if (top >= 0) {
                p->err[f] = tui_label_blank(left, top, TUI_WIN_WIDTH - 2 - left);
                p->err_left[f] = left;
                newtLabelSetColors(p->err[f], TUI_COLOR_ERROR);
                newtFormAddComponent(p->form, p->err[f]);
        }
}

newtComponent tui_page_entry(TuiPage *p, TuiField f, int left, int top, int width, int flags) {
        newtComponent e = newtEntry(left, top, tui_form_get(&p->t->form, f), width, NULL, flags | NEWT_FLAG_SCROLL);
        p->entry[f] = true;
        tui_page_field(p, f, e, 1, top + 1);
        return e;
}

void tui_page_buttons(TuiPage *p, const char *back, const char *next) {
        p->general = tui_label_blank(1, TUI_WIN_HEIGHT - 3, TUI_WIN_WIDTH - 3);
        newtLabelSetColors(p->general, TUI_COLOR_ERROR);
        newtFormAddComponent(p->form, p->general);
        if (back) {
                p->back = newtCompactButton(1, TUI_WIN_HEIGHT - 1, back);
                newtFormAddComponent(p->form, p->back);
        }
        p->next = newtCompactButton(TUI_WIN_WIDTH - 4 - (int) strlen(next), TUI_WIN_HEIGHT - 1, next);
        newtFormAddComponent(p->form, p->next);
}

static bool page_read(TuiPage *p) {
        bool changed = false;
        for (TuiField f = 0; f < _F_MAX; f++)
                if (p->entry[f] && tui_form_set(&p->t->form, f, newtEntryGetValue(p->focus[f]))) {
                        p->touched[f] = true;
                        changed = true;
                }
        if (p->ops && p->ops->read && p->ops->read(p))
                changed = true;
        return changed;
}

/* Shows this screen's findings: every one with all, else only those about
 * fields that were edited or hold something. Returns the first field with an
 * error, or F_NONE. */
static TuiField page_show(TuiPage *p, const TuiCheck *c, bool all) {
        const char *general = NULL;
        TuiField first = F_NONE;
        bool any = false;

        for (TuiField f = 0; f < _F_MAX; f++) {
                if (tui_field_screen(f) != p->screen)
                        continue;
                const char *e = c->error[f];
                bool show = e && (all || p->touched[f] || !p->entry[f] || *tui_form_get(&p->t->form, f));
                if (e && !any) {
                        first = f;
                        any = true;
                }
                if (p->err[f])
                        tui_label_set(p->err[f], TUI_WIN_WIDTH - 2 - p->err_left[f], show ? e : "");
                else if (show && !general)
                        general = e;
        }
        /* Findings about fields of later screens are theirs to show. */
        if (p->general)
                tui_label_set(p->general, TUI_WIN_WIDTH - 3, general ? general : "");
        return any ? first : F_NONE;
}

static int page_check(TuiPage *p, bool all, TuiCheck *c, TuiField *ret_first) {
        int r = tui_check(&p->t->form, p->screen, p->t->save_path ?: "answer.toml", c);
        if (r < 0)
                return r;
        *ret_first = page_show(p, c, all);
        if (p->ops && p->ops->live)
                p->ops->live(p, c);
        newtRefresh();
        return 0;
}

int tui_page_run(TuiPage *p) {
        TuiCheck c = { .first_bad = _TUI_SCREEN_MAX };
        TuiField first;
        int r;

        (void) page_check(p, false, &c, &first);
        tui_check_done(&c);
        for (;;) {
                struct newtExitStruct es = {};
                newtFormRun(p->form, &es);
                if (es.reason == NEWT_EXIT_TIMER) {
                        if (page_read(p)) {
                                (void) page_check(p, false, &c, &first);
                                tui_check_done(&c);
                        }
                        continue;
                }
                (void) page_read(p);
                bool hot = es.reason == NEWT_EXIT_HOTKEY;
                if ((hot && es.u.key == NEWT_KEY_F9) || (!hot && p->back && es.u.co == p->back)) {
                        if (p->back)
                                return p->screen - 1;
                        continue;
                }
                if (!(hot && es.u.key == NEWT_KEY_F12) && !(!hot && es.u.co == p->next)) {
                        if (!hot && p->ops && p->ops->other)
                                p->ops->other(p, es.u.co);
                        (void) page_check(p, false, &c, &first);
                        tui_check_done(&c);
                        continue;
                }

                r = page_check(p, true, &c, &first);
                if (r < 0) {
                        tui_label_set(p->general, TUI_WIN_WIDTH - 3, "Out of memory.");
                        continue;
                }
                if (c.first_bad < p->screen) {
                        /* Something an earlier screen set no longer fits: go there. */
                        int back = c.first_bad;
                        tui_check_done(&c);
                        return back;
                }
                if (c.first_bad == p->screen) {
                        if (p->focus[first])
                                newtFormSetCurrent(p->form, p->focus[first]);
                        tui_check_done(&c);
                        continue;
                }
                bool ok = !p->ops || !p->ops->next || p->ops->next(p, &c);
                tui_check_done(&c);
                if (ok)
                        return p->screen + 1;
        }
}

void tui_page_close(TuiPage *p) {
        newtFormDestroy(p->form);
        newtPopWindow();
        p->form = NULL;
}
