/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The component subcommands, in the order `forja --help` lists them.
 * A component adds `extern const Verb verb_NAME;` and an entry here. */

#include "verb.h"

extern const Verb verb_check;
extern const Verb verb_disks;
extern const Verb verb_nics;
extern const Verb verb_system_info;
extern const Verb verb_answer;
extern const Verb verb_plan;
extern const Verb verb_device_match;
extern const Verb verb_join;
extern const Verb verb_cluster;
extern const Verb verb_iso;
extern const Verb verb_install;
extern const Verb verb_image;

static const Verb *const component_verbs[] = {
        &verb_check,
        &verb_disks,
        &verb_nics,
        &verb_system_info,
        &verb_answer,
        &verb_plan,
        &verb_device_match,
        &verb_install,
        &verb_image,
        &verb_join,
        &verb_cluster,
        &verb_iso,
        NULL
};
