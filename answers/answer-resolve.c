/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resolving an answer against a hardware inventory. */

#include <math.h>
#include <stdarg.h>

#include "answer-check.h"
#include "answer-resolve.h"
#include "layout.h"
#include "udev-glob.h"

#define GIB 1073741824.0
#define POS(...) answer_locate(a, __VA_ARGS__, NULL)

typedef struct Resolver {
        const Answer *a;
        const Hardware *hw;
        Resolved *r;
        AnswerDiags *d;
} Resolver;

static void err(Resolver *x, TomlPos pos, const char *key, const char *format, ...) _printf_(4, 5);
static void err(Resolver *x, TomlPos pos, const char *key, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        (void) answer_diags_addv(x->d, ANSWER_ERROR, pos, key, format, ap);
        va_end(ap);
}

static void warn(Resolver *x, TomlPos pos, const char *key, const char *format, ...) _printf_(4, 5);
static void warn(Resolver *x, TomlPos pos, const char *key, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        (void) answer_diags_addv(x->d, ANSWER_WARNING, pos, key, format, ap);
        va_end(ap);
}

void resolved_free(Resolved *r) {
        if (!r)
                return;
        free(r->disks);
        free(r->hostname);
        free(r->domain);
        free(r->ifname);
        free(r->cidr);
        free(r->gateway);
        free(r->dns);
        for (size_t i = 0; i < r->n_pins; i++) {
                free(r->pins[i].mac);
                free(r->pins[i].name);
        }
        free(r->pins);
        free(r);
}

