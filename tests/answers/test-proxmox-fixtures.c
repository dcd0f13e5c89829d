/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Proxmox auto-installer reference fixtures: every valid answer resolves
 * to the values of its expected install config, every invalid one is refused
 * with an error about the key (and at the line:column) written in the table
 * below. The test fails unless all 31 fixtures ran. */

#include <dirent.h>
#include <math.h>

#include <json-c/json.h>

#include "answer-resolve.h"
#include "fileio.h"
#include "log.h"
#include "pve-fixture.h"
#include "testlib.h"

static const char *const valid_cases[] = {
        "btrfs", "btrfs_raid_level_uppercase", "disk_match", "disk_match_all", "disk_match_any",
        "first_boot", "fqdn_from_dhcp", "fqdn_from_dhcp_empty_dhcp_domain_setting",
        "fqdn_from_dhcp_no_dhcp_domain_with_default_domain", "full_fqdn_from_dhcp_with_default_domain",
        "hashed_root_password", "minimal", "network_interface_pinning",
        "network_interface_pinning_uppercase_mac_address", "nic_matching", "no_network", "specific_nic",
        "zfs", "zfs_raid_level_uppercase",
};

/* Hand-written: the key and position each invalid fixture's error must name
 * (counted in the .toml files), and whether it needs the hardware. */
static const struct {
        const char *name;
        const char *key;
        unsigned line, column;
        bool needs_hardware;
} invalid_cases[] = {
        { "both_password_and_hashed_set", "global.root-password-hashed", 8, 24, false },
        { "btrfs_raid_single_disk", "disk-setup.disk-list", 15, 13, false },
        { "duplicate_disk", "disk-setup.disk-list", 15, 28, false },
        { "fqdn_from_dhcp_no_default_domain", "global.fqdn", 4, 1, true },
        { "fqdn_hostname_only", "global.fqdn", 4, 8, false },
        { "ipv4_and_subnet_mask_33", "network.cidr", 11, 8, false },
        { "lvm_swapsize_greater_than_hdsize", "disk-setup.lvm.swapsize", 14, 16, false },
        { "network_interface_pinning_overlong_interface_name",
          "network.interface-name-pinning.mapping.ab:cd:ef:12:34:56", 14, 23, false },
        { "no_fqdn_from_dhcp", "global.fqdn", 4, 1, true },
        { "no_root_password_set", "global.root-password", 1, 1, false },
        { "short_password", "global.root-password", 7, 17, false },
        { "zfs_raid_single_disk", "disk-setup.disk-list", 15, 13, false },
};

static char resources[4096];
static unsigned passed_valid, passed_invalid;

static int load(const char *dir, const char *name, Answer **ret, AnswerDiags *d) {
        char path[8192];
        _cleanup_free_ char *data = NULL;
        size_t size;
        snprintf(path, sizeof(path), "%s/%s/%s.toml", resources, dir, name);
        int r = read_full_file(path, 0, &data, &size);
        if (r < 0) {
                fprintf(stderr, "%s: cannot read: %s\n", path, strerror(-r));
                return r;
        }
        return answer_parse(data, size, ret, d);
}

static int hardware_for(const char *dir, const char *name, Hardware **ret) {
        char env[8192];
        snprintf(env, sizeof(env), "%s/%s/%s.run-env.json", resources, dir, name);
        if (access(env, F_OK) < 0)
                snprintf(env, sizeof(env), "%s/run-env-info.json", resources);
        return pve_fixture_hardware(resources, env, ret);
}

static bool same_str(const char *name, const char *what, const char *want, const char *got) {
        if (streq_ptr(want, got))
                return true;
        fprintf(stderr, "%s: %s: expected '%s', got '%s'\n", name, what, strempty(want), strempty(got));
        return false;
}

static bool same_int(const char *name, const char *what, int64_t want, int64_t got) {
        if (want == got)
                return true;
        fprintf(stderr, "%s: %s: expected %lld, got %lld\n", name, what, (long long) want, (long long) got);
        return false;
}

