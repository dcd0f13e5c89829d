/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The answer file schema: walks the TOML tree section by section, checks each
 * key's type and allowed values, and fills the Answer. Unknown keys are
 * errors; the old snake_case spellings are accepted with a warning. */

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>

#include "answer-check.h"
#include "answer-internal.h"
#include "log.h"
#include "udev-glob.h"

typedef struct Section {
        AnswerParser *p;
        const char *prefix;             /* "global", "disk-setup.zfs", ... */
        const char *const *known;       /* the keys this table accepts */
        const char *seen[32];
        size_t n_seen;
} Section;

void answer_error(AnswerParser *p, TomlPos pos, const char *key, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        (void) answer_diags_addv(p->d, ANSWER_ERROR, pos, key, format, ap);
        va_end(ap);
}

void answer_warning(AnswerParser *p, TomlPos pos, const char *key, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        (void) answer_diags_addv(p->d, ANSWER_WARNING, pos, key, format, ap);
        va_end(ap);
}

static char *join_key(const char *prefix, const char *key) {
        char *s = NULL;
        if (asprintf(&s, "%s%s%s", strempty(prefix), prefix && *prefix ? "." : "", key) < 0)
                return NULL;
        return s;
}

static void list_known(const char *const *known, char *buf, size_t size) {
        size_t used = 0;
        buf[0] = 0;
        for (const char *const *k = known; *k && used + 1 < size; k++)
                used += (size_t) snprintf(buf + used, size - used, "%s%s", k == known ? "" : ", ", *k);
}

/* Maps the entry's key to its canonical kebab-case name, or reports it. */
static const char *section_key(Section *s, const TomlEntry *e, char **ret_path) {
        const char *found = NULL;
        for (const char *const *k = s->known; *k; k++)
                if (streq(*k, e->key)) {
                        found = *k;
                        break;
                }
        if (!found && strchr(e->key, '_')) {
                _cleanup_free_ char *kebab = strdup(e->key);
                if (!kebab)
                        return NULL;
                for (char *c = kebab; *c; c++)
                        if (*c == '_')
                                *c = '-';
                for (const char *const *k = s->known; *k; k++)
                        if (streq(*k, kebab)) {
                                found = *k;
                                _cleanup_free_ char *path = join_key(s->prefix, e->key);
                                answer_warning(s->p, e->key_pos, strempty(path),
                                               "the snake_case spelling is accepted for compatibility; write '%s'",
                                               found);
                                break;
                        }
        }

        _cleanup_free_ char *path = join_key(s->prefix, found ?: e->key);
        if (!path)
                return NULL;
        if (!found) {
                char known[512];
                list_known(s->known, known, sizeof(known));
                if (s->prefix && *s->prefix)
                        answer_error(s->p, e->key_pos, path, "unknown key in [%s] (known keys: %s)",
                                     s->prefix, known);
                else
                        answer_error(s->p, e->key_pos, path, "unknown section (known sections: %s)", known);
                return NULL;
        }
        for (size_t i = 0; i < s->n_seen; i++)
                if (streq(s->seen[i], found)) {
                        answer_error(s->p, e->key_pos, path, "is given twice (once in snake_case spelling)");
                        return NULL;
                }
        if (s->n_seen < ELEMENTSOF(s->seen))
                s->seen[s->n_seen++] = found;
        *ret_path = TAKE_PTR(path);
        return found;
}

/* Runs the body for each entry of table t whose key the section knows, with k
 * its canonical name and path its dotted key; unknown keys are reported. The
 * nested one-shot loops scope the entry and free path after each entry. */
#define FOREACH_SECTION_KEY(s, t, e, k, path)                                           \
        for (size_t _i = 0; _i < (t)->table.n; _i++)                                    \
                for (const TomlEntry *e = &(t)->table.entries[_i]; e; e = NULL)         \
                        for (_cleanup_free_ char *path = NULL; e; e = NULL)             \
                                for (const char *k = section_key(&(s), e, &path); k; k = NULL)

static bool expect_type(AnswerParser *p, const TomlValue *v, const char *path, TomlType t) {
        if (v->type == t)
                return true;
        answer_error(p, v->pos, path, "expected a %s, got a %s", toml_type_name(t), toml_type_name(v->type));
        return false;
}

static char *dup_string(AnswerParser *p, const TomlValue *v, const char *path) {
        if (!expect_type(p, v, path, TOML_STRING))
                return NULL;
        if (strlen(v->string.s) != v->string.len) {
                answer_error(p, v->pos, path, "contains a NUL character");
                return NULL;
        }
        char *s = strdup(v->string.s);
        if (!s)
                p->d->oom = true;
        return s;
}

const char *const answer_secret_keys[] = {
        "global.root-password",
        "global.root-password-hashed",
        "global.subscription-key",
        "disk-setup.encrypt-passphrase",
        "post-installation-webhook.auth-token",
        "cluster.token",
        NULL
};

