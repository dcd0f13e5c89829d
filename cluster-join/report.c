/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The body of forja join's webhook report (report.h) and its delivery. */

#include "json-out.h"
#include "machine-identity.h"
#include "report.h"
#include "webhook-report.h"

json_object *cluster_report_body(const ClusterReport *r) {
        json_object *body = json_object_new_object();
        json_object *f = webhook_forja_object(r->error ? CLUSTER_EVENT_JOIN_FAILED : CLUSTER_EVENT_JOINED);
        if (!body || !f) {
                json_object_put(body);
                json_object_put(f);
                return NULL;
        }
        json_add_string(f, "mode", cluster_mode_to_string(r->mode));
        json_add_string(f, "server-name", r->server_name);
        if (r->cluster_address)
                json_add_string(f, "cluster-address", r->cluster_address);
        if (r->joined_through)
                json_add_string(f, "joined-through", r->joined_through);
        json_object *members = json_get(r->status, "members");
        if (!r->error && members) {
                json_object *list = json_object_new_array();
                for (size_t i = 0; i < json_array_len(members); i++) {
                        json_object *m = json_array_at(members, i), *e = json_object_new_object();
                        json_add_string(e, "name", json_get_string(m, "server_name"));
                        json_add_string(e, "status", json_get_string(m, "status"));
                        json_object_array_add(list, e);
                }
                json_add(f, "members", list);
        }
        if (!r->error && r->ready_s)
                json_add(f, "ready-s", json_object_new_double_s(strtod(r->ready_s, NULL), r->ready_s));
        if (r->error)
                json_add_string(f, "error", r->error);
        json_add(body, "forja", f);
        webhook_add_identity(body, r->fqdn, r->hw);
        webhook_add_file(body, "machine-id", r->root ?: "/", "etc/machine-id");
        return body;
}

int cluster_report_send(const ClusterWebhook *w, json_object *body, char **ret_error) {
        WebhookTarget t = {
                .url = w->url,
                .fingerprint = w->cert_fingerprint,
                .token = w->auth_token,
        };
        return webhook_post(&t, body, ret_error);
}
