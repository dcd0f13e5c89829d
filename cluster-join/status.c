/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The node's cluster state, as `forja join --status` prints it. */

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster-internal.h"
#include "json-out.h"
#include "status.h"

int cluster_status_get(IncusClient *c, json_object **ret, char **ret_error) {
        _cleanup_json_ json_object *server = NULL, *cluster = NULL, *members = NULL;
        int r;

        r = incus_request(c, "GET", "/1.0", NULL, &server, NULL, ret_error);
        if (r < 0)
                return r;
        r = incus_request(c, "GET", "/1.0/cluster", NULL, &cluster, NULL, ret_error);
        if (r < 0)
                return r;
        bool enabled = json_object_get_boolean(json_get(cluster, "enabled"));
        json_object *env = json_get(server, "environment");

        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        const char *name = json_get_string(cluster, "server_name");
        if (json_add_string(o, "server_name", name && *name ? name : json_get_string(env, "server_name")) < 0 ||
            json_add_bool(o, "clustered", enabled) < 0 ||
            json_add_string(o, "address", json_get_string(json_get(server, "config"), "core.https_address")) < 0 ||
            json_add_string(o, "incus_version", json_get_string(env, "server_version")) < 0)
                return -ENOMEM;
        if (!enabled)
                return *ret = TAKE_PTR(o), 0;

        r = incus_request(c, "GET", "/1.0/cluster/members?recursion=1", NULL, &members, NULL, ret_error);
        if (r < 0)
                return r;
        json_object *list = json_object_new_array();
        if (!list || json_add(o, "members", list) < 0)
                return -ENOMEM;
        for (size_t i = 0; json_object_is_type(members, json_type_array) && i < json_object_array_length(members); i++) {
                json_object *m = json_object_array_get_idx(members, i);
                json_object *e = json_object_new_object();
                if (!e || json_object_array_add(list, e) < 0 ||
                    json_add_string(e, "server_name", json_get_string(m, "server_name")) < 0 ||
                    json_add_string(e, "url", json_get_string(m, "url")) < 0 ||
                    json_add_string(e, "status", json_get_string(m, "status")) < 0 ||
                    json_add_string(e, "message", json_get_string(m, "message")) < 0 ||
                    json_add(e, "roles", json_object_get(json_get(m, "roles"))) < 0)
                        return -ENOMEM;
                if (streq_ptr(json_get_string(m, "server_name"), name) &&
                    (json_add_string(o, "status", json_get_string(m, "status")) < 0 ||
                     json_add_string(o, "message", json_get_string(m, "message")) < 0))
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

void cluster_status_print(FILE *f, json_object *st) {
        bool clustered = json_object_get_boolean(json_get(st, "clustered"));
        fprintf(f, "Server name:   %s\n", strempty(json_get_string(st, "server_name")));
        fprintf(f, "Incus:         %s\n", strempty(json_get_string(st, "incus_version")));
        fprintf(f, "Address:       %s\n", json_get_string(st, "address") ?: "(not listening on the network)");
        fprintf(f, "Clustered:     %s\n", clustered ? "yes" : "no");
        json_object *ready = json_get(st, "ready_s");
        if (ready)
                fprintf(f, "Ready:         %s s after kernel start\n", json_object_get_string(ready));
        if (!clustered)
                return;
        fprintf(f, "Status:        %s (%s)\n", strempty(json_get_string(st, "status")),
                strempty(json_get_string(st, "message")));
        json_object *members = json_get(st, "members");
        size_t n = members ? json_object_array_length(members) : 0;
        fprintf(f, "Members:       %zu\n", n);
        for (size_t i = 0; i < n; i++) {
                json_object *m = json_object_array_get_idx(members, i);
                _cleanup_free_ char *roles = NULL;
                json_object *rl = json_get(m, "roles");
                for (size_t j = 0; rl && json_object_is_type(rl, json_type_array) && j < json_object_array_length(rl); j++) {
                        char *n2 = NULL;
                        if (asprintf(&n2, "%s%s%s", strempty(roles), roles ? "," : "",
                                     json_object_get_string(json_object_array_get_idx(rl, j))) < 0)
                                break;
                        free(roles);
                        roles = n2;
                }
                fprintf(f, "  %-16s %-28s %-8s %s\n", strempty(json_get_string(m, "server_name")),
                        strempty(json_get_string(m, "url")), strempty(json_get_string(m, "status")),
                        roles ?: "-");
        }
}
