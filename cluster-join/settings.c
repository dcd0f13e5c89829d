/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The node's cluster settings file (/etc/forja/cluster.json) and the webhook
 * file it may name (/etc/forja/cluster-webhook.json): reading, checking and
 * writing. The formats are documented in docs/cluster.md. */

#include <ctype.h>
#include <sys/stat.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster-internal.h"
#include "cluster.h"
#include "fileio.h"
#include "json-out.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);

static const char *const mode_names[_CLUSTER_MODE_MAX] = {
        [CLUSTER_MODE_STANDALONE] = "standalone",
        [CLUSTER_MODE_BOOTSTRAP] = "bootstrap",
        [CLUSTER_MODE_JOIN] = "join",
};

static const char *const network_mode_names[_CLUSTER_NETWORK_MAX] = {
        [CLUSTER_NETWORK_NONE] = "none",
        [CLUSTER_NETWORK_BRIDGE] = "bridge",
        [CLUSTER_NETWORK_MANAGED] = "managed",
};

const char *cluster_mode_to_string(ClusterMode m) {
        return m >= 0 && m < _CLUSTER_MODE_MAX ? mode_names[m] : NULL;
}

ClusterMode cluster_mode_from_string(const char *s) {
        for (int i = 0; s && i < _CLUSTER_MODE_MAX; i++)
                if (streq(s, mode_names[i]))
                        return (ClusterMode) i;
        return _CLUSTER_MODE_INVALID;
}

const char *cluster_network_mode_to_string(ClusterNetworkMode m) {
        return m >= 0 && m < _CLUSTER_NETWORK_MAX ? network_mode_names[m] : NULL;
}

ClusterNetworkMode cluster_network_mode_from_string(const char *s) {
        for (int i = 0; s && i < _CLUSTER_NETWORK_MAX; i++)
                if (streq(s, network_mode_names[i]))
                        return (ClusterNetworkMode) i;
        return _CLUSTER_NETWORK_INVALID;
}

void cluster_settings_init(ClusterSettings *s) {
        *s = (ClusterSettings) {
                .mode = CLUSTER_MODE_STANDALONE,
                .verify = true,
                .network_mode = CLUSTER_NETWORK_NONE,
        };
}

void cluster_settings_done(ClusterSettings *s) {
        if (!s)
                return;
        free(s->server_name);
        free(s->address);
        if (s->token)
                explicit_bzero(s->token, strlen(s->token));
        free(s->token);
        free(s->token_file);
        free(s->webhook_file);
        free(s->storage_pool);
        free(s->storage_driver);
        free(s->storage_source);
        strv_free(s->storage_config);
        free(s->network_name);
        free(s->network_profile);
        free(s->network_device);
        strv_free(s->network_config);
        cluster_settings_init(s);
}

/* Reads an optional string member; wrong types are errors naming the key. */
static int get_string(json_object *o, const char *prefix, const char *key, char **ret, const char *path,
                      char **ret_error) {
        json_object *v = json_get(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string)) {
                error_setf(ret_error, "%s: key '%s%s' must be a string.", path, prefix, key);
                return -EINVAL;
        }
        char *c = strdup(json_object_get_string(v));
        if (!c)
                return -ENOMEM;
        free(*ret);
        *ret = c;
        return 0;
}

