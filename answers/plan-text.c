/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The human-readable plan, rendered from the plan JSON so both forms always
 * say the same thing. */

#include <inttypes.h>

#include "json-out.h"
#include "macro.h"
#include "plan.h"

static const char *size_str(int64_t bytes, char buf[static 32]) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
        double v = (double) bytes;
        unsigned u = 0;
        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        if (u == 0)
                snprintf(buf, 32, "%" PRId64 " B", bytes);
        else
                snprintf(buf, 32, "%.2f %s", v, units[u]);
        return buf;
}

static int64_t jint(json_object *o, const char *key) {
        return json_object_get_int64(json_get(o, key));
}

static bool jbool(json_object *o, const char *key) {
        return json_object_get_boolean(json_get(o, key));
}

static size_t jlen(json_object *o) {
        return o && json_object_is_type(o, json_type_array) ? json_object_array_length(o) : 0;
}

static json_object *jidx(json_object *o, size_t i) {
        return json_object_array_get_idx(o, i);
}

/* A path for an id such as "part:sda3", "md:md0", "luks:cryptroot". */
static const char *id_path(json_object *plan, const char *id) {
        json_object *s = json_get(plan, "storage");
        json_object *disks = json_get(s, "disks");
        for (size_t i = 0; i < jlen(disks); i++) {
                json_object *parts = json_get(jidx(disks, i), "partitions");
                for (size_t j = 0; j < jlen(parts); j++)
                        if (streq_ptr(json_get_string(jidx(parts, j), "id"), id))
                                return json_get_string(jidx(parts, j), "path");
        }
        static const char *const lists[] = { "md-arrays", "luks" };
        for (size_t k = 0; k < ELEMENTSOF(lists); k++) {
                json_object *l = json_get(s, lists[k]);
                for (size_t i = 0; i < jlen(l); i++)
                        if (streq_ptr(json_get_string(jidx(l, i), "id"), id))
                                return json_get_string(jidx(l, i), "path");
        }
        return id;
}

static void print_content(FILE *f, json_object *plan, json_object *c) {
        const char *kind = json_get_string(c, "kind");
        if (!kind) {
                fputs("-", f);
                return;
        }
        if (streq(kind, "filesystem")) {
                const char *mp = json_get_string(c, "mountpoint");
                fprintf(f, "%s%s%s", json_get_string(c, "fstype"), mp ? " on " : " (not mounted)", mp ?: "");
        } else if (streq(kind, "lvm-pv"))
                fprintf(f, "LVM physical volume of %s", json_get_string(c, "volume-group") + 3);
        else if (streq(kind, "md-member"))
                fprintf(f, "RAID member of %s", id_path(plan, json_get_string(c, "array")));
        else if (streq(kind, "luks"))
                fprintf(f, "LUKS2 encrypted (%s)", id_path(plan, json_get_string(c, "luks")));
        else if (streq(kind, "zfs-member"))
                fprintf(f, "ZFS pool %s", json_get_string(c, "pool") + 6);
        else if (streq(kind, "btrfs-member"))
                fputs("Btrfs device", f);
        else if (streq(kind, "swap"))
                fputs("swap", f);
        else if (streq(kind, "guest-storage"))
                fprintf(f, "guest storage %s", json_get_string(c, "storage-id"));
        else
                fputs(kind, f);
}

