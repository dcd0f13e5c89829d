/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What every report to the operator's post-installation webhook shares: the
 * installer's events (webhook.h) and forja join's cluster-joined and
 * cluster-join-failed (cluster-join/report.h). Delivery is a JSON POST with
 * 5 attempts and exponential backoff on transient failures, certificate
 * pinning, `Authorization: Bearer TOKEN`, and every registered secret
 * (log_register_secret) masked in every string of the body. The identity
 * fields (product, iso, fqdn, dmi, machine-id) have the same shape in every
 * body: webhook_add_identity() in inventory/machine-identity.h and
 * webhook_add_file() here. */

#include <json-c/json.h>

typedef struct WebhookTarget {
        const char *url;
        const char *fingerprint;   /* pinned SHA-256 of the server certificate, or NULL */
        const char *token;         /* bearer token (a secret), or NULL */
        unsigned attempts;         /* 0: 5 */
        unsigned backoff_ms;       /* first retry delay, doubled each time; 0: 1000 */
} WebhookTarget;

/* The text that is sent: body serialised with every registered secret
 * masked in each string (before JSON escaping, so a secret with '/' or '"'
 * is found too). NULL on OOM. body is not changed. */
char *webhook_body_text(json_object *body);

/* POSTs webhook_body_text(body). 0, or a negative errno with the reason
 * (URL, status, certificate) in *ret_error. */
int webhook_post(const WebhookTarget *t, json_object *body, char **ret_error);

/* {"event": event, "version": FORJA_VERSION}: the body's "forja" object. */
json_object *webhook_forja_object(const char *event);

/* root/rel (e.g. "etc/machine-id") trimmed of surrounding blanks; NULL when
 * missing or empty. */
char *webhook_read_file(const char *root, const char *rel);
/* Adds o[key] = webhook_read_file(root, rel) when there is one. */
void webhook_add_file(json_object *o, const char *key, const char *root, const char *rel);
