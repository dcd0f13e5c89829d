/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The install itself: the same engine as `forja install --answer`
 * (install_run), with the plan and answer made from the fields, the hooks
 * the unattended install gets too (the join verification before the first
 * write, the webhook reports), and the progress, failure and done screens.
 * Retry runs the engine again from the start. */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "engine.h"
#include "install-front.h"
#include "tui-internal.h"
#include "tui-progress.h"

static char *serial_console_of_stdin(void) {
        const char *tty = ttyname(STDIN_FILENO);
        char *s = NULL;
        /* The person is on a serial line: the node gets a serial console too. */
        if (tty && startswith(tty, "/dev/ttyS") && asprintf(&s, "%s,115200", tty + strlen("/dev/")) < 0)
                s = NULL;
        return s;
}

int tui_run_install(Tui *t) {
        _cleanup_free_ char *serial = serial_console_of_stdin();
        int tty_fd = open("/dev/tty", O_WRONLY | O_CLOEXEC);

        for (;;) {
                TuiCheck c;
                if (tui_check(&t->form, TUI_SUMMARY, t->save_path ?: "answer.toml", &c) < 0 || !c.plan) {
                        tui_check_done(&c);
                        if (tty_fd >= 0)
                                close(tty_fd);
                        return 2;
                }
                TuiProgress p;
                tui_progress_open(&p, "Installing");
                InstallFrontHooks hooks;
                InstallContext ctx = {
                        .plan = c.plan,
                        .answer = c.answer,
                        .answer_text = c.text,
                        .answer_size = strlen(c.text),
                        .hw = t->o->hw,
                        .image = t->o->image,
                        .manifest = t->o->manifest,
                        .image_fingerprint = t->o->image_fingerprint,
                        .target = t->o->target,
                        .log_path = t->log_path,
                        .serial_console = serial,
                        .ui = &p.ui,
                };
                install_front_hooks_install(&hooks, &ctx);
                int r = install_run(&ctx);
                install_print_summary(stderr, &ctx);
                tui_progress_close(&p);
                if (r >= 0) {
                        bool reboot_now = false;
                        tui_done_screen(c.plan, &reboot_now);
                        install_context_done(&ctx);
                        install_front_hooks_done(&hooks);
                        tui_check_done(&c);
                        if (tty_fd >= 0)
                                close(tty_fd);
                        if (reboot_now) {
                                newtFinished();
                                sync();
                                (void) reboot(RB_AUTOBOOT);
                        }
                        return 0;
                }
                TuiFailureChoice choice = tui_failure_screen(install_stage_name(ctx.failed_stage), ctx.error, t->log_path, tty_fd);
                install_context_done(&ctx);
                install_front_hooks_done(&hooks);
                tui_check_done(&c);
                if (choice == TUI_FAILURE_EXIT) {
                        if (tty_fd >= 0)
                                close(tty_fd);
                        return 1;
                }
        }
}
