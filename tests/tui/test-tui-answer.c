/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The installer's fields to answer TOML and back: what the builder writes
 * (quoted strings with quotes and backslashes in them, sizes as typed,
 * placeholders only for later screens), and that the schema's findings land
 * on the field that wrote the key, or on the field of the line a syntax
 * error points at. */

#include <stdlib.h>
#include <string.h>

#include "testlib.h"
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
        hardware_free(hw);
        return test_result();
}