bool answer_key_is_secret(const char *path) {
        for (const char *const *k = answer_secret_keys; *k; k++)
                if (streq(*k, path))
                        return true;
        return false;
}

/* A secret's value is registered for redaction the moment it is read. */
static void get_string(AnswerParser *p, const TomlValue *v, const char *path, char **dst) {
        char *s = dup_string(p, v, path);
        if (!s)
                return;
        free(*dst);
        *dst = s;
        if (*s && answer_key_is_secret(path) && log_register_secret(s) < 0)
                p->d->oom = true;
}

static void get_bool(AnswerParser *p, const TomlValue *v, const char *path, bool *dst) {
        if (expect_type(p, v, path, TOML_BOOL))
                *dst = v->boolean;
}

/* Integer or float, at least min. */
static void get_number(AnswerParser *p, const TomlValue *v, const char *path, double min, double *dst) {
        double x;
        if (v->type == TOML_INTEGER)
                x = (double) v->integer;
        else if (v->type == TOML_FLOAT)
                x = v->floating;
        else {
                answer_error(p, v->pos, path, "expected a number, got a %s", toml_type_name(v->type));
                return;
        }
        char buf[32];
        if (!isfinite(x) || x < min) {
                answer_error(p, v->pos, path, "must be a number of at least %s (GiB)", format_number(min, buf));
                return;
        }
        *dst = x;
}

static void get_integer(AnswerParser *p, const TomlValue *v, const char *path, int64_t min, int64_t max,
                        int64_t *dst) {
        if (!expect_type(p, v, path, TOML_INTEGER))
                return;
        if (v->integer < min || v->integer > max) {
                answer_error(p, v->pos, path, "must be between %" PRId64 " and %" PRId64, min, max);
                return;
        }
        *dst = v->integer;
}

/* One of names (NULL-terminated); returns the index or -1. */
static int get_enum(AnswerParser *p, const TomlValue *v, const char *path, const char *const *names) {
        if (!expect_type(p, v, path, TOML_STRING))
                return -1;
        for (int i = 0; names[i]; i++)
                if (streq(names[i], v->string.s))
                        return i;
        char allowed[512];
        list_known(names, allowed, sizeof(allowed));
        answer_error(p, v->pos, path, "'%s' is not allowed (allowed: %s)", v->string.s, allowed);
        return -1;
}

static char **get_string_list(AnswerParser *p, const TomlValue *v, const char *path, bool allow_empty_items) {
        if (!expect_type(p, v, path, TOML_ARRAY))
                return NULL;
        char **l = calloc(v->array.n + 1, sizeof(char *));
        if (!l) {
                p->d->oom = true;
                return NULL;
        }
        size_t n = 0;
        bool bad = false;
        for (size_t i = 0; i < v->array.n; i++) {
                const TomlValue *item = v->array.items[i];
                _cleanup_free_ char *ipath = NULL;
                if (asprintf(&ipath, "%s[%zu]", path, i) < 0)
                        ipath = NULL;
                char *s = dup_string(p, item, strempty(ipath));
                if (!s) {
                        bad = true;
                        continue;
                }
                if (!*s && !allow_empty_items) {
                        answer_error(p, item->pos, strempty(ipath), "cannot be empty");
                        free(s);
                        bad = true;
                        continue;
                }
                l[n++] = s;
        }
        if (bad) {
                strv_free(l);
                return NULL;
        }
        return l;
}

static bool expect_table(AnswerParser *p, const TomlValue *v, const char *path) {
        return expect_type(p, v, path, TOML_TABLE);
}

/* ---------------------------------------------------------------- [global] */

static void parse_fqdn(AnswerParser *p, const TomlValue *v, const char *path) {
        Answer *a = p->a;
        if (v->type == TOML_STRING) {
                get_string(p, v, path, &a->global.fqdn);
                const char *why = a->global.fqdn ? check_fqdn(a->global.fqdn) : NULL;
                if (why)
                        answer_error(p, v->pos, path,
                                     "'%s' %s; give a fully qualified domain name (host.example.com) or "
                                     "{ source = \"from-dhcp\" }",
                                     a->global.fqdn, why);
                return;
        }
        if (v->type != TOML_TABLE) {
                answer_error(p, v->pos, path,
                             "expected a fully qualified domain name or a table { source = \"from-dhcp\", domain = ... }, got a %s",
                             toml_type_name(v->type));
                return;
        }
        static const char *const known[] = { "source", "domain", NULL };
        static const char *const sources[] = { "from-dhcp", NULL };
        Section s = { .p = p, .prefix = path, .known = known };
        a->global.fqdn_from_dhcp = true;
        FOREACH_SECTION_KEY(s, v, e, k, kpath) {
                if (streq(k, "source"))
                        (void) get_enum(p, e->value, kpath, sources);
                else if (streq(k, "domain")) {
                        _cleanup_free_ char *d = dup_string(p, e->value, kpath);
                        if (d && *d) {
                                const char *why = check_domain(d);
                                if (why)
                                        answer_error(p, e->value->pos, kpath, "'%s' %s", d, why);
                                else
                                        a->global.fqdn_domain = TAKE_PTR(d);
                        }
                }
        }
}

