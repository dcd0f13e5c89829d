/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Answer rules that span several keys (exactly one root password, disk-list or
 * filter, file system options that fit the file system, RAID disk counts,
 * swap size against hdsize, network source requirements, ...) and the checks
 * against locale data. Messages follow the Proxmox auto-installer's where it
 * has one. */

#include <math.h>

#include "answer-check.h"
#include "answer-internal.h"
#include "answer-locale.h"

#define POS(...) answer_locate(p->a, __VA_ARGS__, NULL)

static bool reported(AnswerParser *p, const char *key) {
        return answer_diags_find(p->d, key) != NULL;
}

static void require(AnswerParser *p, const void *value, TomlPos section, const char *key, const char *what) {
        if (!value && !reported(p, key))
                answer_error(p, section, key, "is required (%s)", what);
}

static void validate_locale(AnswerParser *p) {
        Answer *a = p->a;
        int r;

        if (a->global.country) {
                TomlPos pos = POS("global", "country");
                r = locale_country_known(a->global.country);
                if (r == -EOPNOTSUPP)
                        answer_warning(p, pos, "global.country", "cannot check the country code: %s is missing "
                                       "(package iso-codes)", locale_iso3166_path());
                else if (r < 0) {
                        bool upper = strlen(a->global.country) == 2 && a->global.country[0] >= 'A' && a->global.country[0] <= 'Z';
                        answer_error(p, pos, "global.country", "country code '%s' is not valid%s", a->global.country,
                                     upper ? " (write ISO 3166-1 alpha-2 codes in lower case, e.g. 'at')"
                                           : " (expected an ISO 3166-1 alpha-2 code in lower case, e.g. 'at')");
                }
        }
        if (a->global.keyboard && !keyboard_layout_find(a->global.keyboard)) {
                char list[256] = "";
                size_t used = 0;
                for (const KeyboardLayout *k = keyboard_layouts; k->id && used < sizeof(list); k++)
                        used += (size_t) snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", k->id);
                answer_error(p, POS("global", "keyboard"), "global.keyboard",
                             "keyboard layout '%s' is not valid (allowed: %s)", a->global.keyboard, list);
        }
        if (a->global.timezone) {
                TomlPos pos = POS("global", "timezone");
                r = locale_timezone_known(a->global.timezone);
                if (r == -EOPNOTSUPP)
                        answer_warning(p, pos, "global.timezone", "cannot check the time zone: no zone.tab in %s "
                                       "(package tzdata)", locale_zoneinfo_dir());
                else if (r == 1)
                        answer_warning(p, pos, "global.timezone", "'%s' is a valid time zone but not a canonical "
                                       "one from zone.tab; the Proxmox installer rejects it", a->global.timezone);
                else if (r < 0)
                        answer_error(p, pos, "global.timezone", "timezone '%s' is not valid (expected an Area/City "
                                     "name from tzdata, e.g. 'Europe/Vienna', or 'UTC')", a->global.timezone);
        }
}

