/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Screen 1: what this is, the machine, and the hardware check (`forja
 * check`). A failing check explains itself with its hint; continuing
 * anyway waives it in the answer ([checks] waive), so the saved answer
 * installs the same way unattended. */

#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "tui-internal.h"

static char *check_text(const Tui *t) {
        const HwcheckReport *r = t->report;
        char *text = NULL;

        if (!r) {
                (void) strextendf_with_separator(&text, "\n", "The hardware check could not run: %s",
                                                 strempty(t->check_error));
                return text;
        }
        /* Failures first, then warnings; passing checks are only counted. */
        for (int s = HWCHECK_FAIL; s >= HWCHECK_WARN; s--)
                for (size_t i = 0; i < r->n_results; i++) {
                        const HwcheckResult *c = &r->results[i];
                        if ((int) c->status != s)
                                continue;
                        (void) strextendf_with_separator(&text, "\n", "%s %s: %s", s == HWCHECK_FAIL ? "FAIL" : "warn",
                                                         c->id, c->message);
                        if (c->hint)
                                (void) strextendf_with_separator(&text, "\n", "     %s", c->hint);
                }
        if (!text)
                text = strdup("Every check passed: this machine can run virtual machines and containers.");
        return text;
}

int tui_screen_welcome(Tui *t) {
        const Hardware *hw = t->o->hw;
        TuiPage p;
        char line[160], mem[32];
        size_t failed = t->report ? hwcheck_report_count(t->report, HWCHECK_FAIL, false) : 0;

        tui_page_open(&p, t, TUI_WELCOME, "Welcome", NULL, NULL);
        tui_page_label(&p, 1, 0, "This installs a forja hypervisor node (Debian, KVM, LXC and Incus) on");
        tui_page_label(&p, 1, 1, "this machine. Nothing is written to any disk before the summary screen.");
        tui_format_gib(mem, sizeof(mem), hw->memory_bytes);
        snprintf(line, sizeof(line), "Machine: %s %s, %s firmware, %s memory", strempty(hw->dmi.system_vendor),
                 strempty(hw->dmi.system_product), hw->uefi ? "UEFI" : "BIOS", mem);
        tui_page_label(&p, 1, 3, line);
        snprintf(line, sizeof(line), "CPU: %s, %u threads", strempty(hw->cpu.model), hw->cpu.threads);
        tui_page_label(&p, 1, 4, line);
        snprintf(line, sizeof(line), "CPU virtualization: %s",
                 t->report ? t->report->cpu_verdict : strempty(hw->cpu.virt_verdict));
        tui_page_label(&p, 1, 5, line);
        if (t->report)
                snprintf(line, sizeof(line), "Hardware check (forja check): %zu passed, %zu warnings, %zu failed",
                         hwcheck_report_count(t->report, HWCHECK_PASS, false) + hwcheck_report_count(t->report, HWCHECK_INFO, false),
                         hwcheck_report_count(t->report, HWCHECK_WARN, false), failed);
        else
                snprintf(line, sizeof(line), "Hardware check: could not run");
        tui_page_label(&p, 1, 6, line);

        _cleanup_free_ char *text = check_text(t);
        newtFormAddComponent(p.form, tui_textbox(1, 7, TUI_WIN_WIDTH - 3, 7, text ?: ""));
        if (failed > 0) {
                tui_page_label(&p, 1, 14, "The node cannot host VMs until the failing checks are fixed. Continue");
                tui_page_label(&p, 1, 15, "anyway: the answer then waives them ([checks] waive).");
        }
        tui_page_buttons(&p, NULL, failed > 0 ? "Continue anyway" : "Next");
        newtComponent stop = newtCompactButton(1, TUI_WIN_HEIGHT - 1, "Stop");
        newtFormAddComponent(p.form, stop);
        newtFormSetCurrent(p.form, p.next);

        for (;;) {
                struct newtExitStruct es = {};
                newtFormRun(p.form, &es);
                if (es.reason == NEWT_EXIT_TIMER)
                        continue;
                if (es.reason == NEWT_EXIT_COMPONENT && es.u.co == stop) {
                        tui_page_close(&p);
                        return TUI_QUIT;
                }
                if ((es.reason == NEWT_EXIT_HOTKEY && es.u.key == NEWT_KEY_F12) ||
                    (es.reason == NEWT_EXIT_COMPONENT && es.u.co == p.next))
                        break;
        }
        tui_page_close(&p);

        /* Continuing past failures waives exactly them. */
        strv_free(t->form.waive);
        t->form.waive = calloc(failed + 1, sizeof(char *));
        for (size_t i = 0, k = 0; t->form.waive && t->report && i < t->report->n_results; i++)
                if (t->report->results[i].status == HWCHECK_FAIL)
                        t->form.waive[k++] = strdup(t->report->results[i].id);
        return TUI_DISKS;
}
