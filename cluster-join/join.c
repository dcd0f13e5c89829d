/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Standalone, bootstrap and join against the local incusd REST API. */

#include <stdarg.h>
#include <time.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster-internal.h"
#include "guest-images.h"
#include "join.h"
#include "json-out.h"

/* Storage pool keys that are per member in an Incus cluster and so go into
 * member_config when joining (the rest of a pool's config is cluster-wide). */
static const char *const member_pool_keys[] = {
        "source", "size", "zfs.pool_name", "lvm.vg_name", "lvm.thinpool_name", NULL,
};

typedef struct Ctx {
        const ClusterSettings *s;
        const ClusterJoinOptions *o;
        IncusClient client;
        char *name;
        bool changed;
} Ctx;

static void progress(Ctx *c, const char *format, ...) _printf_(2, 3);
static void progress(Ctx *c, const char *format, ...) {
        if (!c->o->progress)
                return;
        _cleanup_free_ char *m = NULL;
        va_list ap;
        va_start(ap, format);
        int k = vasprintf(&m, format, ap);
        va_end(ap);
        if (k >= 0)
                c->o->progress(c->o->userdata, m);
}

void cluster_join_result_done(ClusterJoinResult *r) {
        if (!r)
                return;
        free(r->server_name);
        free(r->cluster_address);
        *r = (ClusterJoinResult) {};
}

bool cluster_error_is_transient(int r) {
        return r == -ENOTCONN || r == -EHOSTUNREACH || r == -EIO || r == -ETIMEDOUT;
}

static void sleep_sec(double s) {
        struct timespec ts = { .tv_sec = (time_t) s, .tv_nsec = (long) ((s - (time_t) s) * 1e9) };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Backoff before try number `attempt` (1-based): 1, 2, 4, 8, 16 s. */
static double backoff(unsigned attempt) {
        return attempt <= 1 ? 0 : MIN(16.0, (double) (1u << MIN(attempt - 2, 4u)));
}

static int wait_for_daemon(Ctx *c, json_object **ret_server, char **ret_error) {
        unsigned limit = c->o->daemon_wait_sec ?: 60;
        double deadline = cluster_monotonic_sec() + limit, delay = 0.2;
        for (;;) {
                _cleanup_free_ char *err = NULL;
                int r = incus_request(&c->client, "GET", "/1.0", NULL, ret_server, NULL, &err);
                if (r != -ENOTCONN) {
                        if (r < 0)
                                error_setf(ret_error, "%s", strempty(err));
                        return r;
                }
                if (cluster_monotonic_sec() + delay > deadline) {
                        error_setf(ret_error, "incusd did not answer within %u s: %s", limit, strempty(err));
                        return r;
                }
                sleep_sec(delay);
                delay = MIN(delay * 2, 2.0);
        }
}

static int ensure_https_address(Ctx *c, char **ret_error) {
        _cleanup_json_ json_object *server = NULL;
        int r = incus_request(&c->client, "GET", "/1.0", NULL, &server, NULL, ret_error);
        if (r < 0)
                return r;
        const char *cur = json_get_string(json_get(server, "config"), "core.https_address");
        if (streq_ptr(cur, c->s->address))
                return 0;
        _cleanup_json_ json_object *body = json_object_new_object();
        json_object *cfg = json_object_new_object();
        if (!body || !cfg || json_add(body, "config", cfg) < 0 ||
            json_add_string(cfg, "core.https_address", c->s->address) < 0)
                return -ENOMEM;
        progress(c, "Setting core.https_address to %s", c->s->address);
        c->changed = true;
        return incus_request(&c->client, "PATCH", "/1.0", body, NULL, NULL, ret_error);
}

static const char *pool_name(const ClusterSettings *s) {
        return s->storage_pool ?: "local";
}

static int ensure_storage_pool(Ctx *c, char **ret_error) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (!c->s->storage_driver)
                return 0;
        if (asprintf(&path, "/1.0/storage-pools/%s", pool_name(c->s)) < 0)
                return -ENOMEM;
        _cleanup_free_ char *err = NULL;
        r = incus_request(&c->client, "GET", path, NULL, NULL, NULL, &err);
        if (r != -ENOENT) {
                if (r < 0)
                        error_setf(ret_error, "%s", strempty(err));
                return r;
        }

        _cleanup_json_ json_object *body = json_object_new_object();
        json_object *cfg = json_object_new_object();
        if (!body || !cfg || json_add_string(body, "name", pool_name(c->s)) < 0 ||
            json_add_string(body, "driver", c->s->storage_driver) < 0 || json_add(body, "config", cfg) < 0)
                return -ENOMEM;
        if (c->s->storage_source && json_add_string(cfg, "source", c->s->storage_source) < 0)
                return -ENOMEM;
        for (char **kv = c->s->storage_config; kv && kv[0] && kv[1]; kv += 2)
                if (json_add_string(cfg, kv[0], kv[1]) < 0)
                        return -ENOMEM;
        progress(c, "Creating storage pool %s (driver %s)", pool_name(c->s), c->s->storage_driver);
        c->changed = true;
        return incus_request(&c->client, "POST", "/1.0/storage-pools", body, NULL, NULL, ret_error);
}

