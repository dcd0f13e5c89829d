/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The answer file: the Proxmox VE automated installer schema ([global],
 * [network], [disk-setup], [first-boot], [post-installation-webhook]) plus
 * forja's own sections ([cluster], [checks]) and disk-setup keys
 * (existing-data, raid, encrypt). answer_parse() checks everything that does
 * not depend on the machine: syntax, types, allowed values, cross-key rules.
 * The meaning of every key is documented in docs/answer-file.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "answer-diag.h"
#include "toml.h"

typedef enum AnswerFs {
        ANSWER_FS_EXT4,
        ANSWER_FS_XFS,
        ANSWER_FS_ZFS,
        ANSWER_FS_BTRFS,
} AnswerFs;

typedef enum AnswerRaid {
        ANSWER_RAID_NONE,       /* ext4 / xfs on one disk */
        ANSWER_RAID0,
        ANSWER_RAID1,
        ANSWER_RAID10,
        ANSWER_RAIDZ1,
        ANSWER_RAIDZ2,
        ANSWER_RAIDZ3,
} AnswerRaid;

typedef enum AnswerFilterMatch {
        ANSWER_FILTER_ANY,
        ANSWER_FILTER_ALL,
} AnswerFilterMatch;

typedef enum AnswerNetSource {
        ANSWER_NET_FROM_DHCP,
        ANSWER_NET_FROM_ANSWER,
} AnswerNetSource;

typedef enum AnswerRebootMode {
        ANSWER_REBOOT,
        ANSWER_POWER_OFF,
} AnswerRebootMode;

typedef enum AnswerExistingData {
        ANSWER_EXISTING_WIPE,   /* Proxmox's behaviour: selected disks are wiped */
        ANSWER_EXISTING_REFUSE, /* stop when a selected disk holds anything */
} AnswerExistingData;

typedef enum AnswerFirstBootSource {
        ANSWER_FIRST_BOOT_FROM_URL,
        ANSWER_FIRST_BOOT_FROM_ISO,
} AnswerFirstBootSource;

typedef enum AnswerFirstBootOrdering {
        ANSWER_ORDER_BEFORE_NETWORK,
        ANSWER_ORDER_NETWORK_ONLINE,
        ANSWER_ORDER_FULLY_UP,
} AnswerFirstBootOrdering;

typedef enum AnswerClusterMode {
        ANSWER_CLUSTER_STANDALONE,
        ANSWER_CLUSTER_BOOTSTRAP,
        ANSWER_CLUSTER_JOIN,
} AnswerClusterMode;

/* One udev property glob, e.g. ID_SERIAL = "*MZ7KM240*". */
typedef struct AnswerFilter {
        char *key;
        char *glob;
} AnswerFilter;

typedef struct AnswerFilters {
        AnswerFilter *items;
        size_t n;
} AnswerFilters;

/* A string-to-string table, e.g. [cluster.storage] config. */
typedef struct AnswerKv {
        char *key;
        char *value;
} AnswerKv;

typedef struct AnswerKvs {
        AnswerKv *items;
        size_t n;
} AnswerKvs;

/* interface-name-pinning mapping entry: MAC (lower case) -> interface name. */
typedef struct AnswerPin {
        char *mac;
        char *name;
} AnswerPin;