static void parse_global(AnswerParser *p, const TomlValue *t) {
        static const char *const known[] = {
                "country", "fqdn", "keyboard", "mailto", "timezone", "root-password",
                "root-password-hashed", "reboot-on-error", "reboot-mode", "root-ssh-keys",
                "subscription-key", NULL
        };
        static const char *const reboot_modes[] = { "reboot", "power-off", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = "global", .known = known };

        FOREACH_SECTION_KEY(s, t, e, k, path) {
                const TomlValue *v = e->value;
                if (streq(k, "country"))
                        get_string(p, v, path, &a->global.country);
                else if (streq(k, "fqdn"))
                        parse_fqdn(p, v, path);
                else if (streq(k, "keyboard"))
                        get_string(p, v, path, &a->global.keyboard);
                else if (streq(k, "mailto"))
                        get_string(p, v, path, &a->global.mailto);
                else if (streq(k, "timezone"))
                        get_string(p, v, path, &a->global.timezone);
                else if (streq(k, "root-password"))
                        get_string(p, v, path, &a->global.root_password);
                else if (streq(k, "root-password-hashed"))
                        get_string(p, v, path, &a->global.root_password_hashed);
                else if (streq(k, "reboot-on-error"))
                        get_bool(p, v, path, &a->global.reboot_on_error);
                else if (streq(k, "subscription-key")) {
                        /* Proxmox stages it for its first-boot subscription
                         * service; a forja node has no Proxmox subscription. */
                        get_string(p, v, path, &a->global.subscription_key);
                        if (a->global.subscription_key)
                                answer_warning(p, v->pos, path, "is accepted for Proxmox answer files and ignored: "
                                               "a forja node has no Proxmox subscription");
                }
                else if (streq(k, "reboot-mode")) {
                        int m = get_enum(p, v, path, reboot_modes);
                        if (m >= 0)
                                a->global.reboot_mode = (AnswerRebootMode) m;
                } else if (streq(k, "root-ssh-keys")) {
                        char **l = get_string_list(p, v, path, false);
                        if (l) {
                                strv_free(a->global.root_ssh_keys);
                                a->global.root_ssh_keys = l;
                        }
                }
        }
}

/* --------------------------------------------------------------- filters */

static void parse_filter(AnswerParser *p, const TomlValue *t, const char *path, AnswerFilters *f);

/* --------------------------------------------------------------- [network] */

static void parse_pinning(AnswerParser *p, const TomlValue *t, const char *path) {
        static const char *const known[] = { "enabled", "mapping", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = path, .known = known };
        bool have_enabled = false;

        if (!expect_table(p, t, path))
                return;
        FOREACH_SECTION_KEY(s, t, e, k, kpath) {
                if (streq(k, "enabled")) {
                        get_bool(p, e->value, kpath, &a->network.pinning);
                        have_enabled = true;
                        continue;
                }
                /* mapping: MAC -> name */
                if (!expect_table(p, e->value, kpath))
                        continue;
                const TomlValue *m = e->value;
                a->network.pins = calloc(m->table.n ?: 1, sizeof(AnswerPin));
                if (!a->network.pins) {
                        p->d->oom = true;
                        return;
                }
                for (size_t j = 0; j < m->table.n; j++) {
                        const TomlEntry *me = &m->table.entries[j];
                        _cleanup_free_ char *mpath = join_key(kpath, me->key);
                        char mac[18];
                        const char *why = check_mac(me->key, mac);
                        if (why) {
                                answer_error(p, me->key_pos, strempty(mpath), "'%s' %s", me->key, why);
                                continue;
                        }
                        _cleanup_free_ char *name = dup_string(p, me->value, strempty(mpath));
                        if (!name)
                                continue;
                        why = check_ifname(name);
                        if (why) {
                                answer_error(p, me->value->pos, strempty(mpath),
                                             "interface name '%s' for '%s' %s", name, me->key, why);
                                continue;
                        }
                        bool dup = false;
                        for (size_t x = 0; x < a->network.n_pins; x++) {
                                if (streq(a->network.pins[x].mac, mac)) {
                                        answer_error(p, me->key_pos, strempty(mpath),
                                                     "MAC address '%s' is mapped twice", me->key);
                                        dup = true;
                                } else if (streq(a->network.pins[x].name, name)) {
                                        answer_error(p, me->value->pos, strempty(mpath),
                                                     "duplicate interface name mapping '%s' for: %s, %s",
                                                     name, mac, a->network.pins[x].mac);
                                        dup = true;
                                }
                        }
                        if (dup)
                                continue;
                        char *macdup = strdup(mac);
                        if (!macdup) {
                                p->d->oom = true;
                                return;
                        }
                        a->network.pins[a->network.n_pins++] = (AnswerPin) {
                                .mac = macdup, .name = TAKE_PTR(name),
                        };
                }
        }
        if (!have_enabled)
                answer_error(p, t->pos, path, "needs 'enabled = true' or 'enabled = false'");
}