static bool check_disks(const char *name, json_object *exp, const Resolved *r, const Hardware *hw) {
        json_object *sel = NULL, *target = NULL;
        bool ok = true;
        if (json_object_object_get_ex(exp, "disk_selection", &sel)) {
                size_t i = 0;
                ok = same_int(name, "number of target disks", json_object_object_length(sel), (int64_t) r->n_disks);
                json_object_object_foreach(sel, idx, v) {
                        (void) v;
                        if (i < r->n_disks)
                                ok &= same_int(name, "target disk (index, in order)", atoi(idx), (int64_t) r->disks[i]);
                        i++;
                }
        }
        if (json_object_object_get_ex(exp, "target_hd", &target)) {
                ok &= same_int(name, "number of target disks", 1, (int64_t) r->n_disks);
                ok &= r->n_disks > 0 && same_str(name, "target_hd", json_object_get_string(target), hw->disks[r->disks[0]].path);
        }
        if (!sel && !target) {
                fprintf(stderr, "%s: expected JSON names no disk\n", name);
                ok = false;
        }
        return ok;
}

static bool check_valid(const char *name, json_object *exp, const Resolved *r, const Hardware *hw) {
        const Answer *a = r->answer;
        bool ok = check_disks(name, exp, r, hw);

        json_object_object_foreach(exp, key, v) {
                const char *s = json_object_get_string(v);
                if (streq(key, "disk_selection") || streq(key, "target_hd"))
                        continue;
                else if (streq(key, "autoreboot") || streq(key, "existing_storage_auto_rename"))
                        ok &= same_int(name, key, 1, json_object_get_int(v)); /* constant in the reference */
                else if (streq(key, "filesys")) {
                        _cleanup_free_ char *fs = NULL;
                        ok &= resolved_filesys(r, &fs) >= 0 && same_str(name, key, s, fs);
                } else if (streq(key, "hdsize")) {
                        if (fabs(json_object_get_double(v) - r->hdsize) > 1e-9) {
                                fprintf(stderr, "%s: hdsize: expected %.14f, got %.14f\n", name,
                                        json_object_get_double(v), r->hdsize);
                                ok = false;
                        }
                } else if (streq(key, "hostname"))
                        ok &= same_str(name, key, s, r->hostname);
                else if (streq(key, "domain"))
                        ok &= same_str(name, key, s, r->domain);
                else if (streq(key, "mngmt_nic"))
                        ok &= same_str(name, key, s, r->ifname);
                else if (streq(key, "cidr"))
                        ok &= same_str(name, key, s, r->cidr);
                else if (streq(key, "gateway"))
                        ok &= same_str(name, key, s, r->gateway);
                else if (streq(key, "dns"))
                        ok &= same_str(name, key, s, r->dns);
                else if (streq(key, "keymap"))
                        ok &= same_str(name, key, s, a->global.keyboard);
                else if (streq(key, "timezone"))
                        ok &= same_str(name, key, s, a->global.timezone);
                else if (streq(key, "country"))
                        ok &= same_str(name, key, s, a->global.country);
                else if (streq(key, "mailto"))
                        ok &= same_str(name, key, s, a->global.mailto);
                else if (streq(key, "root_password")) {
                        json_object *pw = NULL;
                        if (json_object_object_get_ex(v, "plain", &pw))
                                ok &= same_str(name, "root_password.plain", json_object_get_string(pw), a->global.root_password) &&
                                      same_str(name, "root_password kind", NULL, a->global.root_password_hashed);
                        else if (json_object_object_get_ex(v, "hashed", &pw))
                                ok &= same_str(name, "root_password.hashed", json_object_get_string(pw), a->global.root_password_hashed) &&
                                      same_str(name, "root_password kind", NULL, a->global.root_password);
                        else
                                ok = false;
                } else if (streq(key, "first_boot")) {
                        json_object *en = NULL, *target = NULL;
                        json_object_object_get_ex(v, "enabled", &en);
                        ok &= same_int(name, "first_boot.enabled", json_object_get_int(en), a->first_boot.set);
                        if (json_object_object_get_ex(v, "ordering_target", &target))
                                ok &= same_str(name, "first_boot.ordering_target", json_object_get_string(target),
                                               answer_first_boot_target(a->first_boot.ordering));
                } else if (streq(key, "zfs_opts")) {
                        json_object *x;
                        ok &= same_int(name, "filesystem is zfs", ANSWER_FS_ZFS, a->disks.filesystem);
                        json_object_object_get_ex(v, "arc_max", &x);
                        ok &= same_int(name, "zfs_opts.arc_max", json_object_get_int64(x), (int64_t) r->zfs_arc_max);
                        json_object_object_get_ex(v, "ashift", &x);
                        ok &= same_int(name, "zfs_opts.ashift", json_object_get_int64(x), r->zfs_ashift);
                        json_object_object_get_ex(v, "copies", &x);
                        ok &= same_int(name, "zfs_opts.copies", json_object_get_int64(x), r->zfs_copies);
                        json_object_object_get_ex(v, "checksum", &x);
                        ok &= same_str(name, "zfs_opts.checksum", json_object_get_string(x), r->zfs_checksum);
                        json_object_object_get_ex(v, "compress", &x);
                        ok &= same_str(name, "zfs_opts.compress", json_object_get_string(x), r->zfs_compress);
                } else if (streq(key, "btrfs_opts")) {
                        json_object *x;
                        ok &= same_int(name, "filesystem is btrfs", ANSWER_FS_BTRFS, a->disks.filesystem);
                        json_object_object_get_ex(v, "compress", &x);
                        ok &= same_str(name, "btrfs_opts.compress", json_object_get_string(x), r->btrfs_compress);
                } else if (streq(key, "network_interface_pin_map")) {
                        ok &= same_int(name, "pinned interfaces", json_object_object_length(v), (int64_t) r->n_pins);
                        for (size_t i = 0; i < r->n_pins; i++) {
                                json_object *x = NULL;
                                json_object_object_get_ex(v, r->pins[i].mac, &x);
                                ok &= same_str(name, r->pins[i].mac, x ? json_object_get_string(x) : NULL, r->pins[i].name);
                        }
                } else if (streq(key, "swapsize") || streq(key, "maxroot") || streq(key, "maxvz") || streq(key, "minfree")) {
                        double want = json_object_get_double(v);
                        double got = streq(key, "swapsize") ? a->disks.swapsize : streq(key, "maxroot") ? a->disks.maxroot :
                                     streq(key, "maxvz") ? a->disks.maxvz : a->disks.minfree;
                        ok &= same_int(name, key, (int64_t) (want * 1000), (int64_t) (got * 1000));
                } else {
                        fprintf(stderr, "%s: expected JSON has key '%s' this test does not compare\n", name, key);
                        ok = false;
                }
        }
        if (!json_object_object_get_ex(exp, "network_interface_pin_map", NULL))
                ok &= same_int(name, "pinned interfaces", 0, (int64_t) r->n_pins);
        if (!json_object_object_get_ex(exp, "zfs_opts", NULL))
                ok &= a->disks.filesystem != ANSWER_FS_ZFS;
        if (!json_object_object_get_ex(exp, "btrfs_opts", NULL))
                ok &= a->disks.filesystem != ANSWER_FS_BTRFS;
        return ok;
}