static int ensure_managed_network(Ctx *c, char **ret_error) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "/1.0/networks/%s", c->s->network_name) < 0)
                return -ENOMEM;
        _cleanup_json_ json_object *cur = NULL;
        int r = incus_request(&c->client, "GET", path, NULL, &cur, NULL, NULL);
        if (r == 0 && json_object_get_boolean(json_get(cur, "managed")))
                return 0;
        if (r == 0) {
                error_setf(ret_error, "network.name: '%s' exists on this host and is not managed by Incus; "
                                  "use network mode \"bridge\" for an existing bridge.", c->s->network_name);
                return -EEXIST;
        }
        _cleanup_json_ json_object *body = json_object_new_object();
        json_object *cfg = json_object_new_object();
        if (!body || !cfg || json_add_string(body, "name", c->s->network_name) < 0 ||
            json_add_string(body, "type", "bridge") < 0 || json_add(body, "config", cfg) < 0)
                return -ENOMEM;
        for (char **kv = c->s->network_config; kv && kv[0] && kv[1]; kv += 2)
                if (json_add_string(cfg, kv[0], kv[1]) < 0)
                        return -ENOMEM;
        progress(c, "Creating managed network %s", c->s->network_name);
        c->changed = true;
        return incus_request(&c->client, "POST", "/1.0/networks", body, NULL, NULL, ret_error);
}

/* The profile gets the root disk on the pool and the NIC, unless it has
 * devices of those names already. */
static int ensure_profile(Ctx *c, char **ret_error) {
        const char *profile = c->s->network_profile ?: "default";
        const char *dev = c->s->network_device ?: "eth0";
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *cur = NULL;
        int r;

        if (asprintf(&path, "/1.0/profiles/%s", profile) < 0)
                return -ENOMEM;
        r = incus_request(&c->client, "GET", path, NULL, &cur, NULL, ret_error);
        if (r < 0)
                return r;
        json_object *have = json_get(cur, "devices");

        _cleanup_json_ json_object *devices = json_object_new_object();
        if (!devices)
                return -ENOMEM;
        if (c->s->storage_driver && !json_get(have, "root")) {
                json_object *root = json_object_new_object();
                if (!root || json_add(devices, "root", root) < 0 || json_add_string(root, "type", "disk") < 0 ||
                    json_add_string(root, "path", "/") < 0 || json_add_string(root, "pool", pool_name(c->s)) < 0)
                        return -ENOMEM;
        }
        if (c->s->network_mode != CLUSTER_NETWORK_NONE && !json_get(have, dev)) {
                json_object *nic = json_object_new_object();
                if (!nic || json_add(devices, dev, nic) < 0 || json_add_string(nic, "type", "nic") < 0)
                        return -ENOMEM;
                if (c->s->network_mode == CLUSTER_NETWORK_MANAGED)
                        r = json_add_string(nic, "network", c->s->network_name);
                else if ((r = json_add_string(nic, "nictype", "bridged")) >= 0)
                        r = json_add_string(nic, "parent", c->s->network_name);
                if (r < 0)
                        return -ENOMEM;
        }
        if (json_object_object_length(devices) == 0)
                return 0;

        /* PUT the whole profile: its description and config stay as they are. */
        _cleanup_json_ json_object *body = json_object_new_object();
        json_object *merged = json_object_new_object();
        if (!body || !merged || json_add(body, "devices", merged) < 0 ||
            json_add(body, "config", json_object_get(json_get(cur, "config"))) < 0 ||
            json_add_string(body, "description", json_get_string(cur, "description") ?: "") < 0)
                return -ENOMEM;
        if (have) {
                json_object_object_foreach(have, k, v) {
                        if (json_add(merged, k, json_object_get(v)) < 0)
                                return -ENOMEM;
                }
        }
        json_object_object_foreach(devices, k2, v2) {
                if (json_add(merged, k2, json_object_get(v2)) < 0)
                        return -ENOMEM;
                progress(c, "Adding device %s to profile %s", k2, profile);
        }
        c->changed = true;
        return incus_request(&c->client, "PUT", path, body, NULL, NULL, ret_error);
}