static void parse_network(AnswerParser *p, const TomlValue *t) {
        static const char *const known[] = {
                "source", "cidr", "dns", "gateway", "filter", "interface-name-pinning", NULL
        };
        static const char *const sources[] = { "from-dhcp", "from-answer", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = "network", .known = known };

        FOREACH_SECTION_KEY(s, t, e, k, path) {
                const TomlValue *v = e->value;
                if (streq(k, "source")) {
                        int m = get_enum(p, v, path, sources);
                        if (m >= 0)
                                a->network.source = (AnswerNetSource) m;
                } else if (streq(k, "cidr")) {
                        get_string(p, v, path, &a->network.cidr);
                        const char *why = a->network.cidr ? check_cidr(a->network.cidr, NULL, NULL) : NULL;
                        if (why)
                                answer_error(p, v->pos, path, "invalid IP address/prefix '%s': %s", a->network.cidr, why);
                } else if (streq(k, "dns") || streq(k, "gateway")) {
                        char **dst = streq(k, "dns") ? &a->network.dns : &a->network.gateway;
                        get_string(p, v, path, dst);
                        if (*dst && check_ip(*dst, NULL))
                                answer_error(p, v->pos, path, "'%s' is not a valid IPv4 or IPv6 address", *dst);
                } else if (streq(k, "filter"))
                        parse_filter(p, v, path, &a->network.filter);
                else if (streq(k, "interface-name-pinning"))
                        parse_pinning(p, v, path);
        }
}

/* ------------------------------------------------------------ [disk-setup] */

static void parse_filter(AnswerParser *p, const TomlValue *t, const char *path, AnswerFilters *f) {
        if (!expect_table(p, t, path))
                return;
        if (t->table.n == 0) {
                answer_error(p, t->pos, path, "needs at least one udev property glob");
                return;
        }
        f->items = calloc(t->table.n, sizeof(AnswerFilter));
        if (!f->items) {
                p->d->oom = true;
                return;
        }
        for (size_t i = 0; i < t->table.n; i++) {
                const TomlEntry *e = &t->table.entries[i];
                _cleanup_free_ char *kpath = join_key(path, e->key);
                _cleanup_free_ char *glob = dup_string(p, e->value, strempty(kpath));
                if (!glob)
                        continue;
                const char *why = udev_glob_check(glob);
                if (why) {
                        answer_error(p, e->value->pos, strempty(kpath), "invalid glob '%s': %s", glob, why);
                        continue;
                }
                char *key = strdup(e->key);
                if (!key) {
                        p->d->oom = true;
                        return;
                }
                f->items[f->n++] = (AnswerFilter) { .key = key, .glob = TAKE_PTR(glob) };
        }
}

static const char *const zfs_raid_names[] = {
        "raid0", "RAID0", "raid1", "RAID1", "raid10", "RAID10",
        "raidz-1", "RAIDZ-1", "raidz-2", "RAIDZ-2", "raidz-3", "RAIDZ-3", NULL
};
static const AnswerRaid zfs_raid_values[] = {
        ANSWER_RAID0, ANSWER_RAID0, ANSWER_RAID1, ANSWER_RAID1, ANSWER_RAID10, ANSWER_RAID10,
        ANSWER_RAIDZ1, ANSWER_RAIDZ1, ANSWER_RAIDZ2, ANSWER_RAIDZ2, ANSWER_RAIDZ3, ANSWER_RAIDZ3,
};

