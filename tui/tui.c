/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The installer session: the terminal (at least 80x24; a serial line that
 * reports 0x0 counts as 80x24), newt set up and torn down, stderr sent to
 * the install log while the screens are up, and the screens in order with
 * Back and Next. A dry run ends at the summary and prints the plan. */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env-hooks.h"
#include "answer-resolve.h"
#include "log.h"
#include "source.h"
#include "tui-internal.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24
#define TUI_LOG_DIR "/run/forja"

bool tui_wanted(void) {
        return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

bool tui_answer_available(const Hardware *hw, const char *medium_dir) {
        AnswerFetchOptions o = {
                .medium_dir = medium_dir && access(medium_dir, F_OK) == 0 ? medium_dir : NULL,
                .dry_run = true,
                /* A person is at this terminal: an answer a DHCP or DNS server
                 * offers does not take the install away from them. */
                .no_network_discovery = true,
        };
        AnswerFetched f = {};
        _cleanup_free_ char *error = NULL;
        int r = answer_fetch(&o, hw, &f, &error);
        answer_fetched_done(&f);
        /* A source that was named but failed is the unattended path's to report. */
        return r != -ENOENT;
}

/* 0: big enough; -ERANGE: too small (the size in *cols, *rows). */
static int terminal_size(int *cols, int *rows) {
        struct winsize ws = {};
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || (ws.ws_col == 0 && ws.ws_row == 0)) {
                /* A serial console does not know its size: assume the classic 80x24. */
                (void) setenv("COLUMNS", "80", 1);
                (void) setenv("LINES", "24", 1);
                *cols = TUI_MIN_COLS;
                *rows = TUI_MIN_ROWS;
                return 0;
        }
        *cols = ws.ws_col;
        *rows = ws.ws_row;
        return ws.ws_col < TUI_MIN_COLS || ws.ws_row < TUI_MIN_ROWS ? -ERANGE : 0;
}

/* While the screens are up, log lines and tools' stderr go to the log. */
static int log_redirect(Tui *t, int *ret_saved) {
        int fd = -EBADF;
        if (!t->o->dry_run && (mkdir(TUI_LOG_DIR, 0755) >= 0 || errno == EEXIST)) {
                t->log_path = strdup(TUI_LOG_DIR "/installer.log");
                fd = t->log_path ? open(t->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -ENOMEM;
        }
        if (fd < 0) {
                free(t->log_path);
                t->log_path = strdup("/tmp/forja-installer.XXXXXX");
                fd = t->log_path ? mkostemp(t->log_path, O_CLOEXEC) : -ENOMEM;
        }
        if (fd < 0)
                return -errno;
        *ret_saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        (void) dup2(fd, STDERR_FILENO);
        close(fd);
        return 0;
}

static void log_restore(int saved) {
        if (saved >= 0) {
                (void) dup2(saved, STDERR_FILENO);
                close(saved);
        }
}

static void screens_begin(void) {
        newtInit();
        newtCls();
        newtSetColor(TUI_COLOR_ERROR, "red", "lightgray");
        newtSetColor(TUI_COLOR_ERASE, "white", "red");
        newtPushHelpLine(" <Tab> next field  <Space> select  <F12> Next  <F9> Back");
        newtRefresh();
}

static int print_plan(Tui *t) {
        TuiCheck c;
        _cleanup_free_ char *text = NULL;
        int r = tui_check(&t->form, TUI_SUMMARY, t->save_path ?: "answer.toml", &c);
        if (r >= 0 && c.plan)
                r = tui_plan_text(c.plan, &text);
        tui_check_done(&c);
        if (r < 0 || !text)
                return log_error_errno(r < 0 ? r : EINVAL, "install: no plan: %m"), EXIT_FAILURE;
        fputs(text, stdout);
        fflush(stdout);
        return EXIT_SUCCESS;
}

int tui_install(const TuiOptions *o) {
        Tui t = { .o = o };
        int cols, rows, saved = -EBADF, code;

        if (terminal_size(&cols, &rows) < 0) {
                fprintf(stderr, "install: the installer needs a terminal of at least %dx%d; this one is %dx%d.\n"
                        "Make the window larger, or install unattended with --answer FILE.\n",
                        TUI_MIN_COLS, TUI_MIN_ROWS, cols, rows);
                return 2;
        }
        if (tui_form_init(&t.form, o->hw) < 0) {
                tui_form_done(&t.form);
                return log_oom(), 1;
        }
        const char *sysroot = o->check_sysroot ?: env_hook(ENV_FORJA_CHECK_SYSROOT);
        if (hwcheck_run_full(sysroot, &t.report, &t.check_error) < 0)
                t.report = NULL;
        if (log_redirect(&t, &saved) < 0)
                log_warning("install: no log file; messages go to the terminal.");

        static int (*const screens[_TUI_SCREEN_MAX])(Tui *) = {
                tui_screen_welcome, tui_screen_disks, tui_screen_sizes, tui_screen_locale,
                tui_screen_admin, tui_screen_network, tui_screen_cluster, tui_screen_summary,
        };
        screens_begin();
        int s = TUI_WELCOME;
        while (s >= 0 && s < _TUI_SCREEN_MAX)
                s = screens[s](&t);

        if (s == TUI_QUIT) {
                newtFinished();
                log_restore(saved);
                printf("install: stopped before anything was written.\n");
                code = 1;
        } else if (o->dry_run) {
                newtFinished();
                log_restore(saved);
                if (t.save_path)
                        fprintf(stderr, "install: answer file saved to %s\n", t.save_path);
                code = print_plan(&t);
        } else {
                code = tui_run_install(&t);
                newtFinished();
                log_restore(saved);
        }
        /* A dry run's log only mattered while the screens were up. */
        if (o->dry_run && t.log_path)
                (void) unlink(t.log_path);
        hwcheck_report_free(t.report);
        free(t.check_error);
        free(t.save_path);
        free(t.log_path);
        tui_form_done(&t.form);
        return code;
}