static int get_kv(json_object *o, const char *prefix, const char *key, char ***ret, const char *path,
                  char **ret_error) {
        json_object *v = json_get(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_object)) {
                error_setf(ret_error, "%s: key '%s%s' must be an object of strings.", path, prefix, key);
                return -EINVAL;
        }
        size_t n = (size_t) json_object_object_length(v), i = 0;
        _cleanup_strv_free_ char **l = calloc(2 * n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        json_object_object_foreach(v, k, val) {
                if (!json_object_is_type(val, json_type_string)) {
                        error_setf(ret_error, "%s: key '%s%s.%s' must be a string.", path, prefix, key, k);
                        return -EINVAL;
                }
                l[i] = strdup(k);
                l[i + 1] = strdup(json_object_get_string(val));
                if (!l[i] || !l[i + 1])
                        return -ENOMEM;
                i += 2;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

static int check_keys(json_object *o, const char *prefix, const char *const *allowed, const char *path,
                      char **ret_error) {
        json_object_object_foreach(o, k, v) {
                (void) v;
                bool ok = false;
                for (const char *const *a = allowed; *a; a++)
                        ok = ok || streq(*a, k);
                if (!ok) {
                        error_setf(ret_error, "%s: unknown key '%s%s'.", path, prefix, k);
                        return -EINVAL;
                }
        }
        return 0;
}

static int parse_settings(json_object *o, const char *path, ClusterSettings *s, char **ret_error) {
        static const char *const top[] = { "mode", "server_name", "address", "verify", "token", "token_file",
                                           "webhook_file", "check_guests", "storage", "network", NULL };
        static const char *const storage_keys[] = { "pool", "driver", "source", "config", NULL };
        static const char *const network_keys[] = { "mode", "name", "profile", "device", "config", NULL };
        _cleanup_free_ char *mode = NULL, *netmode = NULL;
        int r;

        if ((r = check_keys(o, "", top, path, ret_error)) < 0)
                return r;
        if ((r = get_string(o, "", "mode", &mode, path, ret_error)) < 0 ||
            (r = get_string(o, "", "server_name", &s->server_name, path, ret_error)) < 0 ||
            (r = get_string(o, "", "address", &s->address, path, ret_error)) < 0 ||
            (r = get_string(o, "", "token", &s->token, path, ret_error)) < 0 ||
            (r = get_string(o, "", "token_file", &s->token_file, path, ret_error)) < 0 ||
            (r = get_string(o, "", "webhook_file", &s->webhook_file, path, ret_error)) < 0)
                return r;
        if (mode) {
                s->mode = cluster_mode_from_string(mode);
                if (s->mode < 0) {
                        error_setf(ret_error, "%s: key 'mode': '%s' is not standalone, bootstrap or join.", path,
                                          mode);
                        return -EINVAL;
                }
        }
        json_object *v = json_get(o, "verify");
        if (v) {
                if (!json_object_is_type(v, json_type_boolean)) {
                        error_setf(ret_error, "%s: key 'verify' must be true or false.", path);
                        return -EINVAL;
                }
                s->verify = json_object_get_boolean(v);
        }
        v = json_get(o, "check_guests");
        if (v) {
                if (!json_object_is_type(v, json_type_boolean)) {
                        error_setf(ret_error, "%s: key 'check_guests' must be true or false.", path);
                        return -EINVAL;
                }
                s->check_guests = json_object_get_boolean(v);
        }

        json_object *st = json_get(o, "storage");
        if (st) {
                if (!json_object_is_type(st, json_type_object)) {
                        error_setf(ret_error, "%s: key 'storage' must be an object.", path);
                        return -EINVAL;
                }
                if ((r = check_keys(st, "storage.", storage_keys, path, ret_error)) < 0 ||
                    (r = get_string(st, "storage.", "pool", &s->storage_pool, path, ret_error)) < 0 ||
                    (r = get_string(st, "storage.", "driver", &s->storage_driver, path, ret_error)) < 0 ||
                    (r = get_string(st, "storage.", "source", &s->storage_source, path, ret_error)) < 0 ||
                    (r = get_kv(st, "storage.", "config", &s->storage_config, path, ret_error)) < 0)
                        return r;
        }

        json_object *nw = json_get(o, "network");
        if (nw) {
                if (!json_object_is_type(nw, json_type_object)) {
                        error_setf(ret_error, "%s: key 'network' must be an object.", path);
                        return -EINVAL;
                }
                if ((r = check_keys(nw, "network.", network_keys, path, ret_error)) < 0 ||
                    (r = get_string(nw, "network.", "mode", &netmode, path, ret_error)) < 0 ||
                    (r = get_string(nw, "network.", "name", &s->network_name, path, ret_error)) < 0 ||
                    (r = get_string(nw, "network.", "profile", &s->network_profile, path, ret_error)) < 0 ||
                    (r = get_string(nw, "network.", "device", &s->network_device, path, ret_error)) < 0 ||
                    (r = get_kv(nw, "network.", "config", &s->network_config, path, ret_error)) < 0)
                        return r;
                if (netmode) {
                        s->network_mode = cluster_network_mode_from_string(netmode);
                        if (s->network_mode < 0) {
                                error_setf(ret_error,
                                                  "%s: key 'network.mode': '%s' is not none, bridge or managed.", path,
                                                  netmode);
                                return -EINVAL;
                        }
                } else if (s->network_name)
                        s->network_mode = CLUSTER_NETWORK_BRIDGE;
        }
        return 0;
}

/* A name Incus accepts for a member: letters, digits and '-', not starting
 * or ending with '-' (a host name label). */
static bool valid_server_name(const char *n) {
        size_t l = strlen(n);
        if (l == 0 || l > 63 || n[0] == '-' || n[l - 1] == '-')
                return false;
        for (const char *p = n; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '-')
                        return false;
        return true;
}

int cluster_settings_check(const ClusterSettings *s, char **ret_error) {
        if (s->server_name && !valid_server_name(s->server_name)) {
                error_setf(ret_error,
                                  "cluster.server-name: '%s' is not a valid server name (letters, digits and '-', "
                                  "at most 63 characters).",
                                  s->server_name);
                return -EINVAL;
        }
        if (s->mode != CLUSTER_MODE_STANDALONE && !s->address) {
                error_setf(ret_error, "cluster.address: mode %s needs this node's cluster address (host:port).",
                                  cluster_mode_to_string(s->mode));
                return -EINVAL;
        }
        if (s->address && (!*s->address || strchr(s->address, '/') || strchr(s->address, ' '))) {
                error_setf(ret_error, "cluster.address: '%s' is not an address (host or host:port).", s->address);
                return -EINVAL;
        }
        if (s->storage_driver && !*s->storage_driver) {
                error_setf(ret_error, "storage.driver: must not be empty.");
                return -EINVAL;
        }
        if (s->network_mode != CLUSTER_NETWORK_NONE && !s->network_name) {
                error_setf(ret_error, "network.name: network mode %s needs a name.",
                                  cluster_network_mode_to_string(s->network_mode));
                return -EINVAL;
        }
        return 0;
}

/* Reads a JSON file (it may hold a secret: the buffer is wiped); syntax
 * errors name path:line:column. */
static int load_json_file(const char *path, json_object **ret, char **ret_error) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_full_file(path, 1u << 20, &data, &size);
        if (r < 0) {
                error_setf(ret_error, "%s: cannot read: %s", path, strerror(-r));
                return r;
        }
        _cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        _cleanup_json_ json_object *o = json_tokener_parse_ex(tok, data, (int) size);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        if (!o || jerr != json_tokener_success || json_tokener_get_parse_end(tok) < size) {
                /* json-c reports an offset; turn it into line:column. */
                size_t off = json_tokener_get_parse_end(tok), line = 1, col = 1;
                for (size_t i = 0; i < off && i < size; i++) {
                        if (data[i] == '\n')
                                line++, col = 1;
                        else
                                col++;
                }
                error_setf(ret_error, "%s:%zu:%zu: not valid JSON: %s", path, line, col,
                                  jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "trailing data");
                explicit_bzero(data, size);
                return -EINVAL;
        }
        explicit_bzero(data, size);
        if (!json_object_is_type(o, json_type_object)) {
                error_setf(ret_error, "%s: must be a JSON object.", path);
                return -EINVAL;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

int cluster_settings_load(const char *path, ClusterSettings *ret, char **ret_error) {
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = load_json_file(path, &o, ret_error);
        if (r < 0)
                return r;
        _cleanup_(cluster_settings_done) ClusterSettings s;
        cluster_settings_init(&s);
        r = parse_settings(o, path, &s, ret_error);
        if (r < 0)
                return r;
        r = cluster_settings_check(&s, ret_error);
        if (r < 0)
                return r;
        *ret = s;
        cluster_settings_init(&s);
        return 0;
}

static int add_kv(json_object *parent, const char *key, char *const *kv) {
        if (!kv)
                return 0;
        json_object *o = json_object_new_object();
        if (!o || json_add(parent, key, o) < 0)
                return -ENOMEM;
        for (size_t i = 0; kv[i] && kv[i + 1]; i += 2)
                if (json_add_string(o, kv[i], kv[i + 1]) < 0)
                        return -ENOMEM;
        return 0;
}

static int add_opt_string(json_object *o, const char *key, const char *value) {
        return value ? json_add_string(o, key, value) : 0;
}

/* Creates the directories above path (mode 0755), like mkdir -p of dirname. */
static int mkdir_parents(const char *path) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *slash = '/';
        }
        return 0;
}

/* Writes o to path atomically, mode 0600 (it may hold a secret). */
static int write_json_file(json_object *o, const char *path) {
        const char *js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!js)
                return -ENOMEM;
        _cleanup_free_ char *text = NULL;
        if (asprintf(&text, "%s\n", js) < 0)
                return -ENOMEM;
        int r = mkdir_parents(path);
        if (r < 0)
                return r;
        r = write_file_atomic(path, text, strlen(text), 0600);
        explicit_bzero(text, strlen(text));
        return r;
}