static int match_list(size_t count, const AnswerFilters *f, AnswerFilterMatch how,
                      const HwProperty *(*props)(const Hardware *, size_t, size_t *), const Hardware *hw,
                      size_t **ret, size_t *ret_n) {
        size_t *l = calloc(count ?: 1, sizeof(size_t)), n = 0;
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < count; i++) {
                size_t np;
                const HwProperty *p = props(hw, i, &np);
                if (udev_filter_matches(f, how, p, np))
                        l[n++] = i;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

static const HwProperty *disk_props(const Hardware *hw, size_t i, size_t *n) {
        *n = hw->disks[i].n_props;
        return hw->disks[i].props;
}

static const HwProperty *nic_props(const Hardware *hw, size_t i, size_t *n) {
        *n = hw->nics[i].n_props;
        return hw->nics[i].props;
}

int hw_match_disks(const Hardware *hw, const AnswerFilters *f, AnswerFilterMatch how, size_t **ret, size_t *ret_n) {
        return match_list(hw->n_disks, f, how, disk_props, hw, ret, ret_n);
}

int hw_match_nics(const Hardware *hw, const AnswerFilters *f, AnswerFilterMatch how, size_t **ret, size_t *ret_n) {
        return match_list(hw->n_nics, f, how, nic_props, hw, ret, ret_n);
}

/* "  KEY=value" for each filtered property, so errors show what the filter saw. */
static void print_filtered(FILE *m, const AnswerFilters *f, const HwProperty *props, size_t n) {
        for (size_t j = 0; f && j < f->n; j++) {
                const char *v = udev_props_get(props, n, f->items[j].key);
                fprintf(m, "  %s=%s", f->items[j].key, v ?: "(unset)");
        }
}

/* Closes the stream; only then is *buf final. */
static char *memstream_done(FILE *m, char **buf) {
        if (fclose(m) != 0) {
                free(*buf);
                return NULL;
        }
        return *buf;
}

/* "sda  223.57 GiB  SAMSUNG MZ7KM240  ID_SERIAL=..." lines, for errors that
 * must show what the machine has. */
static char *describe_disks(const Hardware *hw, const AnswerFilters *f) {
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        if (!m)
                return NULL;
        fprintf(m, "disks on this machine:%s", hw->n_disks == 0 ? " none" : "");
        for (size_t i = 0; i < hw->n_disks; i++) {
                const HwDisk *d = &hw->disks[i];
                fprintf(m, "\n  %s  %.2f GiB  %s%s", d->name, (double) d->size_bytes / GIB, strempty(d->model),
                        d->install_medium ? "  (install medium)" : "");
                print_filtered(m, f, d->props, d->n_props);
        }
        return memstream_done(m, &buf);
}

static char *describe_nics(const Hardware *hw, const AnswerFilters *f) {
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        if (!m)
                return NULL;
        fprintf(m, "network interfaces on this machine:%s", hw->n_nics == 0 ? " none" : "");
        for (size_t i = 0; i < hw->n_nics; i++) {
                const HwNic *n = &hw->nics[i];
                fprintf(m, "\n  %s  %s  %s", n->name, strempty(n->mac), strempty(n->driver));
                print_filtered(m, f, n->props, n->n_props);
        }
        return memstream_done(m, &buf);
}

static bool lvm_fs(AnswerFs fs) {
        return fs == ANSWER_FS_EXT4 || fs == ANSWER_FS_XFS;
}

static bool disk_matches_name(const HwDisk *d, const char *name) {
        if (streq_ptr(d->name, name) || streq_ptr(d->path, name))
                return true;
        return d->path && startswith(d->path, "/dev/") && streq(d->path + 5, name);
}

static bool waived(const Answer *a, const char *id) {
        for (char **w = a->waive_checks; w && *w; w++)
                if (streq(*w, id))
                        return true;
        return false;
}

static int select_disks(Resolver *x) {
        const Answer *a = x->a;
        const Hardware *hw = x->hw;
        Resolved *r = x->r;
        bool single = lvm_fs(a->disks.filesystem) && a->disks.raid == ANSWER_RAID_NONE;

        r->disks = calloc(hw->n_disks + 1, sizeof(size_t));
        if (!r->disks)
                return -ENOMEM;

        if (a->disks.disk_list[0]) {
                for (size_t i = 0; a->disks.disk_list[i]; i++) {
                        const char *name = a->disks.disk_list[i];
                        char idx[24];
                        snprintf(idx, sizeof(idx), "[%zu]", i);
                        size_t j;
                        for (j = 0; j < hw->n_disks; j++)
                                if (disk_matches_name(&hw->disks[j], name))
                                        break;
                        if (j == hw->n_disks) {
                                _cleanup_free_ char *list = describe_disks(hw, NULL);
                                err(x, POS("disk-setup", "disk-list", idx), "disk-setup.disk-list",
                                    "disk '%s' not found; %s", name, strempty(list));
                                continue;
                        }
                        if (hw->disks[j].install_medium) {
                                err(x, POS("disk-setup", "disk-list", idx), "disk-setup.disk-list",
                                    "disk '%s' holds the running installation medium and is never written to", name);
                                continue;
                        }
                        bool dup = false;
                        for (size_t k = 0; k < r->n_disks; k++)
                                dup = dup || r->disks[k] == j;
                        if (!dup)
                                r->disks[r->n_disks++] = j;
                }
                /* install order is inventory order, as the Proxmox installer keeps it */
                for (size_t i = 1; i < r->n_disks; i++)
                        for (size_t k = i; k > 0 && r->disks[k - 1] > r->disks[k]; k--) {
                                size_t t = r->disks[k];
                                r->disks[k] = r->disks[k - 1];
                                r->disks[k - 1] = t;
                        }
                return 0;
        }

        _cleanup_free_ size_t *m = NULL;
        size_t n = 0;
        int q = hw_match_disks(hw, &a->disks.filter, a->disks.filter_match, &m, &n);
        if (q < 0)
                return q;
        TomlPos fpos = POS("disk-setup", "filter");
        if (n == 0) {
                _cleanup_free_ char *list = describe_disks(hw, &a->disks.filter);
                err(x, fpos, "disk-setup.filter", "filter did not match any disk (filter-match = \"%s\"); %s",
                    a->disks.filter_match == ANSWER_FILTER_ALL ? "all" : "any", strempty(list));
                return 0;
        }
        for (size_t i = 0; i < n; i++)
                if (hw->disks[m[i]].install_medium) {
                        err(x, fpos, "disk-setup.filter",
                            "filter matches %s, which holds the running installation medium; narrow the filter "
                            "(e.g. with ID_SERIAL) so it selects only the target disks", hw->disks[m[i]].name);
                        return 0;
                }
        if (single) {
                if (n > 1)
                        warn(x, fpos, "disk-setup.filter",
                             "filter matches %zu disks; %s (the first) is used for %s, as the Proxmox installer does",
                             n, hw->disks[m[0]].name, answer_fs_to_string(a->disks.filesystem));
                n = 1;
        }
        memcpy(r->disks, m, n * sizeof(size_t));
        r->n_disks = n;
        return 0;
}

/* TPM2-bound unlock measures the UEFI Secure Boot state (PCR 7): a BIOS
 * boot has no such measurement, and a machine without a TPM 2.0 cannot
 * seal the key. */
static void check_tpm2(Resolver *x) {
        const Answer *a = x->a;
        if (!a->disks.encrypt_tpm2)
                return;
        TomlPos pos = POS("disk-setup", "encrypt-tpm2");
        if (!x->hw->uefi)
                err(x, pos, "disk-setup.encrypt-tpm2", "TPM2 unlock binds to PCR 7 (the UEFI Secure Boot state); "
                    "this machine booted in legacy BIOS mode");
        else if (x->hw->tpm_version != 2)
                err(x, pos, "disk-setup.encrypt-tpm2", "this machine has no TPM 2.0 (%s)",
                    x->hw->tpm_version == 1 ? "TPM 1.2 found" : "no /sys/class/tpm/tpm0");
}

static void check_disks(Resolver *x) {
        const Answer *a = x->a;
        const Hardware *hw = x->hw;
        Resolved *r = x->r;
        bool from_filter = !a->disks.disk_list[0];
        const char *key = from_filter ? "disk-setup.filter" : "disk-setup.disk-list";
        TomlPos pos = from_filter ? POS("disk-setup", "filter") : POS("disk-setup", "disk-list");

        if (r->n_disks == 0)
                return;

        /* hdsize lives in the file system's option table: lvm., zfs. or btrfs. */
        const char *opts = lvm_fs(a->disks.filesystem) ? "lvm" : answer_fs_to_string(a->disks.filesystem);
        char hdsize_key[32];
        snprintf(hdsize_key, sizeof(hdsize_key), "disk-setup.%s.hdsize", opts);
        TomlPos hdsize_pos = POS("disk-setup", opts, "hdsize");

        if (a->disks.raid != ANSWER_RAID_NONE) {
                unsigned min = answer_raid_min_disks(a->disks.filesystem, a->disks.raid);
                const char *fs = a->disks.filesystem == ANSWER_FS_ZFS ? "ZFS" :
                                 a->disks.filesystem == ANSWER_FS_BTRFS ? "Btrfs" : "Linux software";
                if (r->n_disks < min) {
                        _cleanup_free_ char *list = describe_disks(hw, from_filter ? &a->disks.filter : NULL);
                        err(x, pos, key, "%s %s needs at least %u disks, got %zu; %s", fs,
                            answer_raid_to_string(a->disks.raid), min, r->n_disks, strempty(list));
                        return;
                }
                if (a->disks.filesystem == ANSWER_FS_ZFS && a->disks.raid == ANSWER_RAID10 && r->n_disks % 2) {
                        err(x, pos, key, "ZFS RAID10 needs an even number of disks, got %zu", r->n_disks);
                        return;
                }
                /* mirrors and RAID-Z members within 10 % of each other, as the installer demands */
                if (a->disks.raid != ANSWER_RAID0 && a->disks.filesystem == ANSWER_FS_ZFS)
                        for (size_t i = 0; i < r->n_disks; i++) {
                                size_t ref = a->disks.raid == ANSWER_RAID10 ? r->disks[i & ~(size_t) 1] : r->disks[0];
                                double s0 = (double) hw->disks[ref].size_bytes, s1 = (double) hw->disks[r->disks[i]].size_bytes;
                                if (fabs(s0 - s1) > s0 / 10)
                                        err(x, pos, key, "mirrored disks must have the same size (within 10 %%): "
                                            "%s (%.2f GiB) and %s (%.2f GiB)", hw->disks[ref].name, s0 / GIB,
                                            hw->disks[r->disks[i]].name, s1 / GIB);
                        }
        }

        for (size_t i = 0; i < r->n_disks; i++) {
                const HwDisk *d = &hw->disks[r->disks[i]];
                if (!hw->uefi && d->logical_sector_size == 4096)
                        err(x, pos, key, "%s: Booting from 4Kn drive in legacy BIOS mode is not supported.", d->name);

                BootDiskLayout l;
                if (layout_boot_disk(d->size_bytes, d->logical_sector_size, r->hdsize, 0, &l) < 0) {
                        err(x, pos, key, "disk '%s' reports no size", d->name);
                        continue;
                }
                /* a disk made small by hdsize is reported at hdsize */
                const char *k = l.restricted ? hdsize_key : key;
                TomlPos kp = l.restricted ? hdsize_pos : pos;
                if (l.hd_gib < LAYOUT_HARD_MIN_GIB)
                        err(x, kp, k, "root disk '%s' too small (%u GB < %d GB)", d->path ?: d->name, l.hd_gib,
                            LAYOUT_HARD_MIN_GIB);
                else if (l.hd_gib < LAYOUT_SOFT_MIN_GIB && !waived(a, "root-disk-size"))
                        err(x, kp, k, "root disk space %u GB on '%s' is below the recommended minimum of %d GB; "
                            "an unattended installation stops here (to accept it, add \"root-disk-size\" to "
                            "[checks] waive)", l.hd_gib, d->path ?: d->name, LAYOUT_SOFT_MIN_GIB);

                if (a->disks.existing_data == ANSWER_EXISTING_REFUSE &&
                    (d->pttype || (d->contents && d->contents[0]) || d->contents_unknown)) {
                        char what[512] = "";
                        size_t used = 0;
                        if (d->pttype)
                                used += (size_t) snprintf(what, sizeof(what), "%s partition table", d->pttype);
                        for (char **c = d->contents; c && *c && used < sizeof(what); c++)
                                used += (size_t) snprintf(what + used, sizeof(what) - used, "%s%s", used ? ", " : "", *c);
                        if (d->contents_unknown && used < sizeof(what))
                                snprintf(what + used, sizeof(what) - used, "%scontents could not be read", used ? ", " : "");
                        err(x, POS("disk-setup", "existing-data"), "disk-setup.existing-data",
                            "disk '%s' is not empty (%s) and existing-data = \"refuse\"; wipe it first or set "
                            "existing-data = \"wipe\"", d->name, what);
                }
        }

        if (lvm_fs(a->disks.filesystem) && !isnan(a->disks.swapsize) && isnan(a->disks.hdsize) &&
            a->disks.swapsize > r->hdsize / 2) {
                char s[32], h[32];
                err(x, POS("disk-setup", "lvm", "swapsize"), "disk-setup.lvm.swapsize",
                    "Swap size %s GiB cannot be greater than %s GiB (hard disk size / 2)",
                    format_number(a->disks.swapsize, s), format_number(r->hdsize / 2, h));
        }
        if (!isnan(a->disks.hdsize) && r->n_disks > 0 &&
            a->disks.hdsize * GIB > (double) hw->disks[r->disks[0]].size_bytes)
                warn(x, hdsize_pos, hdsize_key, "is larger than disk %s (%.2f GiB); the whole disk is used", hw->disks[r->disks[0]].name,
                     (double) hw->disks[r->disks[0]].size_bytes / GIB);
}

static const HwNic *find_nic(const Hardware *hw, const char *name) {
        for (size_t i = 0; name && i < hw->n_nics; i++)
                if (streq_ptr(hw->nics[i].name, name))
                        return &hw->nics[i];
        return NULL;
}

static int set_str(char **dst, const char *s) {
        char *c = s ? strdup(s) : NULL;
        if (s && !c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

static int resolve_names(Resolver *x) {
        const Answer *a = x->a;
        const HwDhcp *dh = &x->hw->dhcp;
        Resolved *r = x->r;

        if (a->global.fqdn) {
                const char *dot = strchr(a->global.fqdn, '.');
                r->hostname = strndup(a->global.fqdn, (size_t) (dot - a->global.fqdn));
                r->domain = strdup(dot + 1);
                return r->hostname && r->domain ? 0 : -ENOMEM;
        }

        TomlPos pos = POS("global", "fqdn");
        if (!dh->hostname || !*dh->hostname) {
                err(x, pos, "global.fqdn",
                    "`global.fqdn.source` set to \"from-dhcp\", but DHCP server did not provide a hostname!");
                return 0;
        }
        if (!dh->domain && !a->global.fqdn_domain && !strchr(dh->hostname, '.')) {
                err(x, pos, "global.fqdn", "no domain received from DHCP server and `global.fqdn.domain` is unset!");
                return 0;
        }
        /* The lease's host name may carry the domain; the host is its first label. */
        const char *dot = strchr(dh->hostname, '.');
        r->hostname = dot ? strndup(dh->hostname, (size_t) (dot - dh->hostname)) : strdup(dh->hostname);
        const char *domain = a->global.fqdn_domain ?: dh->domain ?: dot + 1;
        r->domain = strdup(domain);
        if (!r->hostname || !r->domain)
                return -ENOMEM;
        _cleanup_free_ char *fqdn = NULL;
        if (asprintf(&fqdn, "%s.%s", r->hostname, r->domain) < 0)
                return -ENOMEM;
        const char *why = check_fqdn(fqdn);
        if (why)
                err(x, pos, "global.fqdn", "the name from DHCP, '%s', %s", fqdn, why);
        return 0;
}

static const char *pin_name_for(const Resolved *r, const char *mac) {
        for (size_t i = 0; mac && i < r->n_pins; i++)
                if (streq(r->pins[i].mac, mac))
                        return r->pins[i].name;
        return NULL;
}

static int resolve_pins(Resolver *x) {
        const Answer *a = x->a;
        const Hardware *hw = x->hw;
        Resolved *r = x->r;

        if (!a->network.pinning)
                return 0;
        r->pins = calloc(hw->n_nics + 1, sizeof(ResolvedPin));
        if (!r->pins)
                return -ENOMEM;
        /* Every interface gets a stable name: the answer's, or nic<N> with N its
         * position among the interfaces sorted by name (byte order), which is
         * how the reference fixtures number them, whatever order the inventory has. */
        _cleanup_free_ const HwNic **sorted = calloc(hw->n_nics + 1, sizeof(HwNic *));
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < hw->n_nics; i++) {
                size_t k = i;
                for (; k > 0 && strcmp(sorted[k - 1]->name, hw->nics[i].name) > 0; k--)
                        sorted[k] = sorted[k - 1];
                sorted[k] = &hw->nics[i];
        }
        for (size_t i = 0; i < hw->n_nics; i++) {
                const HwNic *n = sorted[i];
                char mac[18];
                if (!n->mac || check_mac(n->mac, mac))
                        continue;
                const char *name = NULL;
                for (size_t j = 0; j < a->network.n_pins; j++)
                        if (streq(a->network.pins[j].mac, mac))
                                name = a->network.pins[j].name;
                char def[32];
                snprintf(def, sizeof(def), "nic%zu", i);
                r->pins[r->n_pins].mac = strdup(mac);
                r->pins[r->n_pins].name = strdup(name ?: def);
                if (!r->pins[r->n_pins].mac || !r->pins[r->n_pins].name)
                        return -ENOMEM;
                r->n_pins++;
        }
        for (size_t j = 0; j < a->network.n_pins; j++) {
                bool found = false;
                for (size_t i = 0; i < r->n_pins; i++)
                        found = found || streq(r->pins[i].mac, a->network.pins[j].mac);
                if (!found)
                        warn(x, POS("network", "interface-name-pinning", "mapping"),
                             "network.interface-name-pinning.mapping",
                             "found unknown address '%s' (mapped to '%s') in network interface pinning options",
                             a->network.pins[j].mac, a->network.pins[j].name);
        }
        for (size_t i = 0; i < r->n_pins; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(r->pins[i].name, r->pins[j].name))
                                err(x, POS("network", "interface-name-pinning", "mapping"),
                                    "network.interface-name-pinning.mapping",
                                    "pinned name '%s' is given to both %s and %s", r->pins[i].name,
                                    r->pins[j].mac, r->pins[i].mac);
        return 0;
}

static int resolve_network(Resolver *x) {
        const Answer *a = x->a;
        const Hardware *hw = x->hw;
        const HwDhcp *dh = &hw->dhcp;
        Resolved *r = x->r;
        int q;

        if (hw->n_nics == 0) {
                err(x, POS("network"), "network", "this machine has no network interface");
                return 0;
        }
        q = resolve_pins(x);
        if (q < 0)
                return q;

        if (a->network.source == ANSWER_NET_FROM_ANSWER) {
                _cleanup_free_ size_t *m = NULL;
                size_t n = 0;
                q = hw_match_nics(hw, &a->network.filter, ANSWER_FILTER_ANY, &m, &n);
                if (q < 0)
                        return q;
                if (n == 0) {
                        _cleanup_free_ char *list = describe_nics(hw, &a->network.filter);
                        err(x, POS("network", "filter"), "network.filter", "filter did not match any network interface; %s",
                            strempty(list));
                        return 0;
                }
                /* the first match by name, as the Proxmox auto-installer picks it */
                const HwNic *best = &hw->nics[m[0]];
                for (size_t i = 1; i < n; i++)
                        if (strcmp(hw->nics[m[i]].name, best->name) < 0)
                                best = &hw->nics[m[i]];
                if (n > 1)
                        warn(x, POS("network", "filter"), "network.filter",
                             "filter matches %zu interfaces; %s (the first by name) is used", n, best->name);
                r->nic = best;
                if (set_str(&r->cidr, a->network.cidr) < 0 || set_str(&r->gateway, a->network.gateway) < 0 ||
                    set_str(&r->dns, a->network.dns) < 0)
                        return -ENOMEM;
        } else {
                r->nic = find_nic(hw, dh->nic);
                if (r->nic && dh->address && !check_cidr(dh->address, NULL, NULL)) {
                        r->net_from_dhcp = true;
                        /* A lease without a router option (an isolated LAN; QEMU's
                         * restricted user network) gives no default route: a made-up
                         * gateway outside the lease's subnet could never be routed,
                         * and networkd would hold the boot at wait-online. */
                        if (set_str(&r->cidr, dh->address) < 0 || set_str(&r->gateway, dh->gateway) < 0)
                                return -ENOMEM;
                } else {
                        /* No lease: the installer's fallback address on the first interface. */
                        r->net_fallback = true;
                        r->nic = r->nic ?: &hw->nics[0];
                        if (set_str(&r->cidr, "192.168.100.2/24") < 0 || set_str(&r->gateway, "192.168.100.1") < 0)
                                return -ENOMEM;
                        warn(x, POS("network", "source"), "network.source",
                             "no DHCP lease on this machine: %s gets the installer's fallback address "
                             "192.168.100.2/24 (gateway 192.168.100.1)", r->nic->name);
                }
                if (set_str(&r->dns, dh->dns && dh->dns[0] ? dh->dns[0] : "192.168.100.1") < 0)
                        return -ENOMEM;
        }

        const char *pinned = a->network.pinning ? pin_name_for(r, r->nic->mac) : NULL;
        if (!pinned && a->network.pinning && r->nic->mac) {
                char mac[18];
                if (!check_mac(r->nic->mac, mac))
                        pinned = pin_name_for(r, mac);
        }
        return set_str(&r->ifname, pinned ?: r->nic->name);
}

static void resolve_fs_options(Resolver *x) {
        const Answer *a = x->a;
        const Hardware *hw = x->hw;
        Resolved *r = x->r;

        r->memory_mib = hw->memory_bytes / (1024 * 1024);
        r->zfs_ashift = a->disks.zfs_ashift >= 0 ? a->disks.zfs_ashift : 12;
        r->zfs_copies = a->disks.zfs_copies >= 0 ? a->disks.zfs_copies : 1;
        r->zfs_arc_max = a->disks.zfs_arc_max >= 0 ? (uint64_t) a->disks.zfs_arc_max
                                                   : layout_zfs_arc_max_default_mib(r->memory_mib);
        r->zfs_checksum = a->disks.zfs_checksum ?: "on";
        r->zfs_compress = a->disks.zfs_compress ?: "on";
        r->btrfs_compress = a->disks.btrfs_compress ?: "off";

        if (!isnan(a->disks.hdsize))
                r->hdsize = a->disks.hdsize;
        else if (r->n_disks > 0)
                r->hdsize = (double) hw->disks[r->disks[0]].size_bytes / GIB;
}

int answer_resolve(const Answer *a, const Hardware *hw, Resolved **ret, AnswerDiags *diags) {
        _cleanup_resolved_ Resolved *r = calloc(1, sizeof(Resolved));
        int q;

        if (!r)
                return -ENOMEM;
        r->answer = a;
        r->hw = hw;
        Resolver x = { .a = a, .hw = hw, .r = r, .d = diags };
        size_t errors_before = answer_diags_errors(diags);

        q = select_disks(&x);
        if (q < 0)
                return q;
        resolve_fs_options(&x);
        check_disks(&x);
        check_tpm2(&x);
        q = resolve_names(&x);
        if (q < 0)
                return q;
        q = resolve_network(&x);
        if (q < 0)
                return q;

        answer_diags_sort(diags);
        if (diags->oom)
                return -ENOMEM;
        if (answer_diags_errors(diags) > errors_before)
                return -EINVAL;
        *ret = TAKE_PTR(r);
        return 0;
}

int resolved_filesys(const Resolved *r, char **ret) {
        const Answer *a = r->answer;
        char *s;
        if (a->disks.filesystem == ANSWER_FS_ZFS || a->disks.filesystem == ANSWER_FS_BTRFS) {
                if (asprintf(&s, "%s (%s)", answer_fs_to_string(a->disks.filesystem),
                             answer_raid_to_string(a->disks.raid)) < 0)
                        return -ENOMEM;
        } else if (a->disks.raid != ANSWER_RAID_NONE) {
                if (asprintf(&s, "%s (md %s)", answer_fs_to_string(a->disks.filesystem),
                             answer_raid_to_string(a->disks.raid)) < 0)
                        return -ENOMEM;
        } else if (!(s = strdup(answer_fs_to_string(a->disks.filesystem))))
                return -ENOMEM;
        *ret = s;
        return 0;
}