static void parse_zfs(AnswerParser *p, const TomlValue *t, const char *path) {
        static const char *const known[] = { "raid", "ashift", "arc-max", "checksum", "compress", "copies", "hdsize", NULL };
        static const char *const checksums[] = { "on", "fletcher4", "sha256", NULL };
        static const char *const compress[] = { "on", "off", "lzjb", "lz4", "zle", "gzip", "zstd", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = path, .known = known };

        if (!expect_table(p, t, path))
                return;
        p->has_zfs = true;
        FOREACH_SECTION_KEY(s, t, e, k, kpath) {
                const TomlValue *v = e->value;
                int64_t x;
                int m;
                if (streq(k, "raid")) {
                        p->zfs_raid_pos = v->pos;
                        m = get_enum(p, v, kpath, zfs_raid_names);
                        if (m >= 0) {
                                a->disks.raid = zfs_raid_values[m];
                                p->has_zfs_raid = true;
                        }
                } else if (streq(k, "ashift")) {
                        x = -1;
                        get_integer(p, v, kpath, 9, 16, &x);
                        a->disks.zfs_ashift = (int) x;
                } else if (streq(k, "arc-max")) {
                        get_integer(p, v, kpath, 0, INT64_MAX / (1024 * 1024), &a->disks.zfs_arc_max);
                        if (a->disks.zfs_arc_max > 0 && a->disks.zfs_arc_max < 64) {
                                answer_error(p, v->pos, kpath, "must be at least 64 (MiB, the ZFS minimum), or 0 for the ZFS default");
                                a->disks.zfs_arc_max = -1;
                        }
                } else if (streq(k, "checksum")) {
                        m = get_enum(p, v, kpath, checksums);
                        if (m >= 0)
                                get_string(p, v, kpath, &a->disks.zfs_checksum);
                } else if (streq(k, "compress")) {
                        m = get_enum(p, v, kpath, compress);
                        if (m >= 0)
                                get_string(p, v, kpath, &a->disks.zfs_compress);
                } else if (streq(k, "copies")) {
                        x = -1;
                        get_integer(p, v, kpath, 1, 3, &x);
                        a->disks.zfs_copies = (int) x;
                } else if (streq(k, "hdsize"))
                        get_number(p, v, kpath, 2, &a->disks.hdsize);
        }
}

static void parse_btrfs(AnswerParser *p, const TomlValue *t, const char *path) {
        static const char *const known[] = { "raid", "compress", "hdsize", NULL };
        static const char *const raids[] = { "raid0", "RAID0", "raid1", "RAID1", "raid10", "RAID10", NULL };
        static const char *const compress[] = { "on", "off", "zlib", "lzo", "zstd", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = path, .known = known };

        if (!expect_table(p, t, path))
                return;
        p->has_btrfs = true;
        FOREACH_SECTION_KEY(s, t, e, k, kpath) {
                const TomlValue *v = e->value;
                if (streq(k, "raid")) {
                        p->btrfs_raid_pos = v->pos;
                        int m = get_enum(p, v, kpath, raids);
                        if (m >= 0) {
                                a->disks.raid = zfs_raid_values[m];
                                p->has_btrfs_raid = true;
                        }
                } else if (streq(k, "compress")) {
                        if (get_enum(p, v, kpath, compress) >= 0)
                                get_string(p, v, kpath, &a->disks.btrfs_compress);
                } else if (streq(k, "hdsize"))
                        get_number(p, v, kpath, 2, &a->disks.hdsize);
        }
}

static void parse_lvm(AnswerParser *p, const TomlValue *t, const char *path) {
        static const char *const known[] = { "hdsize", "swapsize", "maxroot", "maxvz", "minfree", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = path, .known = known };

        if (!expect_table(p, t, path))
                return;
        p->has_lvm = true;
        FOREACH_SECTION_KEY(s, t, e, k, kpath) {
                const TomlValue *v = e->value;
                if (streq(k, "hdsize"))
                        get_number(p, v, kpath, 2, &a->disks.hdsize);
                else if (streq(k, "swapsize"))
                        get_number(p, v, kpath, 0, &a->disks.swapsize);
                else if (streq(k, "maxroot"))
                        get_number(p, v, kpath, 2, &a->disks.maxroot);
                else if (streq(k, "maxvz"))
                        get_number(p, v, kpath, 0, &a->disks.maxvz);
                else if (streq(k, "minfree"))
                        get_number(p, v, kpath, 0, &a->disks.minfree);
        }
}

/* encrypt-recovery-key: where the recovery key of a TPM-unlocked volume
 * goes, a list of "webhook" and "tty1"; never the serial console or a log. */
static void parse_recovery_key(AnswerParser *p, const TomlValue *v, const char *path) {
        static const char *const places[] = { "webhook", "tty1", NULL };
        _cleanup_strv_free_ char **l = get_string_list(p, v, path, false);
        if (!l)
                return;
        if (!l[0]) {
                answer_error(p, v->pos, path, "cannot be empty (\"webhook\", \"tty1\" or both)");
                return;
        }
        for (size_t i = 0; l[i]; i++) {
                if (streq(l[i], "webhook"))
                        p->a->disks.encrypt_recovery_key |= ANSWER_RECOVERY_WEBHOOK;
                else if (streq(l[i], "tty1"))
                        p->a->disks.encrypt_recovery_key |= ANSWER_RECOVERY_TTY1;
                else {
                        char allowed[64];
                        list_known(places, allowed, sizeof(allowed));
                        answer_error(p, v->array.items[i]->pos, path, "'%s' is not allowed (allowed: %s)", l[i], allowed);
                }
        }
}