static void run_valid(const char *name) {
        _cleanup_(answer_diags_done) AnswerDiags d = {};
        _cleanup_answer_ Answer *a = NULL;
        _cleanup_resolved_ Resolved *r = NULL;
        Hardware *hw = NULL;
        char path[8192];

        int q = load("parse_answer", name, &a, &d);
        if (q >= 0)
                q = hardware_for("parse_answer", name, &hw);
        if (q >= 0)
                q = answer_resolve(a, hw, &r, &d);
        if (q < 0) {
                fprintf(stderr, "%s: refused (%s):\n", name, strerror(-q));
                answer_diags_print(stderr, name, &d);
                CHECK(!"valid fixture refused");
                hardware_free(hw);
                return;
        }
        snprintf(path, sizeof(path), "%s/parse_answer/%s.json", resources, name);
        json_object *exp = json_object_from_file(path);
        CHECK(exp);
        bool ok = exp && check_valid(name, exp, r, hw);
        CHECK(ok);
        if (ok)
                passed_valid++;
        json_object_put(exp);
        hardware_free(hw);
}

static void run_invalid(size_t i) {
        const char *name = invalid_cases[i].name;
        _cleanup_(answer_diags_done) AnswerDiags d = {};
        _cleanup_answer_ Answer *a = NULL;
        _cleanup_resolved_ Resolved *r = NULL;
        Hardware *hw = NULL;

        int q = load("parse_answer_fail", name, &a, &d);
        /* without hardware, only the machine-dependent cases may pass */
        CHECK_INTEQ(q == 0, invalid_cases[i].needs_hardware);
        if (q == 0) {
                CHECK(hardware_for("parse_answer_fail", name, &hw) >= 0);
                q = hw ? answer_resolve(a, hw, &r, &d) : -EIO;
        }
        CHECK_INTEQ(q, -EINVAL);
        const AnswerDiag *e = answer_diags_find(&d, invalid_cases[i].key);
        if (!e) {
                fprintf(stderr, "%s: no error about %s; findings:\n", name, invalid_cases[i].key);
                answer_diags_print(stderr, name, &d);
        }
        CHECK(e);
        if (e) {
                CHECK_INTEQ(e->pos.line, invalid_cases[i].line);
                CHECK_INTEQ(e->pos.column, invalid_cases[i].column);
                if (e->pos.line == invalid_cases[i].line && e->pos.column == invalid_cases[i].column && q == -EINVAL)
                        passed_invalid++;
        }
        hardware_free(hw);
}

