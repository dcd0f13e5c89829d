/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The cluster-join subcommands (listed in forja/verbs-list.h). */

#include "verb.h"

extern const Verb verb_join;
extern const Verb verb_cluster;

/* Exit code for a cluster-join error: 2 for bad settings or a bad token
 * (undecodable, expired, another name), 1 for everything else. */
int cluster_exit_code(int r);