int cluster_settings_write(const ClusterSettings *s, const char *path) {
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        if (json_add_string(o, "mode", cluster_mode_to_string(s->mode)) < 0 ||
            add_opt_string(o, "server_name", s->server_name) < 0 || add_opt_string(o, "address", s->address) < 0 ||
            json_add_bool(o, "verify", s->verify) < 0 || add_opt_string(o, "token", s->token) < 0 ||
            add_opt_string(o, "token_file", s->token_file) < 0 ||
            add_opt_string(o, "webhook_file", s->webhook_file) < 0 ||
            (s->check_guests && json_add_bool(o, "check_guests", true) < 0))
                return -ENOMEM;
        if (s->storage_driver || s->storage_pool || s->storage_source || s->storage_config) {
                json_object *st = json_object_new_object();
                if (!st || json_add(o, "storage", st) < 0 || add_opt_string(st, "pool", s->storage_pool) < 0 ||
                    add_opt_string(st, "driver", s->storage_driver) < 0 ||
                    add_opt_string(st, "source", s->storage_source) < 0 || add_kv(st, "config", s->storage_config) < 0)
                        return -ENOMEM;
        }
        if (s->network_mode != CLUSTER_NETWORK_NONE) {
                json_object *nw = json_object_new_object();
                if (!nw || json_add(o, "network", nw) < 0 ||
                    json_add_string(nw, "mode", cluster_network_mode_to_string(s->network_mode)) < 0 ||
                    add_opt_string(nw, "name", s->network_name) < 0 ||
                    add_opt_string(nw, "profile", s->network_profile) < 0 ||
                    add_opt_string(nw, "device", s->network_device) < 0 || add_kv(nw, "config", s->network_config) < 0)
                        return -ENOMEM;
        }
        return write_json_file(o, path);
}

