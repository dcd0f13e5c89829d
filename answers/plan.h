/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The install plan: what the installer will do, resolved against the
 * hardware, as a JSON document (docs/plan-json.md, stable). Storage is a tree
 * from disks down to mount points: disk -> partition -> md RAID / LUKS ->
 * LVM volume group -> logical volume -> file system, or a ZFS pool or Btrfs
 * file system over partitions; shared nodes are referenced by id. The other
 * sections hold network, system settings, first boot, webhooks, cluster and
 * waived checks. Secrets are never in the plan: the engine takes them from
 * the answer in memory. */

#include <stdio.h>

#include <json-c/json.h>

#include "answer-resolve.h"

#define PLAN_FORMAT_VERSION 1

/* Builds the plan. Sizes that do not fit (an LVM layout larger than its
 * volume group) are reported in *diags and return -EINVAL. The warnings
 * already in *diags are copied into the plan's "warnings". */
int plan_build(const Resolved *r, const char *answer_path, json_object **ret, AnswerDiags *diags);

/* The human-readable form of a plan (from its JSON). */
int plan_print_text(FILE *f, json_object *plan);

/* [checks] waive must name `forja check` ids (or forja's own
 * "root-disk-size"); unknown ids are errors in *d. */
void answer_check_waivers(const Answer *a, AnswerDiags *d);

/* Parses and validates answer text, resolves it against hw and builds the
 * plan: what `forja install` does before anything else. Returns 0 with both
 * results, -EINVAL with the findings in *d, or -ENOMEM. */
int plan_make(const char *data, size_t size, const char *answer_name, const Hardware *hw,
              Answer **ret_answer, json_object **ret_plan, AnswerDiags *d);
