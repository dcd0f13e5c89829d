/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The installer's fields to answer TOML and back: what the builder writes
 * (quoted strings with quotes and backslashes in them, sizes as typed,
 * placeholders only for later screens), and that the schema's findings land
 * on the field that wrote the key, or on the field of the line a syntax
 * error points at. */

#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "toml.h"
#include "tui-internal.h"

static Hardware *hw;

static void fill(TuiForm *f) {
        CHECK_INTEQ(tui_form_init(f, hw), 0);
        tui_form_set(f, F_PASSWORD, "correct-horse-9");
        tui_form_set(f, F_PASSWORD2, "correct-horse-9");
        tui_form_set(f, F_MAILTO, "ops@example.org");
}

static void test_defaults_from_hardware(void) {
        TuiForm f;
        CHECK_INTEQ(tui_form_init(&f, hw), 0);
        /* The first disk that is not the install medium; the lease's NIC and addresses. */
        CHECK(f.disk_selected[0] && !f.disk_selected[1] && !f.disk_selected[2]);
        CHECK(f.dhcp);
        CHECK_INTEQ((int) f.nic, 0);
        CHECK_STREQ(tui_form_get(&f, F_FQDN), "pve1.example.org");
        CHECK_STREQ(tui_form_get(&f, F_CIDR), "192.168.1.20/24");
        tui_form_done(&f);
}

static void test_quoting_round_trip(void) {
        TuiForm f;
        TuiCheck c;
        fill(&f);
        const char *key = "ssh-ed25519 AAAA \"quoted\" back\\slash\ttab";
        tui_form_set(&f, F_SSHKEY, key);
        CHECK_INTEQ(tui_check(&f, TUI_SUMMARY, "answer.toml", &c), 0);
        CHECK_INTEQ(c.first_bad, _TUI_SCREEN_MAX);
        CHECK(c.answer != NULL);
        if (c.answer) {
                CHECK_STREQ(c.answer->global.root_ssh_keys[0], key);
                CHECK_STREQ(c.answer->global.root_password, "correct-horse-9");
        }
        CHECK(strstr(c.text, "\\\"quoted\\\" back\\\\slash\\u0009tab") != NULL);
        tui_check_done(&c);
        tui_form_done(&f);
}

static void test_errors_land_on_fields(void) {
        TuiForm f;
        TuiCheck c;
        fill(&f);
        f.dhcp = false;
        tui_form_set(&f, F_CIDR, "10.0.0.300/24");
        tui_form_set(&f, F_GATEWAY, "10.0.0.1");
        tui_form_set(&f, F_DNS, "10.0.0.2");
        CHECK_INTEQ(tui_check(&f, TUI_SUMMARY, "answer.toml", &c), 0);
        CHECK_INTEQ(c.first_bad, TUI_NETWORK);
        CHECK(c.error[F_CIDR] && strstr(c.error[F_CIDR], "10.0.0.300"));
        CHECK(!c.error[F_GATEWAY] && !c.error[F_DNS] && !c.plan);
        tui_check_done(&c);

        /* A size that is no TOML number: the line says which field. */
        tui_form_set(&f, F_CIDR, "10.0.0.7/24");
        tui_form_set(&f, F_HDSIZE, "abc");
        CHECK_INTEQ(tui_check(&f, TUI_SUMMARY, "answer.toml", &c), 0);
        CHECK_INTEQ(c.first_bad, TUI_SIZES);
        CHECK(c.error[F_HDSIZE] != NULL);
        tui_check_done(&c);

        /* A resolver finding: RAID1 needs two disks. */
        tui_form_set(&f, F_HDSIZE, "");
        f.fs = TUI_FS_BTRFS;
        f.raid = TUI_RAID1;
        CHECK_INTEQ(tui_check(&f, TUI_SUMMARY, "answer.toml", &c), 0);
        CHECK_INTEQ(c.first_bad, TUI_DISKS);
        CHECK(c.error[F_RAID] != NULL || c.error[F_DISKS] != NULL);
        tui_check_done(&c);
        tui_form_done(&f);
}