static void print_disks(FILE *f, json_object *plan) {
        json_object *disks = json_get(json_get(plan, "storage"), "disks");
        char a[32], b[32];

        fprintf(f, "Disks that will be ERASED (everything on them is lost):\n");
        for (size_t i = 0; i < jlen(disks); i++) {
                json_object *d = jidx(disks, i), *cur = json_get(d, "current");
                fprintf(f, "  %-14s %s, serial %s, %s (%" PRId64 " bytes), %" PRId64 "-byte sectors\n",
                        json_get_string(d, "path"), json_get_string(d, "model") ?: "unknown model",
                        json_get_string(d, "serial") ?: "unknown", size_str(jint(d, "size-bytes"), a),
                        jint(d, "size-bytes"), jint(d, "logical-sector-size"));
                json_object *contents = json_get(cur, "contents");
                if (json_get_string(cur, "partition-table") || jlen(contents) || jbool(cur, "unreadable")) {
                        const char *sep = " ";
                        fprintf(f, "  %-14s now holds:", "");
                        if (json_get_string(cur, "partition-table")) {
                                fprintf(f, " %s partition table", json_get_string(cur, "partition-table"));
                                sep = ", ";
                        }
                        for (size_t j = 0; j < jlen(contents); j++, sep = ", ")
                                fprintf(f, "%s%s", sep, json_object_get_string(jidx(contents, j)));
                        if (jbool(cur, "unreadable"))
                                fprintf(f, "%scontents that could not be read", sep);
                        fputc('\n', f);
                } else
                        fprintf(f, "  %-14s now holds: nothing found\n", "");
        }
        for (size_t i = 0; i < jlen(disks); i++) {
                json_object *d = jidx(disks, i), *parts = json_get(d, "partitions");
                fprintf(f, "\nNew GPT partition table on %s:\n", json_get_string(d, "path"));
                fprintf(f, "  %-3s %-17s %-17s %-12s %-13s %s\n", "#", "start", "end", "size", "role", "content");
                for (size_t j = 0; j < jlen(parts); j++) {
                        json_object *p = jidx(parts, j);
                        /* exact positions: whole MiB where aligned, else sectors (end inclusive) */
                        char start[32], end[32];
                        int64_t sb = jint(p, "start-bytes"), eb = sb + jint(p, "size-bytes");
                        if (sb % 1048576 == 0)
                                snprintf(start, sizeof(start), "%" PRId64 " MiB", sb / 1048576);
                        else
                                snprintf(start, sizeof(start), "sector %" PRId64, jint(p, "start-sector"));
                        if (eb % 1048576 == 0)
                                snprintf(end, sizeof(end), "%" PRId64 " MiB", eb / 1048576);
                        else
                                snprintf(end, sizeof(end), "sector %" PRId64, jint(p, "end-sector"));
                        fprintf(f, "  %-3" PRId64 " %-17s %-17s %-12s %-13s ", jint(p, "number"), start, end,
                                size_str(jint(p, "size-bytes"), b), json_get_string(p, "role"));
                        print_content(f, plan, json_get(p, "content"));
                        fputc('\n', f);
                }
        }
}

