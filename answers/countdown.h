/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The console countdown before an install from a network-discovered answer. */

/* Shows on every console (NULL-terminated device paths; those that cannot be
 * opened are skipped) that the answer from source is about to be installed,
 * counting down seconds. Returns 0 when the time ran out, 1 when a key was
 * pressed on any console, a negative errno when no console could be opened. */
int answer_countdown(char *const *consoles, unsigned seconds, const char *source);