static void validate_global(AnswerParser *p) {
        Answer *a = p->a;
        TomlPos g = p->global_pos;

        if (!a->doc || !toml_get(a->doc, "global"))
                return;

        require(p, a->global.country, g, "global.country", "an ISO 3166-1 alpha-2 code, e.g. \"at\"");
        require(p, a->global.fqdn || a->global.fqdn_from_dhcp ? "" : NULL, g, "global.fqdn",
                "e.g. \"pve1.example.com\" or { source = \"from-dhcp\" }");
        require(p, a->global.keyboard, g, "global.keyboard", "e.g. \"en-us\"");
        require(p, a->global.mailto, g, "global.mailto", "the administrator's e-mail address");
        require(p, a->global.timezone, g, "global.timezone", "e.g. \"Europe/Vienna\" or \"UTC\"");

        if (a->global.mailto) {
                const char *why = check_email(a->global.mailto);
                if (why)
                        answer_error(p, POS("global", "mailto"), "global.mailto", "'%s' %s", a->global.mailto, why);
        }

        if (a->global.root_password && a->global.root_password_hashed)
                answer_error(p, POS("global", "root-password-hashed"), "global.root-password-hashed",
                             "`global.root-password` and `global.root-password-hashed` cannot be set at the same time");
        else if (!a->global.root_password && !a->global.root_password_hashed &&
                 !reported(p, "global.root-password") && !reported(p, "global.root-password-hashed"))
                answer_error(p, g, "global.root-password",
                             "One of `global.root-password` or `global.root-password-hashed` must be set");
        else if (a->global.root_password && strlen(a->global.root_password) < 8)
                answer_error(p, POS("global", "root-password"), "global.root-password",
                             "`global.root-password` must be at least 8 characters long");
        /* Written into /etc/shadow as it is: what it cannot hold is refused
         * now, not after the disks were wiped. */
        const char *hashed = a->global.root_password_hashed;
        const char *why = hashed ? check_shadow_field(hashed) : NULL;
        if (why)
                answer_error(p, POS("global", "root-password-hashed"), "global.root-password-hashed", "%s", why);
        else if (hashed && hashed[0] != '$')
                answer_warning(p, POS("global", "root-password-hashed"), "global.root-password-hashed",
                               "does not look like a crypt(3) hash (e.g. from 'mkpasswd'); it is used as given");

        for (size_t i = 0; a->global.root_ssh_keys && a->global.root_ssh_keys[i]; i++) {
                const char *k = a->global.root_ssh_keys[i];
                char idx[24];
                snprintf(idx, sizeof(idx), "[%zu]", i);
                const char *bad = check_ssh_key_line(k);
                if (bad)
                        answer_error(p, POS("global", "root-ssh-keys", idx), "global.root-ssh-keys",
                                     "entry %zu %s", i, bad);
                else if (!startswith(k, "ssh-") && !startswith(k, "ecdsa-") && !startswith(k, "sk-")) {
                        answer_warning(p, POS("global", "root-ssh-keys", idx), "global.root-ssh-keys",
                                       "entry %zu does not look like an OpenSSH public key", i);
                }
        }
        validate_locale(p);
}

static void validate_network(AnswerParser *p) {
        Answer *a = p->a;
        TomlPos n = p->network_pos;
        static const char *const fields[] = { "cidr", "dns", "gateway", "filter" };

        if (!toml_get(a->doc, "network"))
                return;
        /* Proxmox's network table is tagged by source: without it the
         * answer does not parse there. */
        if (!toml_get_entry(toml_get(a->doc, "network"), "source") && !reported(p, "network.source"))
                answer_error(p, n, "network.source", "is required (\"from-dhcp\" or \"from-answer\")");

        const void *values[] = { a->network.cidr, a->network.dns, a->network.gateway,
                                 a->network.filter.n ? "" : NULL };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                char key[32];
                snprintf(key, sizeof(key), "network.%s", fields[i]);
                const TomlEntry *e = toml_get_entry(toml_get(a->doc, "network"), fields[i]);
                if (a->network.source == ANSWER_NET_FROM_ANSWER)
                        require(p, values[i], n, key, "with source = \"from-answer\"");
                else if (e && !reported(p, key))
                        answer_error(p, e->key_pos, key, "Field '%s' not supported for 'from-dhcp' config.", fields[i]);
        }

        if (a->network.source == ANSWER_NET_FROM_ANSWER && a->network.cidr && a->network.gateway) {
                IpAddress addr, gw;
                unsigned prefix;
                if (!check_cidr(a->network.cidr, &addr, &prefix) && !check_ip(a->network.gateway, &gw)) {
                        if (addr.family != gw.family)
                                answer_error(p, POS("network", "gateway"), "network.gateway",
                                             "'%s' is not of the same IP family as cidr '%s'",
                                             a->network.gateway, a->network.cidr);
                        else if (!ip_in_subnet(&gw, &addr, prefix))
                                answer_warning(p, POS("network", "gateway"), "network.gateway",
                                               "'%s' is outside the subnet of '%s'", a->network.gateway, a->network.cidr);
                }
        }
        if (a->network.n_pins > 0 && !a->network.pinning)
                answer_warning(p, POS("network", "interface-name-pinning", "mapping"),
                               "network.interface-name-pinning.mapping",
                               "is ignored unless interface-name-pinning.enabled = true");
}

/* encrypt-tpm2: the TPM unlocks the volume, so the passphrase is no longer
 * typed at boot; a recovery key (its own keyslot) must reach a person or a
 * fleet server, and only over a channel that cannot leak it: the succeeded
 * webhook over pinned https, or tty1. The firmware and TPM checks need the
 * hardware (answer-resolve.c). */