static int cluster_state(Ctx *c, bool *ret_enabled, char **ret_name, char **ret_error) {
        _cleanup_json_ json_object *m = NULL;
        int r = incus_request(&c->client, "GET", "/1.0/cluster", NULL, &m, NULL, ret_error);
        if (r < 0)
                return r;
        *ret_enabled = json_object_get_boolean(json_get(m, "enabled"));
        if (ret_name) {
                const char *n = json_get_string(m, "server_name");
                *ret_name = n && *n ? strdup(n) : NULL;
        }
        return 0;
}

/* Polls GET /1.0/cluster/members/NAME until its status is Online. */
static int wait_member_online(Ctx *c, char **ret_error) {
        _cleanup_free_ char *path = NULL;
        unsigned limit = c->o->online_wait_sec ?: 60;
        double deadline = cluster_monotonic_sec() + limit;
        if (asprintf(&path, "/1.0/cluster/members/%s", c->name) < 0)
                return -ENOMEM;
        for (;;) {
                _cleanup_json_ json_object *m = NULL;
                _cleanup_free_ char *err = NULL;
                int r = incus_request(&c->client, "GET", path, NULL, &m, NULL, &err);
                const char *st = json_get_string(m, "status");
                if (r == 0 && st && strcasecmp(st, "online") == 0)
                        return 0;
                if (cluster_monotonic_sec() + 1 > deadline) {
                        if (r < 0)
                                error_setf(ret_error, "member '%s' is not Online after %u s: %s", c->name,
                                                  limit, strempty(err));
                        else
                                error_setf(ret_error, "member '%s' is not Online after %u s: status %s (%s)",
                                                  c->name, limit, strempty(st), strempty(json_get_string(m, "message")));
                        return -ETIMEDOUT;
                }
                sleep_sec(1);
        }
}

static int run_operation(Ctx *c, const char *method, const char *path, json_object *body, char **ret_error) {
        _cleanup_free_ char *op = NULL;
        int r = incus_request(&c->client, method, path, body, NULL, &op, ret_error);
        if (r < 0 || !op)
                return r;
        r = incus_wait_operation(&c->client, op, 300, NULL, ret_error);
        /* An operation that finished is forgotten by incusd after a few
         * seconds; the state checks that follow tell whether it worked. */
        return r == -ENOENT ? 0 : r;
}

static int do_bootstrap(Ctx *c, char **ret_error) {
        bool enabled;
        int r = cluster_state(c, &enabled, NULL, ret_error);
        if (r < 0)
                return r;
        if (!enabled) {
                _cleanup_json_ json_object *body = json_object_new_object();
                if (!body || json_add_string(body, "server_name", c->name) < 0 || json_add_bool(body, "enabled", 1) < 0)
                        return -ENOMEM;
                progress(c, "Enabling clustering as '%s'", c->name);
                c->changed = true;
                _cleanup_free_ char *err = NULL;
                r = run_operation(c, "PUT", "/1.0/cluster", body, &err);
                if (r < 0) {
                        error_setf(ret_error, "enabling clustering failed: %s", strempty(err));
                        return r;
                }
        }
        return wait_member_online(c, ret_error);
}

