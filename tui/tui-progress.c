/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The screens of a running install: progress drawn by the engine's
 * InstallUi callbacks (stage, percentage, bytes, elapsed time); on failure
 * the error and the log tail with Retry, Shell, Save log and Exit; at the
 * end what was installed, how to reach the node, and Reboot. */

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "json-out.h"
#include "strutil.h"
#include "tui-internal.h"
#include "tui-progress.h"

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void progress_elapsed(TuiProgress *p) {
        char line[64];
        uint64_t s = (now_usec() - p->start_usec) / 1000000u;
        snprintf(line, sizeof(line), "Elapsed %02u:%02u:%02u", (unsigned) (s / 3600), (unsigned) (s / 60 % 60),
                 (unsigned) (s % 60));
        tui_label_set(p->elapsed, 30, line);
}

static void on_stage_begin(void *userdata, unsigned index, unsigned n, const char *name) {
        TuiProgress *p = userdata;
        char line[96];
        snprintf(line, sizeof(line), "Stage %u of %u: %s", index, n, name);
        tui_label_set(p->stage, TUI_WIN_WIDTH - 3, line);
        newtScaleSet(p->scale, 0);
        tui_label_set(p->amount, TUI_WIN_WIDTH - 3, "");
        progress_elapsed(p);
        newtRefresh();
}

static void on_stage_end(void *userdata, const char *name, int r, uint64_t usec) {
        TuiProgress *p = userdata;
        (void) strextendf_with_separator(&p->done_text, "\n", "%-12s %s  %.1f s", name, r < 0 ? "FAILED" : "done", usec / 1e6);
        newtTextboxSetText(p->stages, p->done_text ?: "");
        progress_elapsed(p);
        newtRefresh();
}

static void on_progress(void *userdata, uint64_t done, uint64_t total, const char *unit) {
        TuiProgress *p = userdata;
        char line[128], a[32], b[32];
        if (total == 0)
                return;
        unsigned pct = (unsigned) (done * 100 / total);
        newtScaleSet(p->scale, pct);
        if (streq_ptr(unit, "bytes")) {
                tui_format_gib(a, sizeof(a), done);
                tui_format_gib(b, sizeof(b), total);
                snprintf(line, sizeof(line), "%3u %%   %s of %s", pct, a, b);
        } else
                snprintf(line, sizeof(line), "%3u %%   %llu of %llu %s", pct, (unsigned long long) done,
                         (unsigned long long) total, strempty(unit));
        tui_label_set(p->amount, TUI_WIN_WIDTH - 3, line);
        progress_elapsed(p);
        newtRefresh();
}

void tui_progress_open(TuiProgress *p, const char *title) {
        *p = (TuiProgress) { .start_usec = now_usec() };
        newtCls();
        newtDrawRootText(0, 0, " forja installer  |  Installing");
        newtOpenWindow(1, 2, TUI_WIN_WIDTH, TUI_WIN_HEIGHT, title);
        p->form = newtForm(NULL, NULL, 0);
        newtFormAddComponent(p->form, newtLabel(1, 0, "Installing. Do not switch the machine off."));
        p->stage = tui_label_blank(1, 2, TUI_WIN_WIDTH - 3);
        p->scale = newtScale(1, 4, TUI_WIN_WIDTH - 3, 100);
        p->amount = tui_label_blank(1, 5, TUI_WIN_WIDTH - 3);
        p->elapsed = tui_label_blank(1, 6, 30);
        p->stages = newtTextbox(1, 8, TUI_WIN_WIDTH - 3, 9, 0);
        newtFormAddComponents(p->form, p->stage, p->scale, p->amount, p->elapsed, p->stages, NULL);
        newtDrawForm(p->form);
        newtRefresh();
        p->ui = (InstallUi) {
                .userdata = p,
                .stage_begin = on_stage_begin,
                .stage_end = on_stage_end,
                .progress = on_progress,
        };
}

void tui_progress_close(TuiProgress *p) {
        newtFormDestroy(p->form);
        newtPopWindow();
        free(p->done_text);
        *p = (TuiProgress) {};
}

static char *log_tail(const char *path, unsigned lines) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        if (!path || read_full_file(path, 16u << 20, &data, &size) < 0 || size == 0)
                return strdup("(the log is empty)");
        const char *p = data + size;
        while (p > data && p[-1] == '\n')
                p--;
        const char *end = p;
        for (unsigned n = 0; p > data && n < lines; p--)
                if (p[-1] == '\n' && ++n == lines)
                        break;
        return strndup(p, end - p);
}

/* A shell on the console, the log back on it for the shell only. */
static void run_shell(int tty_fd, const char *log_path) {
        newtSuspend();
        printf("\nThe install log is %s.\nType exit to return to the installer.\n", strempty(log_path));
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                if (tty_fd >= 0)
                        (void) dup2(tty_fd, STDERR_FILENO);
                signal(SIGPIPE, SIG_DFL); /* forja ignores it; the shell's pipes need it */
                execl("/bin/sh", "sh", "-i", (char *) NULL);
                _exit(127);
        }
        if (pid > 0)
                (void) waitpid(pid, NULL, 0);
        newtResume();
}

