/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A subcommand of the forja binary. Each component defines its verbs as
 * `const Verb verb_NAME = {...}` and forja/verbs-list.h lists them.
 * run() gets argv[0] = the verb name and returns an exit code (common/cli.h). */

#include "cli.h"

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *summary;     /* one line for `forja --help` */
        const char *usage;       /* full text for `forja help NAME` and `forja NAME --help` */
} Verb;
