/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The component subcommands, in the order `forja --help` lists them.
 * A component adds `extern const Verb verb_NAME;` and an entry here. */

#include "verb.h"

static const Verb *const component_verbs[] = {
        NULL
};