static void parse_disks(AnswerParser *p, const TomlValue *t) {
        static const char *const known[] = {
                "filesystem", "disk-list", "filter", "filter-match", "zfs", "lvm", "btrfs",
                "existing-data", "raid", "encrypt", "encrypt-passphrase", "encrypt-tpm2", "encrypt-recovery-key",
                "reinstall", NULL
        };
        static const char *const filesystems[] = { "ext4", "xfs", "zfs", "btrfs", NULL };
        static const char *const matches[] = { "any", "all", NULL };
        static const char *const existing[] = { "wipe", "refuse", NULL };
        static const char *const md_raids[] = { "raid1", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = "disk-setup", .known = known };
        bool have_fs = false;

        FOREACH_SECTION_KEY(s, t, e, k, path) {
                const TomlValue *v = e->value;
                int m;
                if (streq(k, "filesystem")) {
                        m = get_enum(p, v, path, filesystems);
                        if (m >= 0) {
                                a->disks.filesystem = (AnswerFs) m;
                                have_fs = true;
                        }
                } else if (streq(k, "disk-list")) {
                        char **l = get_string_list(p, v, path, false);
                        if (l) {
                                strv_free(a->disks.disk_list);
                                a->disks.disk_list = l;
                        }
                } else if (streq(k, "filter"))
                        parse_filter(p, v, path, &a->disks.filter);
                else if (streq(k, "filter-match")) {
                        m = get_enum(p, v, path, matches);
                        if (m >= 0)
                                a->disks.filter_match = (AnswerFilterMatch) m;
                } else if (streq(k, "zfs"))
                        parse_zfs(p, v, path);
                else if (streq(k, "lvm"))
                        parse_lvm(p, v, path);
                else if (streq(k, "btrfs"))
                        parse_btrfs(p, v, path);
                else if (streq(k, "existing-data")) {
                        m = get_enum(p, v, path, existing);
                        if (m >= 0)
                                a->disks.existing_data = (AnswerExistingData) m;
                } else if (streq(k, "raid")) {
                        p->md_raid_pos = v->pos;
                        if (get_enum(p, v, path, md_raids) >= 0)
                                p->has_md_raid = true;
                } else if (streq(k, "encrypt"))
                        get_bool(p, v, path, &a->disks.encrypt);
                else if (streq(k, "encrypt-passphrase"))
                        get_string(p, v, path, &a->disks.encrypt_passphrase);
                else if (streq(k, "encrypt-tpm2"))
                        get_bool(p, v, path, &a->disks.encrypt_tpm2);
                else if (streq(k, "encrypt-recovery-key"))
                        parse_recovery_key(p, v, path);
                else if (streq(k, "reinstall"))
                        get_bool(p, v, path, &a->disks.reinstall);
        }
        if (!have_fs && !answer_diags_find(p->d, "disk-setup.filesystem"))
                answer_error(p, t->pos, "disk-setup.filesystem", "is required (ext4, xfs, zfs or btrfs)");
}

/* -------------------------------------------- hooks, cluster and checks */

static void parse_first_boot(AnswerParser *p, const TomlValue *t) {
        static const char *const known[] = {
                "source", "ordering", "url", "cert-fingerprint", "sha256", "allow-unverified-http", NULL
        };
        static const char *const sources[] = { "from-url", "from-iso", NULL };
        static const char *const orderings[] = { "before-network", "network-online", "fully-up", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = "first-boot", .known = known };
        bool have_source = false;

        a->first_boot.set = true;
        a->first_boot.ordering = ANSWER_ORDER_FULLY_UP;
        FOREACH_SECTION_KEY(s, t, e, k, path) {
                const TomlValue *v = e->value;
                int m;
                if (streq(k, "source")) {
                        m = get_enum(p, v, path, sources);
                        if (m >= 0) {
                                a->first_boot.source = (AnswerFirstBootSource) m;
                                have_source = true;
                        }
                } else if (streq(k, "ordering")) {
                        m = get_enum(p, v, path, orderings);
                        if (m >= 0)
                                a->first_boot.ordering = (AnswerFirstBootOrdering) m;
                } else if (streq(k, "url")) {
                        get_string(p, v, path, &a->first_boot.url);
                        const char *why = a->first_boot.url ? check_url(a->first_boot.url) : NULL;
                        if (why)
                                answer_error(p, v->pos, path, "'%s' %s", a->first_boot.url, why);
                } else if (streq(k, "cert-fingerprint")) {
                        get_string(p, v, path, &a->first_boot.cert_fingerprint);
                        const char *why = a->first_boot.cert_fingerprint ? check_fingerprint(a->first_boot.cert_fingerprint) : NULL;
                        if (why)
                                answer_error(p, v->pos, path, "%s", why);
                } else if (streq(k, "sha256")) {
                        get_string(p, v, path, &a->first_boot.sha256);
                        const char *why = a->first_boot.sha256 ? check_sha256(a->first_boot.sha256) : NULL;
                        if (why)
                                answer_error(p, v->pos, path, "%s", why);
                } else if (streq(k, "allow-unverified-http"))
                        get_bool(p, v, path, &a->first_boot.allow_unverified_http);
        }
        if (!have_source && !answer_diags_find(p->d, "first-boot.source"))
                answer_error(p, t->pos, "first-boot.source", "is required (from-url or from-iso)");
}

