/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The screens of a running install: progress (driven by the engine's
 * InstallUi callbacks), failure and done. Separate from the install loop so
 * tests can draw them with made-up progress. */

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>
#include <newt.h>

#include "ui.h"

typedef struct TuiProgress {
        InstallUi ui;                   /* hand this to the engine */
        newtComponent form, stage, scale, amount, elapsed, stages;
        uint64_t start_usec;
        char *done_text;
} TuiProgress;

void tui_progress_open(TuiProgress *p, const char *title);
void tui_progress_close(TuiProgress *p);

typedef enum TuiFailureChoice {
        TUI_FAILURE_RETRY,
        TUI_FAILURE_SHELL,
        TUI_FAILURE_EXIT,
        _TUI_FAILURE_INVALID = -1,
} TuiFailureChoice;

/* The error, the log tail, Retry / Shell / Save log / Exit; the shell runs
 * inside (on tty_fd) and the screen comes back. Returns Retry or Exit. */
TuiFailureChoice tui_failure_screen(const char *stage, const char *error, const char *log_path, int tty_fd);

/* What was installed and how to reach it; *ret_reboot: Reboot was chosen. */
void tui_done_screen(json_object *plan, bool *ret_reboot);