static void check_tpm2(AnswerParser *p) {
        Answer *a = p->a;
        unsigned where = a->disks.encrypt_recovery_key;

        if (!a->disks.encrypt_tpm2) {
                if (where)
                        answer_warning(p, POS("disk-setup", "encrypt-recovery-key"), "disk-setup.encrypt-recovery-key",
                                       "is ignored unless encrypt-tpm2 = true");
                return;
        }
        if (!a->disks.encrypt)
                answer_error(p, POS("disk-setup", "encrypt-tpm2"), "disk-setup.encrypt-tpm2",
                             "needs encrypt = true (the TPM unlocks the LUKS2 volume)");
        if (!where && !reported(p, "disk-setup.encrypt-recovery-key"))
                answer_error(p, POS("disk-setup", "encrypt-tpm2"), "disk-setup.encrypt-recovery-key",
                             "is required with encrypt-tpm2 = true: [\"webhook\"] (escrowed by the server behind "
                             "a pinned https webhook), [\"tty1\"] (shown on the node's first console) or both");
        if ((where & ANSWER_RECOVERY_WEBHOOK) &&
            (!a->webhook.url || !startswith(a->webhook.url, "https://") || !a->webhook.cert_fingerprint))
                answer_error(p, POS("disk-setup", "encrypt-recovery-key"), "disk-setup.encrypt-recovery-key",
                             "\"webhook\" needs [post-installation-webhook] with an https:// url and a cert-fingerprint "
                             "(the recovery key travels only to a pinned server)");
}

static void validate_fs_options(AnswerParser *p) {
        Answer *a = p->a;
        AnswerFs fs = a->disks.filesystem;
        const char *only = NULL, *wrong = NULL;

        if (fs == ANSWER_FS_EXT4 || fs == ANSWER_FS_XFS) {
                only = "lvm";
                wrong = p->has_zfs ? "zfs" : p->has_btrfs ? "btrfs" : NULL;
        } else if (fs == ANSWER_FS_ZFS) {
                only = "zfs";
                wrong = p->has_lvm ? "lvm" : p->has_btrfs ? "btrfs" : NULL;
        } else {
                only = "btrfs";
                wrong = p->has_lvm ? "lvm" : p->has_zfs ? "zfs" : NULL;
        }
        if (wrong) {
                char key[32];
                snprintf(key, sizeof(key), "disk-setup.%s", wrong);
                answer_error(p, POS("disk-setup", wrong), key,
                             "make sure only '%s' options are set (filesystem = \"%s\")", only, answer_fs_to_string(fs));
        }

        if (fs == ANSWER_FS_ZFS && !p->has_zfs_raid && !reported(p, "disk-setup.zfs.raid"))
                answer_error(p, POS("disk-setup", "zfs"), "disk-setup.zfs.raid", "ZFS raid level 'zfs.raid' must be set");
        if (fs == ANSWER_FS_BTRFS && !p->has_btrfs_raid && !reported(p, "disk-setup.btrfs.raid"))
                answer_error(p, POS("disk-setup", "btrfs"), "disk-setup.btrfs.raid", "Btrfs raid level 'btrfs.raid' must be set");

        if (p->has_md_raid) {
                if (fs == ANSWER_FS_EXT4 || fs == ANSWER_FS_XFS)
                        a->disks.raid = ANSWER_RAID1;
                else
                        answer_error(p, p->md_raid_pos, "disk-setup.raid",
                                     "is for ext4 and xfs on Linux software RAID; for %s use %s.raid",
                                     answer_fs_to_string(fs), answer_fs_to_string(fs));
        }
        if (fs != ANSWER_FS_ZFS && fs != ANSWER_FS_BTRFS && !p->has_md_raid)
                a->disks.raid = ANSWER_RAID_NONE;

        if (a->disks.encrypt) {
                if (fs != ANSWER_FS_EXT4 && fs != ANSWER_FS_XFS)
                        answer_error(p, POS("disk-setup", "encrypt"), "disk-setup.encrypt",
                                     "LUKS2 encryption is supported with ext4 and xfs (on LVM), not with %s",
                                     answer_fs_to_string(fs));
                if (!a->disks.encrypt_passphrase && !reported(p, "disk-setup.encrypt-passphrase"))
                        answer_error(p, POS("disk-setup", "encrypt"), "disk-setup.encrypt-passphrase",
                                     "is required with encrypt = true");
                else if (a->disks.encrypt_passphrase && strlen(a->disks.encrypt_passphrase) < 8)
                        answer_error(p, POS("disk-setup", "encrypt-passphrase"), "disk-setup.encrypt-passphrase",
                                     "must be at least 8 characters long");
        } else if (a->disks.encrypt_passphrase)
                answer_warning(p, POS("disk-setup", "encrypt-passphrase"), "disk-setup.encrypt-passphrase",
                               "is ignored unless encrypt = true");
        check_tpm2(p);
}

