/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* forja join's report to the post-install webhook: one POST per run, with
 * the installer's delivery (common/webhook-report.h: retries, pinning,
 * Bearer token, secrets masked). The body has a top-level "forja" object
 *   {"event": "cluster-joined" | "cluster-join-failed", "version", "mode",
 *    "server-name", "cluster-address", "joined-through",
 *    "members": [{"name", "status"}], "ready-s",
 *    "guests": {"verdict": "pass" | "fail", "container-start-s", "vm-start-s",
 *               "checks": [{"id", "title", "status", "message", "seconds"}], "error"},
 *    "error"}
 * and the node's identity as the installer's bodies carry it (product, iso,
 * fqdn, machine-id, dmi). Fields that are not known are left out
 * (docs/cluster.md). */

#include <json-c/json.h>

#include "cluster.h"
#include "guest-check.h"
#include "hardware.h"

#define CLUSTER_EVENT_JOINED "cluster-joined"
#define CLUSTER_EVENT_JOIN_FAILED "cluster-join-failed"

typedef struct ClusterReport {
        ClusterMode mode;
        const char *server_name;
        const char *cluster_address;   /* this node's (settings' address); NULL: left out */
        const char *joined_through;    /* join: the member address the join went through; NULL: left out */
        json_object *status;           /* cluster_status_get(): its "members" become forja.members; NULL: none */
        const char *error;             /* NULL: cluster-joined, else cluster-join-failed with this text */
        const char *ready_s;           /* when Incus became ready, s since kernel start ("12.3"); NULL: left out */
        const GuestCheckReport *guests;/* the guest check's results (settings' check_guests); NULL: left out */
        const char *guests_error;      /* the guest check could not run at all: why (a "fail" verdict); NULL: none */
        const char *fqdn;              /* NULL: null */
        const char *root;              /* where etc/machine-id is read; NULL: "/" */
        const Hardware *hw;            /* for dmi; NULL: left out */
} ClusterReport;

json_object *cluster_report_body(const ClusterReport *r);

/* POSTs body to the webhook w describes. 0 or -errno with the reason in *ret_error. */
int cluster_report_send(const ClusterWebhook *w, json_object *body, char **ret_error);
