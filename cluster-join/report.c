/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The body of forja join's webhook report (report.h) and its delivery. */

#include "json-out.h"
#include "machine-identity.h"
#include "report.h"
#include "webhook-report.h"

/* Seconds with one decimal, as the rest of the report writes them; null
 * for "did not happen" (a negative time). */
static json_object *seconds_value(double s) {
        char text[32];
        if (s < 0)
                return NULL;
        snprintf(text, sizeof text, "%.1f", s);
        return json_object_new_double_s(strtod(text, NULL), text);
}

/* The guest check's verdict as a fleet reads it: pass only when every step
 * passed; each step with its result and reason; the guests' start times. */
static json_object *guests_object(const GuestCheckReport *g, const char *error) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_add_string(o, "verdict", g && !error && guest_check_report_ok(g) ? "pass" : "fail");
        if (g) {
                json_add(o, "container-start-s", seconds_value(g->container_start_s));
                json_add(o, "vm-start-s", seconds_value(g->vm_start_s));
                json_object *checks = json_object_new_array();
                for (size_t i = 0; checks && i < g->n_results; i++) {
                        const GuestCheckResult *c = &g->results[i];
                        json_object *e = json_object_new_object();
                        json_add_string(e, "id", c->id);
                        json_add_string(e, "title", c->title);
                        json_add_string(e, "status", guest_check_status_to_string(c->status));
                        json_add_string(e, "message", c->message);
                        json_add(e, "seconds", seconds_value(c->seconds));
                        json_object_array_add(checks, e);
                }
                json_add(o, "checks", checks);
        }
        if (error)
                json_add_string(o, "error", error);
        return o;
}

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
        if (!r->error && (r->guests || r->guests_error))
                json_add(f, "guests", guests_object(r->guests, r->guests_error));
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