/* e.g. "ZFS RAID10", "Btrfs RAID1", "Linux software RAID1" */
static void raid_label(const Answer *a, char *buf, size_t size) {
        const char *fs = a->disks.filesystem == ANSWER_FS_ZFS ? "ZFS" :
                         a->disks.filesystem == ANSWER_FS_BTRFS ? "Btrfs" : "Linux software";
        snprintf(buf, size, "%s %s", fs, strempty(answer_raid_to_string(a->disks.raid)));
}

static void validate_disk_selection(AnswerParser *p) {
        Answer *a = p->a;
        size_t n = 0;
        while (a->disks.disk_list[n])
                n++;

        if (n == 0 && a->disks.filter.n == 0 && !reported(p, "disk-setup.disk-list") && !reported(p, "disk-setup.filter"))
                answer_error(p, p->disks_pos, "disk-setup.disk-list", "Need either 'disk-list' or 'filter' set");
        if (n > 0 && a->disks.filter.n > 0)
                answer_error(p, POS("disk-setup", "filter"), "disk-setup.filter", "Cannot use both, 'disk-list' and 'filter'");
        if (a->disks.filter.n == 0 && toml_get_entry(toml_get(a->doc, "disk-setup"), "filter-match"))
                answer_warning(p, POS("disk-setup", "filter-match"), "disk-setup.filter-match",
                               "is ignored without disk-setup.filter");

        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(a->disks.disk_list[i], a->disks.disk_list[j])) {
                                char idx[24];
                                snprintf(idx, sizeof(idx), "[%zu]", i);
                                answer_error(p, POS("disk-setup", "disk-list", idx), "disk-setup.disk-list",
                                             "List of disks contains duplicate device %s", a->disks.disk_list[i]);
                                break;
                        }

        if (n == 0)
                return;
        TomlPos list = POS("disk-setup", "disk-list");
        bool lvm = a->disks.filesystem == ANSWER_FS_EXT4 || a->disks.filesystem == ANSWER_FS_XFS;
        if (lvm && a->disks.raid == ANSWER_RAID_NONE) {
                if (n > 1)
                        answer_error(p, list, "disk-setup.disk-list",
                                     "make sure to define only one disk for ext4 and xfs "
                                     "(or set disk-setup.raid = \"raid1\" for Linux software RAID)");
                return;
        }
        if (reported(p, "disk-setup.disk-list"))
                return;
        unsigned min = answer_raid_min_disks(a->disks.filesystem, a->disks.raid);
        char label[64];
        raid_label(a, label, sizeof(label));
        if (n < min)
                answer_error(p, list, "disk-setup.disk-list", "%s needs at least %u disks, got %zu", label, min, n);
        else if (a->disks.filesystem == ANSWER_FS_ZFS && a->disks.raid == ANSWER_RAID10 && n % 2)
                answer_error(p, list, "disk-setup.disk-list", "%s needs an even number of disks, got %zu", label, n);
}

static void validate_disks(AnswerParser *p) {
        Answer *a = p->a;

        if (!toml_get(a->doc, "disk-setup") || reported(p, "disk-setup.filesystem"))
                return;

        validate_fs_options(p);
        validate_disk_selection(p);

        if (!isnan(a->disks.swapsize) && !isnan(a->disks.hdsize) && a->disks.swapsize > a->disks.hdsize / 2) {
                char s[32], h[32];
                answer_error(p, POS("disk-setup", "lvm", "swapsize"), "disk-setup.lvm.swapsize",
                             "Swap size %s GiB cannot be greater than %s GiB (hard disk size / 2)",
                             format_number(a->disks.swapsize, s), format_number(a->disks.hdsize / 2, h));
        }
}

