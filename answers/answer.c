/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing an answer file: TOML first, then the schema walk and the cross-key
 * rules; plus the Answer's lifetime and key positions. */

#include <math.h>
#include <stdarg.h>

#include "answer-internal.h"

static void filters_done(AnswerFilters *f) {
        for (size_t i = 0; i < f->n; i++) {
                free(f->items[i].key);
                free(f->items[i].glob);
        }
        free(f->items);
        *f = (AnswerFilters) {};
}

static void kvs_done(AnswerKvs *k) {
        for (size_t i = 0; i < k->n; i++) {
                free(k->items[i].key);
                free(k->items[i].value);
        }
        free(k->items);
        *k = (AnswerKvs) {};
}

void answer_free(Answer *a) {
        if (!a)
                return;
        toml_free(a->doc);
        free(a->global.country);
        free(a->global.keyboard);
        free(a->global.mailto);
        free(a->global.timezone);
        free(a->global.fqdn);
        free(a->global.fqdn_domain);
        free(a->global.root_password);
        free(a->global.root_password_hashed);
        free(a->global.subscription_key);
        strv_free(a->global.root_ssh_keys);
        free(a->network.cidr);
        free(a->network.dns);
        free(a->network.gateway);
        filters_done(&a->network.filter);
        for (size_t i = 0; i < a->network.n_pins; i++) {
                free(a->network.pins[i].mac);
                free(a->network.pins[i].name);
        }
        free(a->network.pins);
        strv_free(a->disks.disk_list);
        filters_done(&a->disks.filter);
        free(a->disks.zfs_checksum);
        free(a->disks.zfs_compress);
        free(a->disks.btrfs_compress);
        free(a->disks.encrypt_passphrase);
        free(a->first_boot.url);
        free(a->first_boot.cert_fingerprint);
        free(a->first_boot.sha256);
        free(a->webhook.url);
        free(a->webhook.cert_fingerprint);
        free(a->webhook.auth_token);
        free(a->cluster.token);
        free(a->cluster.server_name);
        free(a->cluster.address);
        free(a->cluster.storage.pool);
        free(a->cluster.storage.driver);
        free(a->cluster.storage.source);
        kvs_done(&a->cluster.storage.config);
        free(a->cluster.network.mode);
        free(a->cluster.network.name);
        free(a->cluster.network.profile);
        free(a->cluster.network.device);
        kvs_done(&a->cluster.network.config);
        strv_free(a->waive_checks);
        free(a);
}

static Answer *answer_new(void) {
        Answer *a = calloc(1, sizeof(Answer));
        if (!a)
                return NULL;
        a->disks.hdsize = a->disks.swapsize = a->disks.maxroot = a->disks.maxvz = a->disks.minfree = NAN;
        a->disks.zfs_ashift = -1;
        a->disks.zfs_arc_max = -1;
        a->disks.zfs_copies = -1;
        a->cluster.verify = true;
        return a;
}

static char **strv_new_empty(void) {
        return calloc(1, sizeof(char *));
}

int answer_parse(const char *data, size_t size, Answer **ret, AnswerDiags *diags) {
        _cleanup_answer_ Answer *a = answer_new();
        TomlError err = {};
        int r;

        if (!a)
                return -ENOMEM;

        r = toml_parse(data, size, &a->doc, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                (void) answer_diags_add(diags, ANSWER_ERROR, err.pos, "", "TOML syntax error: %s", err.message);
                return -EINVAL;
        }

        AnswerParser p = { .a = a, .d = diags };
        answer_schema_walk(&p, a->doc);

        if (!a->global.root_ssh_keys && !(a->global.root_ssh_keys = strv_new_empty()))
                return -ENOMEM;
        if (!a->disks.disk_list && !(a->disks.disk_list = strv_new_empty()))
                return -ENOMEM;
        if (!a->waive_checks && !(a->waive_checks = strv_new_empty()))
                return -ENOMEM;

        answer_validate(&p);
        answer_diags_sort(diags);

        if (diags->oom)
                return -ENOMEM;
        if (answer_diags_errors(diags) > 0)
                return -EINVAL;
        *ret = TAKE_PTR(a);
        return 0;
}

static const TomlEntry *find_entry(const TomlValue *t, const char *seg) {
        if (!t || t->type != TOML_TABLE)
                return NULL;
        const TomlEntry *e = toml_get_entry(t, seg);
        if (e)
                return e;
        /* the snake_case spelling of a kebab-case key */
        _cleanup_free_ char *snake = strdup(seg);
        if (!snake)
                return NULL;
        for (char *c = snake; *c; c++)
                if (*c == '-')
                        *c = '_';
        return toml_get_entry(t, snake);
}

TomlPos answer_locate(const Answer *a, const char *segment, ...) {
        TomlPos pos = { 1, 1 };
        const TomlValue *t = a ? a->doc : NULL;
        va_list ap;

        va_start(ap, segment);
        for (const char *seg = segment; seg && t; seg = va_arg(ap, const char *)) {
                const TomlValue *next = NULL;
                if (seg[0] == '[' && t->type == TOML_ARRAY) {
                        size_t idx = strtoul(seg + 1, NULL, 10);
                        if (idx < t->array.n)
                                next = t->array.items[idx];
                } else {
                        const TomlEntry *e = find_entry(t, seg);
                        if (e)
                                next = e->value;
                }
                if (!next)
                        break;
                pos = next->pos;
                t = next;
        }
        va_end(ap);
        return pos;
}

const char *answer_fs_to_string(AnswerFs fs) {
        static const char *const names[] = { "ext4", "xfs", "zfs", "btrfs" };
        return names[fs];
}

const char *answer_raid_to_string(AnswerRaid raid) {
        static const char *const names[] = { NULL, "RAID0", "RAID1", "RAID10", "RAIDZ-1", "RAIDZ-2", "RAIDZ-3" };
        return names[raid];
}

unsigned answer_raid_min_disks(AnswerFs fs, AnswerRaid raid) {
        switch (raid) {
        case ANSWER_RAID_NONE:
        case ANSWER_RAID0:
                return 1;
        case ANSWER_RAID1:
                return 2;
        case ANSWER_RAID10:
                return 4;
        case ANSWER_RAIDZ1:
                return 3;
        case ANSWER_RAIDZ2:
                return 4;
        case ANSWER_RAIDZ3:
                return 5;
        }
        return 1;
}

const char *answer_first_boot_target(AnswerFirstBootOrdering o) {
        static const char *const names[] = { "network-pre", "network-online", "multi-user" };
        return names[o];
}

const char *answer_first_boot_ordering_to_string(AnswerFirstBootOrdering o) {
        static const char *const names[] = { "before-network", "network-online", "fully-up" };
        return names[o];
}

const char *answer_cluster_mode_to_string(AnswerClusterMode m) {
        static const char *const names[] = { "standalone", "bootstrap", "join" };
        return names[m];
}

size_t answer_plaintext_secrets(const Answer *a, const char *ret[static ANSWER_PLAINTEXT_SECRETS_MAX]) {
        const struct { const char *key, *value; } secrets[ANSWER_PLAINTEXT_SECRETS_MAX] = {
                { "global.root-password", a->global.root_password },
                { "disk-setup.encrypt-passphrase", a->disks.encrypt_passphrase },
                { "cluster.token", a->cluster.token },
                { "post-installation-webhook.auth-token", a->webhook.auth_token },
        };
        size_t n = 0;
        for (size_t i = 0; i < ANSWER_PLAINTEXT_SECRETS_MAX; i++)
                if (secrets[i].value && *secrets[i].value)
                        ret[n++] = secrets[i].key;
        return n;
}