int cluster_settings_server_name(const ClusterSettings *s, char **ret) {
        char buf[256] = {};
        if (s->server_name)
                return (*ret = strdup(s->server_name)) ? 0 : -ENOMEM;
        if (gethostname(buf, sizeof buf - 1) < 0)
                return negative_errno();
        buf[strcspn(buf, ".")] = 0;   /* the short name, as Incus defaults to */
        return (*ret = strdup(buf)) ? 0 : -ENOMEM;
}

int cluster_settings_token(const ClusterSettings *s, char **ret, char **ret_error) {
        if (s->token)
                return (*ret = strdup(s->token)) ? 0 : -ENOMEM;
        const char *path = s->token_file ?: CLUSTER_TOKEN_PATH;
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_full_file(path, 64 * 1024, &data, &size);
        if (r < 0) {
                error_setf(ret_error, "cluster.token: no token in the settings and cannot read token file '%s': %s",
                                  path, strerror(-r));
                return r;
        }
        /* Trim the trailing newline an editor or echo leaves. */
        while (size > 0 && isspace((unsigned char) data[size - 1]))
                data[--size] = 0;
        *ret = TAKE_PTR(data);
        return 0;
}

void cluster_webhook_done(ClusterWebhook *w) {
        if (!w)
                return;
        if (w->auth_token)
                explicit_bzero(w->auth_token, strlen(w->auth_token));
        free(w->url);
        free(w->cert_fingerprint);
        free(w->auth_token);
        free(w->fqdn);
        *w = (ClusterWebhook) {};
}

int cluster_webhook_load(const char *path, ClusterWebhook *ret, char **ret_error) {
        static const char *const keys[] = { "url", "cert_fingerprint", "auth_token", "fqdn", NULL };
        _cleanup_json_ json_object *o = NULL;
        _cleanup_(cluster_webhook_done) ClusterWebhook w = {};
        int r;

        r = load_json_file(path, &o, ret_error);
        if (r < 0)
                return r;
        if ((r = check_keys(o, "", keys, path, ret_error)) < 0 ||
            (r = get_string(o, "", "url", &w.url, path, ret_error)) < 0 ||
            (r = get_string(o, "", "cert_fingerprint", &w.cert_fingerprint, path, ret_error)) < 0 ||
            (r = get_string(o, "", "auth_token", &w.auth_token, path, ret_error)) < 0 ||
            (r = get_string(o, "", "fqdn", &w.fqdn, path, ret_error)) < 0)
                return r;
        if (!w.url || !(startswith(w.url, "http://") || startswith(w.url, "https://"))) {
                error_setf(ret_error, "%s: key 'url' must be an http:// or https:// URL.", path);
                return -EINVAL;
        }
        *ret = w;
        w = (ClusterWebhook) {};
        return 0;
}

int cluster_webhook_write(const ClusterWebhook *w, const char *path) {
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o || json_add_string(o, "url", w->url) < 0 ||
            add_opt_string(o, "cert_fingerprint", w->cert_fingerprint) < 0 ||
            add_opt_string(o, "auth_token", w->auth_token) < 0 || add_opt_string(o, "fqdn", w->fqdn) < 0)
                return -ENOMEM;
        return write_json_file(o, path);
}
