/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* tui: the text-mode (newt) installer, the interactive front end of the
 * install engine. It asks for what an answer file holds, screen by screen
 * (hardware check, disks, sizes, location, administrator, network, cluster),
 * turns the fields into answer TOML and runs the real answer parser,
 * resolver and plan builder on it after every change, so the only
 * validation rules are the answer schema's (docs/installer.md). The summary
 * shows the `forja plan` text, can save that TOML as an answer file, and
 * starts install_run() with a progress screen; in a dry run it prints the
 * plan instead and writes nothing. Works from 80x24; a terminal that
 * reports no size (a serial line) counts as 80x24. */

#include <stdbool.h>

#include "hardware.h"

typedef struct TuiOptions {
        const Hardware *hw;             /* the machine (probed, or --hardware in a dry run) */
        bool dry_run;                   /* end at the summary and print the plan */
        const char *image;              /* node image and its manifest, for a real install */
        const char *manifest;
        const char *image_fingerprint;  /* the image server's pinned certificate, or NULL */
        const char *target;             /* NULL: the engine's default */
        const char *check_sysroot;      /* hwcheck fixture tree; NULL: $FORJA_CHECK_SYSROOT or the live system */
} TuiOptions;

/* True when the installer should be interactive: stdin and stdout are a terminal. */
bool tui_wanted(void);

/* False when the answer discovery of `forja answer fetch` (kernel command
 * line, install medium or the partition it names) finds no answer anywhere. */
bool tui_answer_available(const Hardware *hw, const char *medium_dir);

/* Runs the installer; returns the exit code of `forja install` (0 installed
 * or dry run done, 1 install failed or stopped, 2 terminal too small). */
int tui_install(const TuiOptions *o);