static int build_join_request(Ctx *c, const char *token, const ClusterProbe *p, json_object **ret) {
        _cleanup_json_ json_object *body = json_object_new_object();
        json_object *mc = json_object_new_array();
        if (!body || !mc)
                return -ENOMEM;
        if (json_add_string(body, "server_name", c->name) < 0 || json_add_bool(body, "enabled", 1) < 0 ||
            json_add_string(body, "server_address", c->s->address) < 0 ||
            json_add_string(body, "cluster_address", p->address) < 0 ||
            json_add_string(body, "cluster_certificate", p->certificate_pem) < 0 ||
            json_add_string(body, "cluster_token", token) < 0 || json_add(body, "member_config", mc) < 0)
                return -ENOMEM;

        /* The member-specific keys of the pool; the cluster has the rest. */
        for (const char *const *k = member_pool_keys; c->s->storage_driver && *k; k++) {
                const char *value = NULL;
                _cleanup_free_ char *dir_default = NULL;
                if (streq(*k, "source"))
                        value = c->s->storage_source;
                /* The cluster's own pool config carries the source of the
                 * member it was read from: a dir pool without a source of its
                 * own asks for Incus' default place explicitly. */
                if (!value && streq(*k, "source") && streq(c->s->storage_driver, "dir")) {
                        if (asprintf(&dir_default, "/var/lib/incus/storage-pools/%s", pool_name(c->s)) < 0)
                                return -ENOMEM;
                        value = dir_default;
                }
                for (char **kv = c->s->storage_config; !value && kv && kv[0] && kv[1]; kv += 2)
                        if (streq(kv[0], *k))
                                value = kv[1];
                if (!value)
                        continue;
                json_object *e = json_object_new_object();
                if (!e || json_object_array_add(mc, e) < 0 || json_add_string(e, "entity", "storage-pool") < 0 ||
                    json_add_string(e, "name", pool_name(c->s)) < 0 || json_add_string(e, "key", *k) < 0 ||
                    json_add_string(e, "value", value) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(body);
        return 0;
}

static int do_join(Ctx *c, ClusterJoinResult *res, char **ret_error) {
        _cleanup_free_ char *token = NULL;
        _cleanup_(cluster_token_done) ClusterToken t = {};
        unsigned attempts = c->o->attempts ?: 5;
        int r;

        r = cluster_settings_token(c->s, &token, ret_error);
        if (r < 0)
                return r == -ENOENT ? -EINVAL : r;
        r = cluster_token_decode(token, &t, ret_error);
        if (r < 0)
                return r;
        r = cluster_token_validate(&t, c->name, time(NULL), ret_error);
        if (r < 0)
                return r;

        _cleanup_free_ char *history = NULL;
        for (unsigned i = 1;; i++) {
                _cleanup_(cluster_probe_done) ClusterProbe p = {};
                _cleanup_free_ char *err = NULL;
                _cleanup_json_ json_object *body = NULL;

                sleep_sec(backoff(i));
                /* The token may expire while we retry. */
                r = cluster_token_validate(&t, c->name, time(NULL), ret_error);
                if (r < 0)
                        return r;
                r = cluster_probe_token(&t, c->o->connect_timeout_sec, &p, &err);
                if (r == 0)
                        r = ensure_https_address(c, &err);
                if (r == 0)
                        r = build_join_request(c, token, &p, &body);
                if (r == 0) {
                        _cleanup_free_ char *operr = NULL;
                        progress(c, "Joining the cluster through %s as '%s' (attempt %u of %u)", p.address, c->name, i,
                                 attempts);
                        c->changed = true;
                        res->attempts = i;
                        r = run_operation(c, "PUT", "/1.0/cluster", body, &operr);
                        if (r == 0 && !(res->cluster_address = strdup(p.address)))
                                return -ENOMEM;
                        if (r == -EPERM && operr && strstr(operr, "No matching cluster join operation"))
                                strextendf_with_separator(&operr, "; ", "the token was used already, revoked, or held by a "
                                               "member that is down; make a new one with 'forja cluster token %s'",
                                               c->name);
                        if (r < 0 && error_setf(&err, "joining through %s failed: %s", p.address,
                                                       strempty(operr)) == 0 && !err)
                                return -ENOMEM;
                }
                if (r == -ENOMEM)
                        return r;
                if (r == 0)
                        break;
                if (strextendf_with_separator(&history, "; ", "attempt %u: %s", i, strempty(err)) < 0)
                        return -ENOMEM;
                /* A daemon that got half way may report itself clustered now. */
                bool enabled = false;
                _cleanup_free_ char *name = NULL;
                if (cluster_state(c, &enabled, &name, NULL) == 0 && enabled && streq_ptr(name, c->name))
                        break;
                if (!cluster_error_is_transient(r) || i >= attempts) {
                        if (i == 1)
                                error_setf(ret_error, "%s", strempty(err));
                        else
                                error_setf(ret_error, "joining the cluster failed after %u attempts: %s", i,
                                                  strempty(history));
                        return r;
                }
                progress(c, "Attempt %u failed, retrying in %.0f s: %s", i, backoff(i + 1), strempty(err));
        }
        return wait_member_online(c, ret_error);
}

int cluster_join_run(const ClusterSettings *s, const ClusterJoinOptions *o, ClusterJoinResult *ret,
                     char **ret_error) {
        static const ClusterJoinOptions defaults = {};
        _cleanup_(cluster_join_result_done) ClusterJoinResult res = {};
        _cleanup_json_ json_object *server = NULL;
        _cleanup_free_ char *current = NULL;
        Ctx c = { .s = s, .o = o ?: &defaults };
        bool enabled;
        int r;

        r = cluster_settings_check(s, ret_error);
        if (r < 0)
                return r;
        r = cluster_settings_server_name(s, &c.name);
        if (r < 0)
                return r;
        r = incus_client_init(&c.client, c.o->socket);
        if (r < 0)
                goto finish;

        r = wait_for_daemon(&c, &server, ret_error);
        if (r < 0)
                goto finish;
        r = cluster_state(&c, &enabled, &current, ret_error);
        if (r < 0)
                goto finish;

        if (enabled && s->mode == CLUSTER_MODE_STANDALONE) {
                error_setf(ret_error, "cluster.mode: standalone, but this server is already a member of a "
                                  "cluster as '%s'.", strempty(current));
                r = -EEXIST;
                goto finish;
        }
        if (enabled && !streq_ptr(current, c.name)) {
                error_setf(ret_error, "cluster.server-name: this server is already a cluster member named "
                                  "'%s', not '%s'.", strempty(current), c.name);
                r = -EEXIST;
                goto finish;
        }

        if (s->mode == CLUSTER_MODE_JOIN) {
                if (enabled) {
                        progress(&c, "Already a cluster member as '%s'", c.name);
                        r = wait_member_online(&c, ret_error);
                } else
                        r = do_join(&c, &res, ret_error);
                goto finish;
        }

        if (!enabled) {
                /* Pools and networks first: enabling clustering turns them
                 * into cluster-wide objects, as `incus admin init` does. */
                if (s->address && (r = ensure_https_address(&c, ret_error)) < 0)
                        goto finish;
                if ((r = ensure_storage_pool(&c, ret_error)) < 0)
                        goto finish;
                if (s->network_mode == CLUSTER_NETWORK_MANAGED && (r = ensure_managed_network(&c, ret_error)) < 0)
                        goto finish;
                if ((r = ensure_profile(&c, ret_error)) < 0)
                        goto finish;
        }
        r = s->mode == CLUSTER_MODE_BOOTSTRAP ? do_bootstrap(&c, ret_error) : 0;
        if (r >= 0) {
                /* After clustering: the images become the cluster's. A
                 * failed import leaves Incus working; forja check --guests
                 * names the missing alias. */
                _cleanup_free_ char *err = NULL;
                unsigned n = 0;
                if (guest_images_import(&c.client, c.o->guest_images_dir, &n, c.o->progress, c.o->userdata, &err) < 0)
                        progress(&c, "Could not import the built-in guest images: %s", strempty(err));
                else if (n > 0)
                        c.changed = true;
        }

finish:
        if (r >= 0) {
                res.already_done = !c.changed;
                res.server_name = TAKE_PTR(c.name);
                *ret = res;
                res = (ClusterJoinResult) {};
        }
        free(c.name);
        incus_client_done(&c.client);
        return r;
}