static void parse_webhook(AnswerParser *p, const TomlValue *t) {
        static const char *const known[] = { "url", "cert-fingerprint", "auth-token", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = "post-installation-webhook", .known = known };

        a->webhook.set = true;
        FOREACH_SECTION_KEY(s, t, e, k, path) {
                const TomlValue *v = e->value;
                if (streq(k, "url")) {
                        get_string(p, v, path, &a->webhook.url);
                        const char *why = a->webhook.url ? check_url(a->webhook.url) : NULL;
                        if (why)
                                answer_error(p, v->pos, path, "'%s' %s", a->webhook.url, why);
                } else if (streq(k, "cert-fingerprint")) {
                        get_string(p, v, path, &a->webhook.cert_fingerprint);
                        const char *why = a->webhook.cert_fingerprint ? check_fingerprint(a->webhook.cert_fingerprint) : NULL;
                        if (why)
                                answer_error(p, v->pos, path, "%s", why);
                } else if (streq(k, "auth-token"))
                        get_string(p, v, path, &a->webhook.auth_token);
        }
        if (!a->webhook.url && !answer_diags_find(p->d, "post-installation-webhook.url"))
                answer_error(p, t->pos, "post-installation-webhook.url", "is required");
}

static void parse_kvs(AnswerParser *p, const TomlValue *t, const char *path, AnswerKvs *kv) {
        if (!expect_table(p, t, path))
                return;
        kv->items = calloc(t->table.n + 1, sizeof(AnswerKv));
        if (!kv->items) {
                p->d->oom = true;
                return;
        }
        for (size_t i = 0; i < t->table.n; i++) {
                const TomlEntry *e = &t->table.entries[i];
                _cleanup_free_ char *kpath = join_key(path, e->key);
                char *v = dup_string(p, e->value, strempty(kpath));
                char *k = v ? strdup(e->key) : NULL;
                if (!v || !k) {
                        free(v);
                        continue;
                }
                kv->items[kv->n++] = (AnswerKv) { .key = k, .value = v };
        }
}

/* HOST, IPv4:PORT, [IPv6]:PORT or HOST:PORT. */
static const char *check_host_port(const char *s) {
        _cleanup_free_ char *host = NULL;
        const char *port = NULL;
        if (s[0] == '[') {
                const char *end = strchr(s, ']');
                if (!end)
                        return "has '[' without ']'";
                host = strndup(s + 1, (size_t) (end - s - 1));
                if (end[1] == ':')
                        port = end + 2;
                else if (end[1])
                        return "has text after ']' that is not :PORT";
                if (host && check_ip(host, NULL))
                        return "has an invalid IPv6 address in brackets";
        } else {
                const char *colon = strrchr(s, ':');
                if (colon && strchr(s, ':') == colon) {
                        host = strndup(s, (size_t) (colon - s));
                        port = colon + 1;
                } else
                        host = strdup(s);
                if (host && check_ip(host, NULL) && check_domain(host))
                        return "is not an IP address or host name (IPv6 with a port goes in brackets: [ADDR]:PORT)";
        }
        if (!host)
                return "cannot be read (out of memory)";
        if (port) {
                char *end = NULL;
                long v = strtol(port, &end, 10);
                if (!*port || *end || v < 1 || v > 65535)
                        return "has an invalid port (1-65535)";
        }
        return NULL;
}

static void parse_cluster_storage(AnswerParser *p, const TomlValue *t, const char *path) {
        static const char *const known[] = { "pool", "driver", "source", "config", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = path, .known = known };

        if (!expect_table(p, t, path))
                return;
        FOREACH_SECTION_KEY(s, t, e, k, kpath) {
                if (streq(k, "pool"))
                        get_string(p, e->value, kpath, &a->cluster.storage.pool);
                else if (streq(k, "driver"))
                        get_string(p, e->value, kpath, &a->cluster.storage.driver);
                else if (streq(k, "source"))
                        get_string(p, e->value, kpath, &a->cluster.storage.source);
                else
                        parse_kvs(p, e->value, kpath, &a->cluster.storage.config);
        }
}

