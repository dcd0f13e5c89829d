/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Conventions shared by every forja subcommand.
 * A verb is `int verb_NAME(int argc, char *argv[])` with argv[0] the verb name;
 * it returns a process exit code: */

#define EXIT_OK 0           /* the job succeeded */
#define EXIT_JOB_FAILED 1   /* the job ran and failed, or a check failed */
#define EXIT_BAD_INPUT 2    /* bad usage or bad input; nothing was changed */

/* The exit code for a negative errno returned by a failed step. */
static inline int exit_code_for_error(int r) {
        return r >= 0 ? EXIT_OK : EXIT_JOB_FAILED;
}
