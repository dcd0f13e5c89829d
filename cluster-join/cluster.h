/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* cluster-join: makes a node a standalone Incus server, the first member of a
 * new Incus cluster, or a member of an existing one, from the node's cluster
 * settings (/etc/forja/cluster.json, written by the installer, read by
 * `forja join` at first boot; format in docs/cluster.md).
 *
 * The installer calls cluster_verify() before it touches any disk: the join
 * token must decode, must not have expired, must name this server, and one of
 * the cluster addresses in it must answer over TLS with the certificate the
 * token pins and as the Incus API. Every error message names the answer key
 * (cluster.token, cluster.server-name) it is about.
 *
 * Library code: returns 0 or -errno and never prints; a human-readable reason
 * comes back in *ret_error (malloc'd, free it) where there is one. */

#include <errno.h>
#include <stdbool.h>
#include <time.h>

#define CLUSTER_SETTINGS_PATH "/etc/forja/cluster.json"
#define CLUSTER_TOKEN_PATH "/etc/forja/cluster-token"
#define CLUSTER_WEBHOOK_PATH "/etc/forja/cluster-webhook.json"
#define CLUSTER_DEFAULT_PORT 8443
#define INCUS_DEFAULT_SOCKET "/var/lib/incus/unix.socket"

typedef enum ClusterMode {
        CLUSTER_MODE_STANDALONE,   /* Incus on this node alone */
        CLUSTER_MODE_BOOTSTRAP,    /* this node creates the cluster */
        CLUSTER_MODE_JOIN,         /* this node joins with a token */
        _CLUSTER_MODE_MAX,
        _CLUSTER_MODE_INVALID = -EINVAL,
} ClusterMode;

typedef enum ClusterNetworkMode {
        CLUSTER_NETWORK_NONE,      /* leave networking alone */
        CLUSTER_NETWORK_BRIDGE,    /* a NIC device in a profile, bridged onto an existing host bridge */
        CLUSTER_NETWORK_MANAGED,   /* an Incus managed network (POST /1.0/networks) */
        _CLUSTER_NETWORK_MAX,
        _CLUSTER_NETWORK_INVALID = -EINVAL,
} ClusterNetworkMode;

typedef struct ClusterSettings {
        ClusterMode mode;
        char *server_name;         /* NULL: the hostname */
        char *address;             /* this node's cluster address, "host:port" */
        char *token;               /* join token (a secret), or NULL: read token_file */
        char *token_file;          /* NULL: CLUSTER_TOKEN_PATH */
        bool verify;               /* check the token's cluster before wiping (installer) */
        char *webhook_file;        /* where forja join's report goes (ClusterWebhook), or NULL: no report */
        bool check_guests;         /* after setting up: run the guest check (guest-check.h), its verdict on the
                                    * console and in the webhook report; false: not run (it takes minutes) */

        /* Storage pool (created on standalone/bootstrap; its member-specific
         * keys are sent as member_config on join). NULL driver: no pool. */
        char *storage_pool;        /* NULL: "local" */
        char *storage_driver;      /* "lvm", "btrfs", "dir", ... */
        char *storage_source;
        char **storage_config;     /* key, value, key, value, ..., NULL */

        /* Network for instances. */
        ClusterNetworkMode network_mode;
        char *network_name;        /* BRIDGE: the host bridge; MANAGED: the network name */
        char *network_profile;     /* BRIDGE: NULL = "default" */
        char *network_device;      /* BRIDGE: NULL = "eth0" */
        char **network_config;     /* MANAGED: key, value, ..., NULL */
} ClusterSettings;

const char *cluster_mode_to_string(ClusterMode m);
ClusterMode cluster_mode_from_string(const char *s);
const char *cluster_network_mode_to_string(ClusterNetworkMode m);
ClusterNetworkMode cluster_network_mode_from_string(const char *s);

void cluster_settings_init(ClusterSettings *s);   /* defaults: standalone, verify */
void cluster_settings_done(ClusterSettings *s);   /* frees members; wipes the token */

/* Reads and checks a settings file. Errors name the file and the key. */
int cluster_settings_load(const char *path, ClusterSettings *ret, char **ret_error);
/* Writes a settings file atomically with mode 0600 (it may hold the token),
 * creating missing parent directories (0755). The installer writes
 * <target>/etc/forja/cluster.json and enables forja-join.service. */
int cluster_settings_write(const ClusterSettings *s, const char *path);
/* Checks the fields against each other (join needs a token...). */
int cluster_settings_check(const ClusterSettings *s, char **ret_error);

/* The server name to use: s->server_name or the hostname. */
int cluster_settings_server_name(const ClusterSettings *s, char **ret);
/* The token: s->token, or the contents of s->token_file. */
int cluster_settings_token(const ClusterSettings *s, char **ret, char **ret_error);

/* The answer's [post-installation-webhook] as forja join needs it to report
 * its result: a file of its own (mode 0600: the auth token is a secret),
 * named by the settings' webhook_file, deleted once a cluster-joined report
 * was delivered (docs/cluster.md). */
typedef struct ClusterWebhook {
        char *url;
        char *cert_fingerprint;    /* NULL: CA verification */
        char *auth_token;          /* secret; NULL: no Authorization header */
        char *fqdn;                /* the node's FQDN from the answer; NULL: the host name */
} ClusterWebhook;

void cluster_webhook_done(ClusterWebhook *w);   /* frees members; wipes the token */
/* Reads a webhook file: -ENOENT when it does not exist (nothing to report),
 * -EINVAL with a message naming the file and key when it is malformed. */
int cluster_webhook_load(const char *path, ClusterWebhook *ret, char **ret_error);
/* Writes it atomically with mode 0600, creating missing parent directories. */
int cluster_webhook_write(const ClusterWebhook *w, const char *path);

/* An Incus join token: base64 of JSON {server_name, fingerprint, addresses,
 * secret, expires_at}, as `incus cluster add NAME` prints it. */
typedef struct ClusterToken {
        char *server_name;
        char *fingerprint;         /* SHA-256 of the cluster certificate (DER), lower-case hex */
        char **addresses;          /* "host:port", NULL-terminated */
        char *secret;
        time_t expires_at;         /* 0: no expiry given */
} ClusterToken;

void cluster_token_done(ClusterToken *t);

/* Decodes a token; -EBADMSG with a reason when it is not one. */
int cluster_token_decode(const char *text, ClusterToken *ret, char **ret_error);
/* Encodes the fields as Incus does (expires_at as given, RFC 3339). */
int cluster_token_encode(const char *server_name, const char *fingerprint, char *const *addresses,
                         const char *secret, const char *expires_at, char **ret);
/* Checks expiry against now and the name against server_name:
 * -EKEYEXPIRED expired, -ESRCH made for another name. */
int cluster_token_validate(const ClusterToken *t, const char *server_name, time_t now, char **ret_error);

/* Parses an RFC 3339 time ("2026-11-26T09:40:54.305214422Z", "...+02:00"). */
int parse_rfc3339(const char *s, time_t *ret);

typedef struct ClusterProbe {
        char *address;             /* the address that answered */
        char *certificate_pem;     /* the cluster certificate it presented */
} ClusterProbe;

void cluster_probe_done(ClusterProbe *p);

/* Tries each address of the token over TLS: the certificate's SHA-256
 * fingerprint must equal the token's and GET /1.0 must answer as Incus.
 * -EKEYREJECTED some address had another certificate, -EPROTO answered but
 * not as Incus, -EHOSTUNREACH none could be reached. ret_error lists every
 * address with its reason. connect_timeout_sec 0: 5 s. */
int cluster_probe_token(const ClusterToken *t, unsigned connect_timeout_sec, ClusterProbe *ret, char **ret_error);

/* For the installer, before any disk is touched: for mode join, decode and
 * validate the token (expiry, name) and, when s->verify, probe its cluster.
 * Standalone and bootstrap have nothing to verify and return 0. */
int cluster_verify(const ClusterSettings *s, char **ret_error);
