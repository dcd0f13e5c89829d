/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja check --guests: a throw-away container and VM on this node, driven
 * over the local Incus REST API (no incus CLI). Every step is timed; a failed
 * step marks the rest of its guest "not-run", and the guests (and the bridge,
 * when the check made one) are deleted on every path. */

#include <stdarg.h>
#include <strings.h>
#include <unistd.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster-internal.h"
#include "guest-check.h"
#include "incus.h"
#include "json-out.h"

#define CHECK_BRIDGE "forjachk0"
#define CHECK_SNAPSHOT "forja-check"

typedef struct Ctx {
        const GuestCheckOptions *o;
        IncusClient client;
        GuestCheckReport *rep;
        char *target;                  /* "?target=NAME" in a cluster, else "" */
        char *bridge;                  /* the managed bridge the guests use */
        bool made_bridge;
        bool clustered;
} Ctx;

static void progress(Ctx *c, const char *format, ...) _printf_(2, 3);
static void progress(Ctx *c, const char *format, ...) {
        if (!c->o->progress)
                return;
        va_list ap;
        va_start(ap, format);
        _cleanup_free_ char *m = NULL;
        if (vasprintf(&m, format, ap) >= 0)
                c->o->progress(c->o->userdata, m);
        va_end(ap);
}

static int add_result(Ctx *c, const char *id, const char *title, GuestCheckStatus status, double seconds,
                      const char *format, ...) _printf_(6, 7);