typedef struct Answer {
        TomlValue *doc;                 /* the parsed file, for positions in later findings */

        struct {
                char *country;
                char *keyboard;
                char *mailto;
                char *timezone;
                char *fqdn;             /* static FQDN, or NULL with fqdn_from_dhcp */
                bool fqdn_from_dhcp;
                char *fqdn_domain;      /* fqdn.domain (NULL when unset or empty) */
                char *root_password;    /* secret */
                char *root_password_hashed;
                char **root_ssh_keys;   /* NULL-terminated, never NULL after parsing */
                bool reboot_on_error;
                AnswerRebootMode reboot_mode;
                char *subscription_key; /* secret; accepted for Proxmox answers, not used */
        } global;

        struct {
                AnswerNetSource source;
                char *cidr;
                char *dns;
                char *gateway;
                AnswerFilters filter;
                bool pinning;           /* interface-name-pinning.enabled */
                AnswerPin *pins;
                size_t n_pins;
        } network;

        struct {
                AnswerFs filesystem;
                AnswerRaid raid;        /* zfs.raid / btrfs.raid, or forja's raid for ext4/xfs */
                char **disk_list;       /* NULL-terminated, never NULL after parsing (may be empty) */
                AnswerFilters filter;
                AnswerFilterMatch filter_match;
                /* GiB; NaN when unset. hdsize comes from lvm., zfs. or btrfs. */
                double hdsize, swapsize, maxroot, maxvz, minfree;
                int zfs_ashift;         /* -1: default (12) */
                int64_t zfs_arc_max;    /* MiB; -1: default from RAM */
                char *zfs_checksum;     /* NULL: "on" */
                char *zfs_compress;     /* NULL: "on" */
                int zfs_copies;         /* -1: default (1) */
                char *btrfs_compress;   /* NULL: "off" */
                AnswerExistingData existing_data;
                bool reinstall;         /* forja: wipe a node installed from this same answer */
                bool encrypt;
                char *encrypt_passphrase; /* secret */
                bool encrypt_tpm2;      /* forja: unlock by the TPM (PCR 7), the passphrase kept */
                unsigned encrypt_recovery_key; /* ANSWER_RECOVERY_* bits: where the recovery key goes */
        } disks;
#define ANSWER_RECOVERY_WEBHOOK 1u      /* the succeeded post-installation webhook (pinned https) */
#define ANSWER_RECOVERY_TTY1    2u      /* the node's first virtual console at the end of the install */

        struct {
                bool set;
                AnswerFirstBootSource source;
                AnswerFirstBootOrdering ordering;
                char *url;
                char *cert_fingerprint;
                char *sha256;           /* forja: the hook's SHA-256, checked after the download */
                bool allow_unverified_http; /* forja: opt-in to a plain http hook without sha256 */
        } first_boot;

        struct {
                bool set;
                char *url;
                char *cert_fingerprint;
                char *auth_token;       /* secret */
        } webhook;

        struct {
                bool set;
                AnswerClusterMode mode;
                char *token;            /* secret */
                char *server_name;
                char *address;          /* HOST or HOST:PORT; NULL: management address, port 8443 */
                bool verify;
                bool check_guests;      /* forja join runs the guest check; its verdict goes into the report */
                struct {                /* [cluster.storage]: the Incus storage pool */
                        char *pool, *driver, *source;
                        AnswerKvs config;
                } storage;
                struct {                /* [cluster.network]: the instance network */
                        char *mode, *name, *profile, *device;
                        AnswerKvs config;
                } network;
        } cluster;

        char **waive_checks;            /* [checks] waive, NULL-terminated, never NULL after parsing */
} Answer;

/* The keys whose values are secrets, "section.key" in kebab-case, NULL-terminated.
 * The one list: the schema registers their values with log_register_secret()
 * as it reads them, /etc/forja/answer.toml has them masked, and the secrets
 * test (tests/secrets) puts a canary into each, so a key added here is covered
 * everywhere. */
extern const char *const answer_secret_keys[];
bool answer_key_is_secret(const char *path);

/* The answer file (answer-redact.c) with every secret value (root password and its hash, the
 * LUKS passphrase, the cluster token, the webhook auth token; kebab or
 * snake_case keys) replaced by "<redacted>", found through the TOML parser's
 * value positions. The result is still valid TOML. Returns 0 with a malloc'd,
 * NUL-terminated text, or -EINVAL (with *ret_error) when the text does not
 * parse, -ENOMEM. */
int answer_redact(const char *text, size_t size, char **ret_text, size_t *ret_size, char **ret_error);

/* Parses and validates an answer file held in memory. Every finding goes to
 * *diags. Returns 0 and the answer in *ret when there is no error (warnings
 * allowed), -EINVAL when there are errors (*ret is NULL), -ENOMEM. Secrets are
 * registered with log_register_secret() as soon as they are read. */
int answer_parse(const char *data, size_t size, Answer **ret, AnswerDiags *diags);

void answer_free(Answer *a);

/* Where a key is in the file: the value's position, else the nearest enclosing
 * table that exists. Segments are given one by one, NULL-terminated; snake_case
 * spellings are found too. */
TomlPos answer_locate(const Answer *a, const char *segment, ...);

const char *answer_fs_to_string(AnswerFs fs);
const char *answer_raid_to_string(AnswerRaid raid);     /* "RAID1", "RAIDZ-1"; NULL for NONE */
unsigned answer_raid_min_disks(AnswerFs fs, AnswerRaid raid);
const char *answer_first_boot_target(AnswerFirstBootOrdering o); /* systemd target name */
const char *answer_first_boot_ordering_to_string(AnswerFirstBootOrdering o);
const char *answer_cluster_mode_to_string(AnswerClusterMode m);

/* The secret keys a holds in plaintext ("global.root-password",
 * "disk-setup.encrypt-passphrase", "cluster.token",
 * "post-installation-webhook.auth-token"; a hashed root password is not
 * one), stored in ret in that order; returns how many. */
#define ANSWER_PLAINTEXT_SECRETS_MAX 4
size_t answer_plaintext_secrets(const Answer *a, const char *ret[static ANSWER_PLAINTEXT_SECRETS_MAX]);

static inline void answer_freep(Answer **a) {
        answer_free(*a);
}
#define _cleanup_answer_ _cleanup_(answer_freep)