static void print_volumes(FILE *f, json_object *plan) {
        json_object *s = json_get(plan, "storage");
        char a[32], b[32];

        json_object *md = json_get(s, "md-arrays");
        for (size_t i = 0; i < jlen(md); i++) {
                json_object *m = jidx(md, i), *mem = json_get(m, "members");
                fprintf(f, "\nLinux software RAID %s (%s, metadata %s, %s) over", json_get_string(m, "path"),
                        json_get_string(m, "level"), json_get_string(m, "metadata"), size_str(jint(m, "size-bytes"), a));
                for (size_t j = 0; j < jlen(mem); j++)
                        fprintf(f, " %s", id_path(plan, json_object_get_string(jidx(mem, j))));
                fputs(": ", f);
                print_content(f, plan, json_get(m, "content"));
                fputc('\n', f);
        }
        json_object *luks = json_get(s, "luks");
        for (size_t i = 0; i < jlen(luks); i++) {
                json_object *l = jidx(luks, i);
                json_object *tpm2 = json_get(l, "tpm2");
                fprintf(f, "\nLUKS2 on %s, opened as %s (passphrase from the answer%s): ",
                        id_path(plan, json_get_string(l, "device")), json_get_string(l, "path"),
                        tpm2 ? "; unlocked at boot by the TPM, PCR 7, with clevis; a recovery key in its own keyslot" : "");
                print_content(f, plan, json_get(l, "content"));
                fputc('\n', f);
        }
        json_object *vgs = json_get(s, "volume-groups");
        for (size_t i = 0; i < jlen(vgs); i++) {
                json_object *vg = jidx(vgs, i), *lvs = json_get(vg, "logical-volumes");
                fprintf(f, "\nLVM volume group %s on %s: %s, %s left free\n", json_get_string(vg, "name"),
                        id_path(plan, json_object_get_string(jidx(json_get(vg, "physical-volumes"), 0))),
                        size_str(jint(vg, "size-bytes"), a), size_str(jint(vg, "free-bytes"), b));
                for (size_t j = 0; j < jlen(lvs); j++) {
                        json_object *lv = jidx(lvs, j);
                        fprintf(f, "  %-6s %-12s ", json_get_string(lv, "name"), size_str(jint(lv, "size-bytes"), a));
                        if (streq_ptr(json_get_string(lv, "type"), "thin-pool"))
                                fprintf(f, "thin pool (metadata %s, %" PRId64 " KiB chunks), ",
                                        size_str(jint(lv, "metadata-size-bytes"), b), jint(lv, "chunk-size-bytes") / 1024);
                        print_content(f, plan, json_get(lv, "content"));
                        fputc('\n', f);
                }
        }
        json_object *pools = json_get(s, "zfs-pools");
        for (size_t i = 0; i < jlen(pools); i++) {
                json_object *p = jidx(pools, i), *vdevs = json_get(p, "vdevs"), *props = json_get(p, "properties");
                fprintf(f, "\nZFS pool %s (%s):", json_get_string(p, "name"), json_get_string(p, "raid"));
                for (size_t j = 0; j < jlen(vdevs); j++) {
                        json_object *v = jidx(vdevs, j), *mem = json_get(v, "members");
                        fprintf(f, " %s(", json_get_string(v, "type"));
                        for (size_t k = 0; k < jlen(mem); k++)
                                fprintf(f, "%s%s", k ? " " : "", id_path(plan, json_object_get_string(jidx(mem, k))));
                        fputc(')', f);
                }
                fprintf(f, "\n  ashift=%" PRId64 " compression=%s checksum=%s copies=%" PRId64 ", ARC max %" PRId64 " MiB\n",
                        jint(props, "ashift"), json_get_string(props, "compression"), json_get_string(props, "checksum"),
                        jint(props, "copies"), jint(p, "arc-max-mib"));
                json_object *ds = json_get(p, "datasets");
                fputs("  datasets:", f);
                for (size_t j = 0; j < jlen(ds); j++) {
                        json_object *d = jidx(ds, j), *c = json_get(d, "content");
                        const char *mp = json_get_string(d, "mountpoint");
                        fprintf(f, "%s %s", j ? "," : "", json_get_string(d, "name"));
                        if (mp)
                                fprintf(f, " on %s", mp);
                        else if (json_get_string(c, "kind")) {
                                fputs(" (", f);
                                print_content(f, plan, c);
                                fputc(')', f);
                        } else
                                fputs(" (not mounted)", f);
                }
                fputc('\n', f);
        }
        json_object *btrfs = json_get(s, "btrfs");
        for (size_t i = 0; i < jlen(btrfs); i++) {
                json_object *b2 = jidx(btrfs, i), *mem = json_get(b2, "members");
                fprintf(f, "\nBtrfs on");
                for (size_t k = 0; k < jlen(mem); k++)
                        fprintf(f, " %s", id_path(plan, json_object_get_string(jidx(mem, k))));
                fprintf(f, ": data %s, metadata %s, compress=%s, mounted on /\n", json_get_string(b2, "data-profile"),
                        json_get_string(b2, "metadata-profile"), json_get_string(b2, "compress"));
        }
}