static void parse_cluster_network(AnswerParser *p, const TomlValue *t, const char *path) {
        static const char *const known[] = { "mode", "name", "profile", "device", "config", NULL };
        static const char *const modes[] = { "none", "bridge", "managed", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = path, .known = known };

        if (!expect_table(p, t, path))
                return;
        FOREACH_SECTION_KEY(s, t, e, k, kpath) {
                if (streq(k, "mode")) {
                        if (get_enum(p, e->value, kpath, modes) >= 0)
                                get_string(p, e->value, kpath, &a->cluster.network.mode);
                } else if (streq(k, "name"))
                        get_string(p, e->value, kpath, &a->cluster.network.name);
                else if (streq(k, "profile"))
                        get_string(p, e->value, kpath, &a->cluster.network.profile);
                else if (streq(k, "device"))
                        get_string(p, e->value, kpath, &a->cluster.network.device);
                else
                        parse_kvs(p, e->value, kpath, &a->cluster.network.config);
        }
}

static void parse_cluster(AnswerParser *p, const TomlValue *t) {
        static const char *const known[] = {
                "mode", "token", "server-name", "address", "verify", "check-guests", "storage", "network", NULL
        };
        static const char *const modes[] = { "standalone", "bootstrap", "join", NULL };
        Answer *a = p->a;
        Section s = { .p = p, .prefix = "cluster", .known = known };

        a->cluster.set = true;
        FOREACH_SECTION_KEY(s, t, e, k, path) {
                const TomlValue *v = e->value;
                if (streq(k, "mode")) {
                        int m = get_enum(p, v, path, modes);
                        if (m >= 0)
                                a->cluster.mode = (AnswerClusterMode) m;
                } else if (streq(k, "token"))
                        get_string(p, v, path, &a->cluster.token);
                else if (streq(k, "server-name")) {
                        get_string(p, v, path, &a->cluster.server_name);
                        const char *why = a->cluster.server_name ? check_domain(a->cluster.server_name) : NULL;
                        if (why || (a->cluster.server_name && strchr(a->cluster.server_name, '.')))
                                answer_error(p, v->pos, path, "'%s' must be a single host name label "
                                             "(letters, digits and dashes)", a->cluster.server_name);
                } else if (streq(k, "address")) {
                        get_string(p, v, path, &a->cluster.address);
                        const char *why = a->cluster.address ? check_host_port(a->cluster.address) : NULL;
                        if (why)
                                answer_error(p, v->pos, path, "'%s' %s", a->cluster.address, why);
                } else if (streq(k, "verify"))
                        get_bool(p, v, path, &a->cluster.verify);
                else if (streq(k, "check-guests"))
                        get_bool(p, v, path, &a->cluster.check_guests);
                else if (streq(k, "storage"))
                        parse_cluster_storage(p, v, path);
                else if (streq(k, "network"))
                        parse_cluster_network(p, v, path);
        }
}

static void parse_checks(AnswerParser *p, const TomlValue *t) {
        static const char *const known[] = { "waive", NULL };
        Section s = { .p = p, .prefix = "checks", .known = known };

        FOREACH_SECTION_KEY(s, t, e, k, path) {
                char **l = get_string_list(p, e->value, path, false);
                if (!l)
                        continue;
                for (size_t j = 0; l[j]; j++) {
                        const char *why = check_check_id(l[j]);
                        if (why)
                                answer_error(p, e->value->array.items[j]->pos, path, "check id '%s' %s", l[j], why);
                }
                strv_free(p->a->waive_checks);
                p->a->waive_checks = l;
        }
}

void answer_schema_walk(AnswerParser *p, const TomlValue *root) {
        static const char *const known[] = {
                "global", "network", "disk-setup", "first-boot", "post-installation-webhook",
                "cluster", "checks", NULL
        };
        Section s = { .p = p, .prefix = "", .known = known };
        bool have_global = false, have_network = false, have_disks = false;

        FOREACH_SECTION_KEY(s, root, e, k, path) {
                if (!expect_table(p, e->value, path))
                        continue;
                if (streq(k, "global")) {
                        have_global = true;
                        p->global_pos = e->value->pos;
                        parse_global(p, e->value);
                } else if (streq(k, "network")) {
                        have_network = true;
                        p->network_pos = e->value->pos;
                        parse_network(p, e->value);
                } else if (streq(k, "disk-setup")) {
                        have_disks = true;
                        p->disks_pos = e->value->pos;
                        parse_disks(p, e->value);
                } else if (streq(k, "first-boot"))
                        parse_first_boot(p, e->value);
                else if (streq(k, "post-installation-webhook"))
                        parse_webhook(p, e->value);
                else if (streq(k, "cluster"))
                        parse_cluster(p, e->value);
                else if (streq(k, "checks"))
                        parse_checks(p, e->value);
        }

        TomlPos top = { 1, 1 };
        if (!have_global)
                answer_error(p, top, "global", "the [global] section is missing");
        if (!have_network)
                answer_error(p, top, "network", "the [network] section is missing (e.g. source = \"from-dhcp\")");
        if (!have_disks)
                answer_error(p, top, "disk-setup", "the [disk-setup] section is missing");
}
