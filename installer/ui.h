/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* How the install engine talks to a front end (newt TUI, serial console,
 * tests): it never draws; it reports stages, progress as numbers and log
 * lines, and asks questions, through this table. Every callback may be NULL. */

#include <stdint.h>

#include "log.h"

typedef struct InstallUi {
        void *userdata;
        /* A stage begins; index counts from 1 of n_stages. */
        void (*stage_begin)(void *userdata, unsigned index, unsigned n_stages, const char *name);
        /* A stage ended: r is 0 or a negative errno, duration in microseconds. */
        void (*stage_end)(void *userdata, const char *name, int r, uint64_t duration_usec);
        /* Progress within the current stage; total 0 when unknown. unit: "bytes", "files". */
        void (*progress)(void *userdata, uint64_t done, uint64_t total, const char *unit);
        /* Asks a question; returns the index of the chosen answer, or -errno. */
        int (*ask)(void *userdata, const char *question, const char *const *choices);
} InstallUi;

static inline void ui_progress(const InstallUi *ui, uint64_t done, uint64_t total, const char *unit) {
        if (ui && ui->progress)
                ui->progress(ui->userdata, done, total, unit);
}