static void print_rest(FILE *f, json_object *plan) {
        json_object *n = json_get(plan, "network"), *s = json_get(plan, "system"), *fb = json_get(plan, "first-boot");
        json_object *pin = json_get(n, "interface-name-pinning");

        fprintf(f, "\nNetwork: %s (%s, %s), named %s on the installed system\n", json_get_string(n, "interface"),
                json_get_string(n, "mac") ?: "no MAC", json_get_string(n, "driver") ?: "unknown driver",
                json_get_string(n, "interface-on-target"));
        fprintf(f, "  address %s, gateway %s, DNS %s (%s)\n", json_get_string(n, "cidr"), json_get_string(n, "gateway") ?: "none",
                json_get_string(n, "dns"),
                jbool(n, "fallback-address") ? "no DHCP lease: the installer's fallback address" :
                jbool(n, "from-dhcp-lease") ? "from the DHCP lease" : "from the answer");
        if (jbool(pin, "enabled")) {
                fputs("  interface names pinned by MAC:", f);
                json_object_object_foreach(json_get(pin, "mapping"), mac, name)
                        fprintf(f, " %s=%s", mac, json_object_get_string(name));
                fputc('\n', f);
        }

        json_object *kb = json_get(s, "keyboard");
        fprintf(f, "\nSystem: %s (host name %s, domain %s)\n", json_get_string(s, "fqdn"), json_get_string(s, "hostname"),
                json_get_string(s, "domain"));
        fprintf(f, "  country %s, keyboard %s, time zone %s, mail to %s\n", json_get_string(s, "country"),
                json_get_string(kb, "layout"), json_get_string(s, "timezone"), json_get_string(s, "mailto"));
        fprintf(f, "  root password: %s, %zu SSH key(s); after installing: %s%s\n",
                streq_ptr(json_get_string(json_get(s, "root-password"), "kind"), "plain") ? "given in the answer" : "hash given in the answer",
                jlen(json_get(s, "root-ssh-keys")), json_get_string(s, "reboot-mode"),
                jbool(s, "reboot-on-error") ? ", reboot on error" : "");

        if (jbool(fb, "enabled"))
                fprintf(f, "\nFirst boot: run the hook %s%s%s%s, ordering %s (systemd %s.target)\n",
                        streq_ptr(json_get_string(fb, "source"), "from-iso") ? "baked into the ISO" : "fetched from ",
                        json_get_string(fb, "url") ?: "", json_get_string(fb, "cert-fingerprint") ? " (pinned certificate)" : "",
                        json_get_string(fb, "sha256") ? " (sha256 checked)" :
                        jbool(fb, "allow-unverified-http") && startswith(strempty(json_get_string(fb, "url")), "http://")
                                ? " (NOT verified: allow-unverified-http)" : "",
                        json_get_string(fb, "ordering"), json_get_string(fb, "systemd-target"));
        else
                fputs("\nFirst boot: nothing to run\n", f);

        json_object *wh = json_get(plan, "webhooks");
        if (jlen(wh) == 0)
                fputs("Webhooks: none\n", f);
        for (size_t i = 0; i < jlen(wh); i++)
                fprintf(f, "Webhook after installation: POST to %s%s%s\n", json_get_string(jidx(wh, i), "url"),
                        json_get_string(jidx(wh, i), "cert-fingerprint") ? " (pinned certificate)" : "",
                        jbool(jidx(wh, i), "auth-token-set") ? " with an auth token" : "");

        json_object *c = json_get(plan, "cluster");
        if (streq_ptr(json_get_string(c, "mode"), "standalone"))
                fputs("Cluster: standalone node\n", f);
        else
                fprintf(f, "Cluster: %s as member %s%s%s\n", json_get_string(c, "mode"), json_get_string(c, "server-name"),
                        json_get_string(c, "address") ? " at " : "", json_get_string(c, "address") ?: "");

        json_object *w = json_get(plan, "checks-waived");
        fputs("Hardware checks waived:", f);
        if (jlen(w) == 0)
                fputs(" none", f);
        for (size_t i = 0; i < jlen(w); i++)
                fprintf(f, " %s", json_object_get_string(jidx(w, i)));
        fputc('\n', f);

        json_object *warn = json_get(plan, "warnings");
        for (size_t i = 0; i < jlen(warn); i++)
                fprintf(f, "%s%s\n", i == 0 ? "\nWarnings:\n  " : "  ", json_object_get_string(jidx(warn, i)));
}

int plan_print_text(FILE *f, json_object *plan) {
        json_object *s = json_get(plan, "storage"), *hw = json_get(plan, "hardware");
        char a[32];

        fprintf(f, "Install plan for %s (nothing has been written)\n\n", json_get_string(plan, "answer") ?: "the answer");
        fprintf(f, "Machine: %s firmware%s, %s memory\n", streq_ptr(json_get_string(hw, "firmware"), "uefi") ? "UEFI" : "BIOS",
                jbool(hw, "secure-boot") ? " with Secure Boot" : "", size_str(jint(hw, "memory-bytes"), a));
        const char *fs = json_get_string(s, "filesystem");
        /* ZFS keeps /boot on an md array of its own; its RAID level is the pool's */
        bool md = jlen(json_get(s, "md-arrays")) > 0 && !streq_ptr(fs, "zfs");
        fprintf(f, "Root file system: %s%s%s, hdsize %.2f GiB, existing data: %s%s\n\n", fs,
                json_get_string(s, "raid") ? (md ? " on Linux software " : " ") : "", json_get_string(s, "raid") ?: "",
                json_object_get_double(json_get(s, "hdsize-gib")), json_get_string(s, "existing-data"),
                jbool(s, "encrypt") ? ", LUKS2 encrypted" : "");
        print_disks(f, plan);
        print_volumes(f, plan);
        print_rest(f, plan);
        return ferror(f) ? -EIO : 0;
}