TuiFailureChoice tui_failure_screen(const char *stage, const char *error, const char *log_path, int tty_fd) {
        for (;;) {
                _cleanup_free_ char *tail = log_tail(log_path, 7), *where = NULL;
                char title[96];
                snprintf(title, sizeof(title), "The install failed in stage %s", stage);
                newtCls();
                newtDrawRootText(0, 0, " forja installer  |  Install failed");
                newtOpenWindow(1, 2, TUI_WIN_WIDTH, TUI_WIN_HEIGHT, title);
                newtComponent form = newtForm(NULL, NULL, 0);
                newtComponent err = tui_textbox(1, 0, TUI_WIN_WIDTH - 3, 4, strempty(error));
                if (asprintf(&where, "The end of the log, %.50s:", strempty(log_path)) < 0)
                        where = NULL;
                newtComponent lbl = newtLabel(1, 5, where ?: "The end of the log:");
                newtComponent log = newtTextbox(1, 6, TUI_WIN_WIDTH - 3, 7, 0);
                newtTextboxSetText(log, tail ?: "");
                newtComponent path_lbl = newtLabel(1, 14, "Save the log to:");
                newtComponent path = newtEntry(19, 14, "", 40, NULL, NEWT_FLAG_SCROLL);
                newtComponent saved = tui_label_blank(1, 15, TUI_WIN_WIDTH - 3);
                newtComponent retry = newtCompactButton(1, TUI_WIN_HEIGHT - 1, "Retry");
                newtComponent shell = newtCompactButton(12, TUI_WIN_HEIGHT - 1, "Shell");
                newtComponent save = newtCompactButton(23, TUI_WIN_HEIGHT - 1, "Save log");
                newtComponent quit = newtCompactButton(TUI_WIN_WIDTH - 10, TUI_WIN_HEIGHT - 1, "Exit");
                newtFormAddComponents(form, err, lbl, log, path_lbl, path, saved, retry, shell, save, quit, NULL);
                newtFormSetCurrent(form, retry);

                TuiFailureChoice choice = _TUI_FAILURE_INVALID;
                while (choice == _TUI_FAILURE_INVALID) {
                        newtComponent co = newtRunForm(form);
                        if (co == retry)
                                choice = TUI_FAILURE_RETRY;
                        else if (co == quit)
                                choice = TUI_FAILURE_EXIT;
                        else if (co == shell)
                                choice = TUI_FAILURE_SHELL;
                        else if (co == save) {
                                const char *to = newtEntryGetValue(path);
                                _cleanup_free_ char *data = NULL, *msg = NULL;
                                size_t size = 0;
                                int r = *to ? read_full_file(log_path, 64u << 20, &data, &size) : -EINVAL;
                                if (r >= 0)
                                        r = write_file_atomic(to, data, size, 0600);
                                if (asprintf(&msg, r < 0 ? "Cannot save the log to '%s': %s" : "Log saved to %s%s", to,
                                             r < 0 ? strerror(-r) : "") >= 0)
                                        tui_label_set(saved, TUI_WIN_WIDTH - 3, msg);
                        }
                }
                newtFormDestroy(form);
                newtPopWindow();
                if (choice != TUI_FAILURE_SHELL)
                        return choice;
                run_shell(tty_fd, log_path);
        }
}

void tui_done_screen(json_object *plan, bool *ret_reboot) {
        json_object *net = json_get(plan, "network");
        json_object *sys = json_get(plan, "system");
        const char *addr = json_get_string(net, "address");
        char line[160];

        newtCls();
        newtDrawRootText(0, 0, " forja installer  |  Done");
        newtOpenWindow(1, 2, TUI_WIN_WIDTH, TUI_WIN_HEIGHT, "Installed");
        newtComponent form = newtForm(NULL, NULL, 0);
        snprintf(line, sizeof(line), "forja is installed: %s.", strempty(json_get_string(sys, "fqdn")));
        newtFormAddComponent(form, newtLabel(1, 0, line));
        snprintf(line, sizeof(line), "Address: %s on %s", strempty(json_get_string(net, "cidr")),
                 strempty(json_get_string(net, "interface-on-target")));
        newtFormAddComponent(form, newtLabel(1, 2, line));
        snprintf(line, sizeof(line), "Log in:  ssh root@%s", strempty(addr));
        newtFormAddComponent(form, newtLabel(1, 4, line));
        snprintf(line, sizeof(line), "Incus:   https://%s:8443 (incus remote add NAME %s)", strempty(addr), strempty(addr));
        newtFormAddComponent(form, newtLabel(1, 5, line));
        newtFormAddComponent(form, newtLabel(1, 7, "Remove the install medium, then reboot into the new node."));
        newtComponent reboot_b = newtCompactButton(TUI_WIN_WIDTH - 12, TUI_WIN_HEIGHT - 1, "Reboot");
        newtComponent exit_b = newtCompactButton(1, TUI_WIN_HEIGHT - 1, "Exit to a shell");
        newtFormAddComponents(form, exit_b, reboot_b, NULL);
        newtFormSetCurrent(form, reboot_b);
        newtComponent co;
        do
                co = newtRunForm(form);
        while (co != reboot_b && co != exit_b);
        *ret_reboot = co == reboot_b;
        newtFormDestroy(form);
        newtPopWindow();
}