static void test_placeholders_only_for_later_screens(void) {
        TuiForm f;
        TuiCheck c;
        CHECK_INTEQ(tui_form_init(&f, hw), 0);
        /* On the disks screen the empty password (a later screen) does not
         * stop the plan, so the sizes can be shown. */
        CHECK_INTEQ(tui_check(&f, TUI_SIZES, "answer.toml", &c), 0);
        CHECK_INTEQ(c.first_bad, _TUI_SCREEN_MAX);
        CHECK(c.plan != NULL);
        tui_check_done(&c);
        /* On its own screen, and at the summary, it is an error. */
        CHECK_INTEQ(tui_check(&f, TUI_ADMIN, "answer.toml", &c), 0);
        CHECK_INTEQ(c.first_bad, TUI_ADMIN);
        CHECK(c.error[F_PASSWORD] != NULL || c.error[F_MAILTO] != NULL);
        tui_check_done(&c);
        /* The saved text never holds a placeholder. */
        char *text = NULL;
        CHECK_INTEQ(tui_answer_build(&f, TUI_SUMMARY, &text, NULL, NULL), 0);
        CHECK(text && !strstr(text, "placeholder") && !strstr(text, "root@localhost"));
        free(text);
        tui_form_done(&f);
}

/* Every key of every answer the installer can write, as dotted paths. */
static void collect_keys(const TomlValue *t, const char *prefix, const TuiField *lines, size_t n_lines,
                         const char *text) {
        for (size_t i = 0; i < t->table.n; i++) {
                const TomlEntry *e = &t->table.entries[i];
                char path[256];
                snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", e->key);
                if (e->value->type == TOML_TABLE) {
                        collect_keys(e->value, path, lines, n_lines, text);
                        continue;
                }
                /* The key belongs to exactly one field and screen: the
                 * field that wrote its line; no key falls to the summary. */
                TuiField f = tui_key_field(path);
                unsigned line = e->key_pos.line;
                if (f == F_NONE || line == 0 || line > n_lines || lines[line - 1] != f ||
                    tui_key_screen(path) != tui_field_screen(f) || tui_key_screen(path) >= TUI_SUMMARY) {
                        fprintf(stderr, "key %s (line %u) maps to field %d, written by field %d:\n%s\n", path, line,
                                (int) f, line > 0 && line <= n_lines ? (int) lines[line - 1] : -1, text);
                        CHECK(false);
                }
                /* The field's own key leads back to the field. */
                CHECK_INTEQ(tui_key_field(tui_field_key(f)), f);
        }
}

static void check_keys_of(const TuiForm *f) {
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ TuiField *lines = NULL;
        size_t n_lines = 0;
        TomlValue *root = NULL;
        TomlError error = {};
        CHECK_INTEQ(tui_answer_build(f, TUI_SUMMARY, &text, &lines, &n_lines), 0);
        CHECK_INTEQ(toml_parse(text, strlen(text), &root, &error), 0);
        if (root)
                collect_keys(root, "", lines, n_lines, text);
        toml_free(root);
        /* And the schema knows every one of them. */
        TuiCheck c;
        CHECK_INTEQ(tui_check(f, TUI_SUMMARY, "answer.toml", &c), 0);
        for (TuiField i = 0; i < _F_MAX; i++)
                if (c.error[i] && strstr(c.error[i], "unknown key")) {
                        fprintf(stderr, "%s\n", c.error[i]);
                        CHECK(false);
                }
        tui_check_done(&c);
}

/* Each answer key the installer writes, in every form it can take, maps to
 * exactly one field and screen: a key added to the builder without a
 * screen fails here. */