static int add_result(Ctx *c, const char *id, const char *title, GuestCheckStatus status, double seconds,
                      const char *format, ...) {
        GuestCheckReport *r = c->rep;
        GuestCheckResult *n = realloc(r->results, (r->n_results + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        r->results = n;
        va_list ap;
        va_start(ap, format);
        char *m = NULL;
        int k = vasprintf(&m, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        r->results[r->n_results++] = (GuestCheckResult) {
                .id = id, .title = title, .status = status, .message = m, .seconds = seconds,
        };
        progress(c, "%s: %s: %s", id, guest_check_status_to_string(status), m);
        return 0;
}

/* A request whose async operation is waited for (timeout_sec); *ret_error
 * gets Incus's message on failure. */
static int request_wait(Ctx *c, const char *method, const char *path, json_object *body, unsigned timeout_sec,
                        json_object **ret_op, char **ret_error) {
        _cleanup_free_ char *op = NULL;
        int r = incus_request(&c->client, method, path, body, NULL, &op, ret_error);
        if (r < 0 || !op)
                return r;
        return incus_wait_operation(&c->client, op, timeout_sec, ret_op, ret_error);
}

/* Runs argv in the instance; *ret_status gets its exit status. */
static int instance_exec(Ctx *c, const char *name, const char *const *argv, unsigned timeout_sec, int *ret_status,
                         char **ret_error) {
        _cleanup_json_ json_object *body = json_object_new_object(), *cmd = json_object_new_array(), *op = NULL;
        _cleanup_free_ char *path = NULL;
        if (!body || !cmd || asprintf(&path, "/1.0/instances/%s/exec", name) < 0)
                return -ENOMEM;
        for (size_t i = 0; argv[i]; i++)
                json_object_array_add(cmd, json_object_new_string(argv[i]));
        json_add(body, "command", json_object_get(cmd));
        json_add_bool(body, "wait-for-websocket", false);
        json_add_bool(body, "interactive", false);
        json_add_bool(body, "record-output", false);
        int r = request_wait(c, "POST", path, body, timeout_sec, &op, ret_error);
        if (r < 0)
                return r;
        *ret_status = (int) json_get_int(json_get(op, "metadata"), "return");
        return 0;
}

static int instance_state(Ctx *c, const char *name, const char *action, unsigned timeout_sec, char **ret_error) {
        _cleanup_json_ json_object *body = json_object_new_object();
        _cleanup_free_ char *path = NULL;
        if (!body || asprintf(&path, "/1.0/instances/%s/state", name) < 0)
                return -ENOMEM;
        json_add_string(body, "action", action);
        json_add_int(body, "timeout", 30);
        json_add_bool(body, "force", streq(action, "stop"));
        return request_wait(c, "PUT", path, body, timeout_sec, NULL, ret_error);
}

static int instance_create(Ctx *c, const char *name, bool vm, const char *image, char **ret_error) {
        _cleanup_json_ json_object *body = json_object_new_object(), *source = json_object_new_object(),
                                   *profiles = json_object_new_array(), *devices = json_object_new_object(),
                                   *nic = json_object_new_object(), *config = json_object_new_object();
        _cleanup_free_ char *path = NULL;
        if (!body || !source || !profiles || !devices || !nic || !config ||
            asprintf(&path, "/1.0/instances%s", c->target) < 0)
                return -ENOMEM;
        json_add_string(source, "type", "image");
        json_add_string(source, "alias", image);
        json_object_array_add(profiles, json_object_new_string("default"));
        json_add_string(nic, "type", "nic");
        json_add_string(nic, "network", c->bridge);
        json_add_string(nic, "name", "eth0");
        json_add(devices, "eth0", json_object_get(nic));
        if (vm) {
                /* small: the check proves the VM runs, not how fast */
                json_add_string(config, "limits.cpu", "1");
                json_add_string(config, "limits.memory", "512MiB");
                for (char **kv = c->o->vm_config; kv && *kv; kv++) {
                        const char *eq = strchr(*kv, '=');
                        _cleanup_free_ char *key = eq ? strndup(*kv, eq - *kv) : NULL;
                        if (!key)
                                return -ENOMEM;
                        json_add_string(config, key, eq + 1);
                }
        }
        json_add_string(body, "name", name);
        json_add_string(body, "type", vm ? "virtual-machine" : "container");
        json_add(body, "source", json_object_get(source));
        json_add(body, "profiles", json_object_get(profiles));
        json_add(body, "devices", json_object_get(devices));
        json_add(body, "config", json_object_get(config));
        return request_wait(c, "POST", path, body, 600, NULL, ret_error);
}

static void instance_delete(Ctx *c, const char *name) {
        _cleanup_free_ char *path = NULL, *err = NULL, *err2 = NULL;
        if (asprintf(&path, "/1.0/instances/%s", name) < 0)
                return;
        (void) instance_state(c, name, "stop", 120, &err);
        if (request_wait(c, "DELETE", path, NULL, 120, NULL, &err2) < 0 && !strstr(strempty(err2), "not found"))
                progress(c, "Could not delete %s: %s", name, strempty(err2));
}

/* Polls `true` in the instance until it answers (the VM agent comes up late). */
static int wait_exec(Ctx *c, const char *name, unsigned timeout_sec, char **ret_error) {
        static const char *const argv[] = { "true", NULL };
        double end = cluster_monotonic_sec() + timeout_sec;
        for (;;) {
                _cleanup_free_ char *err = NULL;
                int status = -1;
                int r = instance_exec(c, name, argv, 30, &status, &err);
                if (r >= 0 && status == 0)
                        return 0;
                if (r == -ENOMEM || r == -ENOTCONN || cluster_monotonic_sec() > end) {
                        if (r >= 0)
                                error_setf(ret_error, "'true' exited with %d", status);
                        else
                                error_setf(ret_error, "%s", strempty(err));
                        return r < 0 ? r : -EIO;
                }
                sleep(2);
        }
}

/* What the guest's eth0 has, for a failure message: "state, addresses". */
static char *guest_addresses(Ctx *c, const char *name) {
        _cleanup_free_ char *path = NULL, *err = NULL;
        _cleanup_json_ json_object *st = NULL;
        if (asprintf(&path, "/1.0/instances/%s/state", name) < 0 ||
            incus_request(&c->client, "GET", path, NULL, &st, NULL, &err) < 0)
                return NULL;
        json_object *eth0 = json_get(json_get(st, "network"), "eth0");
        if (!eth0)
                return strdup("no eth0");
        char *text = strdup(strempty(json_get_string(eth0, "state")));
        json_object *addrs = json_get(eth0, "addresses");
        for (size_t i = 0; text && i < json_array_len(addrs); i++) {
                json_object *a = json_array_at(addrs, i);
                char *more = NULL;
                if (asprintf(&more, "%s %s/%s", text, strempty(json_get_string(a, "address")),
                             strempty(json_get_string(a, "netmask"))) < 0)
                        more = NULL;
                free(text);
                text = more;
        }
        return text;
}

/* Waits for a DHCP lease of the instance in the bridge's lease table; the
 * address comes back in *ret_address. */
static int wait_lease(Ctx *c, const char *name, unsigned timeout_sec, char **ret_address, char **ret_error) {
        _cleanup_free_ char *path = NULL, *ipath = NULL, *mac = NULL;
        _cleanup_json_ json_object *inst = NULL;
        if (asprintf(&path, "/1.0/networks/%s/leases", c->bridge) < 0 || asprintf(&ipath, "/1.0/instances/%s", name) < 0)
                return -ENOMEM;
        /* a lease is the instance's by its NIC's MAC (the hostname it sends is up to the guest) */
        int r = incus_request(&c->client, "GET", ipath, NULL, &inst, NULL, ret_error);
        if (r < 0)
                return r;
        mac = strdup(strempty(json_get_string(json_get(inst, "config"), "volatile.eth0.hwaddr")));
        if (!mac)
                return -ENOMEM;
        double end = cluster_monotonic_sec() + timeout_sec;
        for (;;) {
                _cleanup_json_ json_object *leases = NULL;
                _cleanup_free_ char *err = NULL;
                r = incus_request(&c->client, "GET", path, NULL, &leases, NULL, &err);
                if (r < 0) {
                        error_setf(ret_error, "%s", strempty(err));
                        return r;
                }
                for (size_t i = 0; i < json_array_len(leases); i++) {
                        json_object *l = json_array_at(leases, i);
                        const char *addr = json_get_string(l, "address");
                        const char *hw = json_get_string(l, "hwaddr");
                        bool ours = streq_ptr(json_get_string(l, "hostname"), name) || (hw && *mac && strcasecmp(hw, mac) == 0);
                        if (ours && streq_ptr(json_get_string(l, "type"), "dynamic") && addr && !strchr(addr, ':')) {
                                *ret_address = strdup(addr);
                                return *ret_address ? 0 : -ENOMEM;
                        }
                }
                if (cluster_monotonic_sec() > end) {
                        _cleanup_free_ char *seen = guest_addresses(c, name);
                        error_setf(ret_error, "no DHCP lease for %s (%s) on %s within %u s (%zu leases there; eth0 in the guest: %s)",
                                   name, *mac ? mac : "no MAC", c->bridge, timeout_sec, json_array_len(leases),
                                   seen ?: "unknown");
                        return -ETIMEDOUT;
                }
                sleep(1);
        }
}

/* Writes a marker, snapshots, changes the marker, restores, and checks the
 * marker has its first content again. A running instance is restarted by
 * the restore, so this waits for exec again. */
static int snapshot_restore(Ctx *c, const char *name, unsigned timeout_sec, char **ret_error) {
        static const char *const write_old[] = { "sh", "-c", "echo before-snapshot >/root/forja-marker && sync", NULL };
        static const char *const write_new[] = { "sh", "-c", "echo after-snapshot >/root/forja-marker && sync", NULL };
        static const char *const check_old[] = { "sh", "-c", "test \"$(cat /root/forja-marker)\" = before-snapshot", NULL };
        _cleanup_json_ json_object *snap = json_object_new_object(), *restore = json_object_new_object();
        _cleanup_free_ char *snaps = NULL, *inst = NULL;
        int status = -1, r;
        if (!snap || !restore || asprintf(&snaps, "/1.0/instances/%s/snapshots", name) < 0 ||
            asprintf(&inst, "/1.0/instances/%s", name) < 0)
                return -ENOMEM;
        json_add_string(snap, "name", CHECK_SNAPSHOT);
        json_add_string(restore, "restore", CHECK_SNAPSHOT);

        r = instance_exec(c, name, write_old, 60, &status, ret_error);
        if (r >= 0 && status != 0) {
                error_setf(ret_error, "writing the marker exited with %d", status);
                return -EIO;
        }
        if (r >= 0)
                r = request_wait(c, "POST", snaps, snap, 300, NULL, ret_error);
        if (r >= 0)
                r = instance_exec(c, name, write_new, 60, &status, ret_error);
        if (r >= 0 && status != 0) {
                error_setf(ret_error, "changing the marker exited with %d", status);
                return -EIO;
        }
        if (r >= 0)
                r = request_wait(c, "PUT", inst, restore, 300, NULL, ret_error);
        if (r >= 0)
                r = wait_exec(c, name, timeout_sec, ret_error);
        if (r >= 0)
                r = instance_exec(c, name, check_old, 60, &status, ret_error);
        if (r >= 0 && status != 0) {
                error_setf(ret_error, "after the restore the marker file does not have its content from before the snapshot");
                return -EIO;
        }
        return r;
}

static int image_present(Ctx *c, const char *alias, char **ret_error) {
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *m = NULL;
        if (asprintf(&path, "/1.0/images/aliases/%s", alias) < 0)
                return -ENOMEM;
        int r = incus_request(&c->client, "GET", path, NULL, &m, NULL, ret_error);
        if (r == -ENOENT) {
                free(*ret_error);
                *ret_error = NULL;
                error_setf(ret_error, "no image alias '%s' on this server (built-in images are imported by forja join; "
                                      "the ISO may have been built with --no-guest-images)", alias);
        }
        return r;
}

/* A managed bridge with IPv4 (DHCP): an existing one, else forjachk0 made
 * for the check (in a cluster, pending on every member first). */
static int find_or_make_bridge(Ctx *c, char **ret_error) {
        _cleanup_json_ json_object *nets = NULL;
        int r = incus_request(&c->client, "GET", "/1.0/networks?recursion=1", NULL, &nets, NULL, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_array_len(nets); i++) {
                json_object *n = json_array_at(nets, i);
                const char *v4 = json_get_string(json_get(n, "config"), "ipv4.address");
                if (json_get_bool(n, "managed") && streq_ptr(json_get_string(n, "type"), "bridge") &&
                    streq_ptr(json_get_string(n, "status"), "Created") && v4 && !streq(v4, "none") &&
                    !streq_ptr(json_get_string(json_get(n, "config"), "ipv4.dhcp"), "false")) {
                        c->bridge = strdup(json_get_string(n, "name"));
                        return c->bridge ? 0 : -ENOMEM;
                }
        }
        if (c->clustered) {
                _cleanup_json_ json_object *members = NULL;
                r = incus_request(&c->client, "GET", "/1.0/cluster/members?recursion=1", NULL, &members, NULL, ret_error);
                for (size_t i = 0; r >= 0 && i < json_array_len(members); i++) {
                        _cleanup_json_ json_object *b = json_object_new_object();
                        _cleanup_free_ char *path = NULL;
                        if (!b || asprintf(&path, "/1.0/networks?target=%s",
                                           strempty(json_get_string(json_array_at(members, i), "server_name"))) < 0)
                                return -ENOMEM;
                        json_add_string(b, "name", CHECK_BRIDGE);
                        json_add_string(b, "type", "bridge");
                        r = incus_request(&c->client, "POST", path, b, NULL, NULL, ret_error);
                }
                if (r < 0)
                        return r;
        }
        _cleanup_json_ json_object *body = json_object_new_object(), *config = json_object_new_object();
        if (!body || !config)
                return -ENOMEM;
        json_add_string(config, "ipv4.address", "auto");
        json_add_string(config, "ipv4.nat", "false");
        json_add_string(config, "ipv6.address", "none");
        json_add_string(body, "name", CHECK_BRIDGE);
        json_add_string(body, "type", "bridge");
        json_add(body, "config", json_object_get(config));
        r = incus_request(&c->client, "POST", "/1.0/networks", body, NULL, NULL, ret_error);
        if (r < 0)
                return r;
        c->made_bridge = true;
        c->bridge = strdup(CHECK_BRIDGE);
        return c->bridge ? 0 : -ENOMEM;
}

typedef struct GuestKind {
        bool vm;
        const char *image;
        unsigned timeout_sec;
        const char *start_id, *start_title;
        const char *answer_id, *answer_title;
        const char *snap_id, *snap_title;
        double *start_s;
} GuestKind;

/* One guest through its steps; a failure marks the remaining steps not-run. */
static int check_guest(Ctx *c, const GuestKind *k) {
        _cleanup_free_ char *name = NULL, *err = NULL;
        int r;
        if (asprintf(&name, "forja-check-%s-%d", k->vm ? "vm" : "ct", (int) getpid()) < 0)
                return -ENOMEM;
        const char *pending[] = { k->answer_id, k->answer_title, k->snap_id, k->snap_title };
        size_t done = 0;

        double t0 = cluster_monotonic_sec();
        r = image_present(c, k->image, &err);
        if (r >= 0) {
                progress(c, "Creating %s from %s...", name, k->image);
                r = instance_create(c, name, k->vm, k->image, &err);
        }
        double t1 = cluster_monotonic_sec();
        if (r >= 0) {
                progress(c, "Starting %s...", name);
                r = instance_state(c, name, "start", k->timeout_sec, &err);
        }
        if (r >= 0) {
                r = wait_exec(c, name, k->timeout_sec, &err);
                if (r < 0 && k->vm) {
                        char *e = NULL;
                        if (asprintf(&e, "the VM started but its agent did not answer within %u s: %s", k->timeout_sec,
                                     strempty(err)) >= 0) {
                                free(err);
                                err = e;
                        }
                }
        }
        double t2 = cluster_monotonic_sec();
        if (r == -ENOMEM)
                goto finish;
        if (r < 0) {
                r = add_result(c, k->start_id, k->start_title, GUEST_CHECK_FAIL, t2 - t0, "%s", strempty(err));
                goto rest;
        }
        *k->start_s = t2 - t1;
        r = add_result(c, k->start_id, k->start_title, GUEST_CHECK_PASS, t2 - t0,
                       "%s from %s: created in %.1f s, started and answered exec in %.1f s", name, k->image, t1 - t0,
                       t2 - t1);
        if (r < 0)
                goto finish;
        done = 2;

        if (!k->vm) {
                _cleanup_free_ char *addr = NULL;
                double t = cluster_monotonic_sec();
                /* a systemd guest under software emulation takes its time */
                r = wait_lease(c, name, MAX(k->timeout_sec, 180u), &addr, &err);
                double s = cluster_monotonic_sec() - t;
                if (r == -ENOMEM)
                        goto finish;
                r = r < 0 ? add_result(c, "ct-dhcp", "Container DHCP lease on a managed bridge", GUEST_CHECK_FAIL, s,
                                       "%s", strempty(err))
                          : add_result(c, "ct-dhcp", "Container DHCP lease on a managed bridge", GUEST_CHECK_PASS, s,
                                       "%s leased %s on %s", name, addr, c->bridge);
                if (r < 0)
                        goto finish;
        }
        /* (the VM's proof of life is its agent answering exec through vsock: vm-start) */

        double t = cluster_monotonic_sec();
        free(err);
        err = NULL;
        r = snapshot_restore(c, name, k->timeout_sec, &err);
        double s = cluster_monotonic_sec() - t;
        if (r == -ENOMEM)
                goto finish;
        r = r < 0 ? add_result(c, k->snap_id, k->snap_title, GUEST_CHECK_FAIL, s, "%s", strempty(err))
                  : add_result(c, k->snap_id, k->snap_title, GUEST_CHECK_PASS, s,
                               "a marker changed after a snapshot had its old content after the restore (%.1f s)", s);
        done = 4;
rest:
        for (size_t i = done; r >= 0 && i < ELEMENTSOF(pending); i += 2)
                if (pending[i])
                        r = add_result(c, pending[i], pending[i + 1], GUEST_CHECK_NOT_RUN, 0, "not run: %s failed", k->start_id);
finish:
        if (!c->o->keep)
                instance_delete(c, name);
        return r;
}

int guest_check_run(const GuestCheckOptions *o, GuestCheckReport *ret, char **ret_error) {
        _cleanup_json_ json_object *server = NULL;
        _cleanup_free_ char *err = NULL;  /* before the first goto: a jump may not pass a cleanup variable */
        GuestCheckReport rep = { .container_start_s = -1, .vm_start_s = -1 };
        Ctx c = { .o = o, .rep = &rep };
        int r;

        r = incus_client_init(&c.client, o->socket);
        if (r < 0)
                return r;
        double t0 = cluster_monotonic_sec();
        r = incus_request(&c.client, "GET", "/1.0", NULL, &server, NULL, ret_error);
        if (r < 0)
                goto finish;
        json_object *env = json_get(server, "environment");
        c.clustered = json_get_bool(env, "server_clustered");
        rep.server_name = strdup(strempty(json_get_string(env, "server_name")));
        if (!rep.server_name || asprintf(&c.target, "%s%s", c.clustered ? "?target=" : "",
                                         c.clustered ? rep.server_name : "") < 0) {
                r = -ENOMEM;
                goto finish;
        }
        r = add_result(&c, "incus", "Incus API on this node", GUEST_CHECK_PASS, cluster_monotonic_sec() - t0,
                       "Incus %s on %s%s", strempty(json_get_string(env, "server_version")), rep.server_name,
                       c.clustered ? " (cluster member)" : "");
        if (r < 0)
                goto finish;

        t0 = cluster_monotonic_sec();
        r = find_or_make_bridge(&c, &err);
        if (r == -ENOMEM)
                goto finish;
        r = r < 0 ? add_result(&c, "bridge", "Managed bridge for the guests", GUEST_CHECK_FAIL, cluster_monotonic_sec() - t0,
                               "%s", strempty(err))
                  : add_result(&c, "bridge", "Managed bridge for the guests", GUEST_CHECK_PASS, cluster_monotonic_sec() - t0,
                               "%s (%s)", c.bridge, c.made_bridge ? "made for the check" : "existing");
        if (r < 0 || !c.bridge)
                goto finish;

        const GuestKind ct = {
                .vm = false, .image = o->container_image ?: GUEST_CHECK_CONTAINER_IMAGE,
                .timeout_sec = o->container_timeout_sec ?: 120,
                .start_id = "ct-start", .start_title = "Container starts and runs exec",
                .answer_id = "ct-dhcp", .answer_title = "Container DHCP lease on a managed bridge",
                .snap_id = "ct-snapshot", .snap_title = "Container snapshot and restore",
                .start_s = &rep.container_start_s,
        };
        const GuestKind vm = {
                .vm = true, .image = o->vm_image ?: GUEST_CHECK_VM_IMAGE, .timeout_sec = o->vm_timeout_sec ?: 600,
                .start_id = "vm-start", .start_title = "VM starts and its agent answers exec",
                .snap_id = "vm-snapshot", .snap_title = "VM snapshot and restore",
                .start_s = &rep.vm_start_s,
        };
        r = check_guest(&c, &ct);
        if (r >= 0)
                r = check_guest(&c, &vm);

finish:
        if (c.made_bridge && !o->keep) {
                _cleanup_free_ char *path = NULL, *e = NULL;
                if (asprintf(&path, "/1.0/networks/%s", c.bridge) >= 0 &&
                    incus_request(&c.client, "DELETE", path, NULL, NULL, NULL, &e) < 0)
                        progress(&c, "Could not delete the bridge %s: %s", c.bridge, strempty(e));
        }
        free(c.target);
        free(c.bridge);
        incus_client_done(&c.client);
        if (r < 0) {
                guest_check_report_done(&rep);
                return r;
        }
        *ret = rep;
        return 0;
}

void guest_check_report_done(GuestCheckReport *r) {
        for (size_t i = 0; i < r->n_results; i++)
                free(r->results[i].message);
        free(r->results);
        free(r->server_name);
        *r = (GuestCheckReport) {};
}

bool guest_check_report_ok(const GuestCheckReport *r) {
        if (r->n_results == 0)
                return false;
        for (size_t i = 0; i < r->n_results; i++)
                if (r->results[i].status != GUEST_CHECK_PASS)
                        return false;
        return true;
}

const char *guest_check_status_to_string(GuestCheckStatus s) {
        static const char *const names[] = { "pass", "fail", "not-run" };
        return s < ELEMENTSOF(names) ? names[s] : "unknown";
}

/* Seconds with one decimal, written as such (not as %.17g). */
static int add_seconds(json_object *o, const char *key, double s) {
        char text[32];
        if (s < 0)
                return json_add(o, key, NULL);
        snprintf(text, sizeof(text), "%.1f", s);
        json_object *v = json_object_new_double_s(strtod(text, NULL), text);
        return v ? json_add(o, key, v) : -ENOMEM;
}

json_object *guest_check_report_to_json(const GuestCheckReport *r) {
        _cleanup_json_ json_object *root = json_object_new_object(), *checks = json_object_new_array();
        bool ok = root && checks;
        for (size_t i = 0; ok && i < r->n_results; i++) {
                const GuestCheckResult *res = &r->results[i];
                json_object *c = json_object_new_object();
                ok = c && json_add_string(c, "id", res->id) >= 0 && json_add_string(c, "title", res->title) >= 0 &&
                     json_add_string(c, "status", guest_check_status_to_string(res->status)) >= 0 &&
                     json_add_string(c, "message", res->message) >= 0 && add_seconds(c, "seconds", res->seconds) >= 0;
                if (c && json_object_array_add(checks, c) < 0) {
                        json_object_put(c);
                        ok = false;
                }
        }
        ok = ok && json_add_int(root, "version", 1) >= 0 && json_add_string(root, "server_name", r->server_name) >= 0 &&
             json_add_bool(root, "ok", guest_check_report_ok(r)) >= 0 &&
             add_seconds(root, "container_start_s", r->container_start_s) >= 0 &&
             add_seconds(root, "vm_start_s", r->vm_start_s) >= 0 && json_add(root, "checks", json_object_get(checks)) >= 0;
        return ok ? TAKE_PTR(root) : NULL;
}