static bool listed(const char *file, const char *dir) {
        size_t n = strlen(file);
        if (n < 6 || !streq(file + n - 5, ".toml"))
                return true;
        for (size_t i = 0; streq(dir, "parse_answer") && i < ELEMENTSOF(valid_cases); i++)
                if (strlen(valid_cases[i]) == n - 5 && strneq(valid_cases[i], file, n - 5))
                        return true;
        for (size_t i = 0; streq(dir, "parse_answer_fail") && i < ELEMENTSOF(invalid_cases); i++)
                if (strlen(invalid_cases[i].name) == n - 5 && strneq(invalid_cases[i].name, file, n - 5))
                        return true;
        return false;
}

/* Every .toml in the fixture folders has an entry here (new upstream cases
 * must be added by hand), and every entry has its file. */
static unsigned count_fixtures(const char *dir) {
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", resources, dir);
        DIR *dp = opendir(path);
        unsigned n = 0;
        CHECK(dp);
        for (struct dirent *de; dp && (de = readdir(dp));) {
                size_t l = strlen(de->d_name);
                if (l < 6 || !streq(de->d_name + l - 5, ".toml"))
                        continue;
                n++;
                if (!listed(de->d_name, dir))
                        fprintf(stderr, "%s/%s has no entry in this test\n", dir, de->d_name);
                CHECK(listed(de->d_name, dir));
        }
        if (dp)
                closedir(dp);
        return n;
}

int main(void) {
        const char *anchors = getenv("FORJA_ANCHORS");
        snprintf(resources, sizeof(resources), "%s/proxmox-auto-installer/tests/resources", anchors ?: "");
        if (!anchors || access(resources, F_OK) < 0)
                test_skip("the Proxmox reference fixtures (FORJA_ANCHORS/proxmox-auto-installer) are missing");
        log_set_max_level(LOG_LEVEL_ERROR);

        CHECK_INTEQ(count_fixtures("parse_answer"), ELEMENTSOF(valid_cases));
        CHECK_INTEQ(count_fixtures("parse_answer_fail"), ELEMENTSOF(invalid_cases));

        for (size_t i = 0; i < ELEMENTSOF(valid_cases); i++)
                run_valid(valid_cases[i]);
        for (size_t i = 0; i < ELEMENTSOF(invalid_cases); i++)
                run_invalid(i);

        fprintf(stderr, "Proxmox fixtures: %u/%zu valid and %u/%zu invalid cases pass (%u of 31)\n", passed_valid,
                ELEMENTSOF(valid_cases), passed_invalid, ELEMENTSOF(invalid_cases), passed_valid + passed_invalid);
        CHECK_INTEQ(ELEMENTSOF(valid_cases) + ELEMENTSOF(invalid_cases), 31);
        CHECK_INTEQ(passed_valid + passed_invalid, 31);
        return test_result();
}