static void test_every_key_has_a_screen(void) {
        TuiForm f;
        fill(&f);
        check_keys_of(&f);
        tui_form_set(&f, F_SSHKEY, "ssh-ed25519 AAAA test");
        tui_form_set(&f, F_HDSIZE, "100");
        tui_form_set(&f, F_SWAPSIZE, "4");
        tui_form_set(&f, F_MAXROOT, "20");
        tui_form_set(&f, F_MINFREE, "8");
        tui_form_set(&f, F_MAXVZ, "50");
        f.dhcp = false;
        f.encrypt = true;
        tui_form_set(&f, F_PASSPHRASE, "correct-horse-9");
        f.disk_selected[1] = true;
        f.raid = TUI_RAID1;
        f.cluster = TUI_CLUSTER_JOIN;
        f.verify = false;
        tui_form_set(&f, F_TOKEN, "token");
        tui_form_set(&f, F_SERVER_NAME, "node2");
        f.waive = calloc(2, sizeof(char *));
        CHECK(f.waive && (f.waive[0] = strdup("cpu-virt")));
        check_keys_of(&f);
        for (TuiFs fs = 0; fs < _TUI_FS_MAX; fs++) {
                f.fs = fs;
                f.encrypt = fs != TUI_FS_BTRFS;
                check_keys_of(&f);
        }
        f.cluster = TUI_CLUSTER_BOOTSTRAP;
        check_keys_of(&f);
        tui_form_done(&f);

        /* Findings about a section, or a key no field writes. */
        CHECK_INTEQ(tui_key_field("disk-setup.lvm"), F_SWAPSIZE);
        CHECK_INTEQ(tui_key_field("global.root-password-hashed"), F_PASSWORD);
        CHECK_INTEQ(tui_key_field("global.root-passwordx"), F_NONE);
        CHECK_INTEQ(tui_key_field("first-boot.url"), F_NONE);
        CHECK_INTEQ(tui_key_screen("network.filter.INTERFACE"), TUI_NETWORK);
        CHECK(tui_field_key(F_NONE) == NULL);
}

/* The sizes screen with a password that is too short (on a later screen):
 * no plan, and the text says where and which key, not "see the errors". */
static void test_plan_missing_names_screen_and_key(void) {
        TuiForm f;
        TuiCheck c;
        char *l0 = NULL, *l1 = NULL;
        fill(&f);
        tui_form_set(&f, F_PASSWORD, "short");
        CHECK_INTEQ(tui_check(&f, TUI_SIZES, "answer.toml", &c), 0);
        CHECK(!c.plan);
        CHECK_INTEQ(c.first_bad, TUI_ADMIN);
        CHECK_STREQ(c.key[F_PASSWORD], "global.root-password");
        CHECK_INTEQ(tui_plan_missing(&c, TUI_SIZES, &l0, &l1), 0);
        CHECK_STREQ(l0, "The plan needs the root password: see the Administrator screen.");
        CHECK(l1 && strstr(l1, "global.root-password") && strstr(l1, "at least 8 characters"));
        free(l0), free(l1);
        tui_check_done(&c);

        /* An error on this screen too: it comes first, and says so. */
        tui_form_set(&f, F_SWAPSIZE, "-1");
        CHECK_INTEQ(tui_check(&f, TUI_SIZES, "answer.toml", &c), 0);
        CHECK_INTEQ(tui_plan_missing(&c, TUI_SIZES, &l0, &l1), 0);
        CHECK_STREQ(l0, "The plan needs swapsize, on this screen:");
        CHECK(l1 && strstr(l1, "disk-setup.lvm.swapsize") && strstr(l1, "at least 0"));
        free(l0), free(l1);
        tui_check_done(&c);

        /* A syntax error has no key: the field's own is named. */
        tui_form_set(&f, F_SWAPSIZE, "");
        tui_form_set(&f, F_PASSWORD, "correct-horse-9");
        tui_form_set(&f, F_MAXROOT, "abc");
        CHECK_INTEQ(tui_check(&f, TUI_LOCALE, "answer.toml", &c), 0);
        CHECK_STREQ(c.key[F_MAXROOT], "disk-setup.lvm.maxroot");
        CHECK_INTEQ(tui_plan_missing(&c, TUI_LOCALE, &l0, &l1), 0);
        CHECK_STREQ(l0, "The plan needs maxroot: see the Disk sizes screen.");
        CHECK(l1 && strstr(l1, "disk-setup.lvm.maxroot"));
        free(l0), free(l1);
        tui_check_done(&c);
        tui_form_done(&f);
}

int main(void) {
        char path[4096], *error = NULL;
        snprintf(path, sizeof(path), "%s/tests/tui/hardware/server.json", getenv("FORJA_SRCDIR") ?: ".");
        if (hardware_load_json(path, &hw, &error) < 0) {
                fprintf(stderr, "%s: %s\n", path, error ?: "cannot load");
                return 1;
        }
        test_defaults_from_hardware();
        test_quoting_round_trip();
        test_errors_land_on_fields();
        test_placeholders_only_for_later_screens();
        test_every_key_has_a_screen();
        test_plan_missing_names_screen_and_key();
        hardware_free(hw);
        return test_result();
}