/* A pin or a token never travels with a plain http:// URL: the pin could not
 * be checked and the token would be readable on the wire. A first-boot hook
 * runs as root on the node, so over plain http it needs its sha256 or the
 * explicit opt-in (a difference from Proxmox, docs/answer-file.md). */
static void validate_plain_http(AnswerParser *p) {
        Answer *a = p->a;

        if (a->first_boot.set && a->first_boot.source == ANSWER_FIRST_BOOT_FROM_URL && a->first_boot.url &&
            startswith(a->first_boot.url, "http://")) {
                if (a->first_boot.cert_fingerprint)
                        answer_error(p, POS("first-boot", "cert-fingerprint"), "first-boot.cert-fingerprint",
                                     "a pinned certificate cannot be checked over plain http:// (url = \"%s\"); "
                                     "use an https:// URL", a->first_boot.url);
                else if (!a->first_boot.sha256 && !a->first_boot.allow_unverified_http)
                        answer_error(p, POS("first-boot", "url"), "first-boot.url",
                                     "the hook runs as root on the new node, and over plain http anyone on the "
                                     "network path can replace it: use an https:// URL, give the hook's "
                                     "sha256 = \"...\" (as sha256sum prints it), or set "
                                     "allow-unverified-http = true to accept that");
                else if (!a->first_boot.sha256)
                        answer_warning(p, POS("first-boot", "allow-unverified-http"), "first-boot.allow-unverified-http",
                                       "the hook is fetched over plain http without an integrity check");
        }
        if (a->webhook.set && a->webhook.url && startswith(a->webhook.url, "http://")) {
                if (a->webhook.cert_fingerprint)
                        answer_error(p, POS("post-installation-webhook", "cert-fingerprint"),
                                     "post-installation-webhook.cert-fingerprint",
                                     "a pinned certificate cannot be checked over plain http:// (url = \"%s\"); "
                                     "use an https:// URL", a->webhook.url);
                if (a->webhook.auth_token)
                        answer_error(p, POS("post-installation-webhook", "auth-token"),
                                     "post-installation-webhook.auth-token",
                                     "a token is never sent over plain http:// (url = \"%s\"): it would be readable "
                                     "on the network; use an https:// URL", a->webhook.url);
        }
}

static void validate_hooks(AnswerParser *p) {
        Answer *a = p->a;

        if (a->first_boot.set && a->first_boot.source == ANSWER_FIRST_BOOT_FROM_URL && !a->first_boot.url &&
            !reported(p, "first-boot.url") && !reported(p, "first-boot.source"))
                answer_error(p, POS("first-boot"), "first-boot.url",
                             "first-boot executable source set to URL, but none specified!");
        if (a->first_boot.set && a->first_boot.source == ANSWER_FIRST_BOOT_FROM_ISO &&
            (a->first_boot.url || a->first_boot.cert_fingerprint))
                answer_warning(p, POS("first-boot", a->first_boot.url ? "url" : "cert-fingerprint"),
                               a->first_boot.url ? "first-boot.url" : "first-boot.cert-fingerprint",
                               "is ignored with source = \"from-iso\"");
        validate_plain_http(p);
}

static void validate_cluster(AnswerParser *p) {
        Answer *a = p->a;

        if (!a->cluster.set)
                return;
        if (a->cluster.mode == ANSWER_CLUSTER_JOIN && !a->cluster.token && !reported(p, "cluster.token"))
                answer_error(p, POS("cluster"), "cluster.token", "is required with mode = \"join\" "
                             "(the join token from 'incus cluster add' on a cluster member)");
        if (a->cluster.mode != ANSWER_CLUSTER_JOIN && a->cluster.token)
                answer_error(p, POS("cluster", "token"), "cluster.token", "is only used with mode = \"join\"");
        if (a->cluster.mode == ANSWER_CLUSTER_STANDALONE && (a->cluster.server_name || a->cluster.address))
                answer_warning(p, POS("cluster", a->cluster.server_name ? "server-name" : "address"),
                               a->cluster.server_name ? "cluster.server-name" : "cluster.address",
                               "is ignored with mode = \"standalone\"");
}

void answer_validate(AnswerParser *p) {
        if (!p->a->doc)
                return;
        validate_global(p);
        validate_network(p);
        validate_disks(p);
        validate_hooks(p);
        validate_cluster(p);
}
