/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* This node's cluster state from the local incusd: name, address, whether it
 * is clustered, its own status and the member list. The JSON shape is
 * documented in docs/cluster.md (forja join --status --json). */

#include <stdio.h>
#include <json-c/json.h>

#include "incus.h"

int cluster_status_get(IncusClient *c, json_object **ret, char **ret_error);
void cluster_status_print(FILE *f, json_object *status);
