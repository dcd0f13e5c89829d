/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hardware JSON: the committed example files load and round-trip exactly,
 * defaults of the short form, and every kind of bad input is rejected with
 * the JSON path of the bad field. */

#include <fcntl.h>
#include <sys/stat.h>

#include "hardware.h"
#include "json-out.h"
#include "macro.h"
#include "testlib.h"

static char *src_path(const char *rel) {
        const char *src = getenv("FORJA_SRCDIR");
        char *p;
        if (!src)
                src = ".";
        if (asprintf(&p, "%s/tests/inventory/%s", src, rel) < 0)
                abort();
        return p;
}

static json_object *parse_file(const char *path) {
        return json_object_from_file(path);
}

static const char *to_string(json_object *o) {
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* to_json, then from_json, then to_json again must give the same text. */
static void check_round_trip(const Hardware *hw) {
        json_object *a = hardware_to_json(hw);
        Hardware *again = NULL;
        char *err = NULL;

        CHECK(a != NULL);
        CHECK(hardware_from_json(a, &again, &err) == 0);
        if (err)
                fprintf(stderr, "round trip: %s\n", err);
        if (again) {
                json_object *b = hardware_to_json(again);
                CHECK_STREQ(to_string(a), to_string(b));
                json_object_put(b);
        }
        hardware_free(again);
        free(err);
        json_object_put(a);
}

static void test_complete_file(const char *rel) {
        char *path = src_path(rel);
        Hardware *hw = NULL;
        char *err = NULL;

        CHECK(hardware_load_json(path, &hw, &err) == 0);
        CHECK(err == NULL);
        if (!hw) {
                fprintf(stderr, "%s: %s\n", path, strempty(err));
                free(path);
                free(err);
                return;
        }
        /* A complete file is exactly what hardware_to_json() writes. */
        json_object *file = parse_file(path);
        json_object *out = hardware_to_json(hw);
        CHECK(json_object_equal(file, out));
        if (!json_object_equal(file, out))
                fprintf(stderr, "%s re-serialized differs:\n%s\n", rel, to_string(out));
        json_object_put(file);
        json_object_put(out);
        check_round_trip(hw);
        hardware_free(hw);
        free(path);
}

static void test_server_fields(void) {
        char *path = src_path("hardware/uefi-2disk-server.json");
        Hardware *hw = NULL;

        CHECK(hardware_load_json(path, &hw, NULL) == 0);
        if (!hw) {
                free(path);
                return;
        }
        CHECK_INTEQ(hw->n_disks, 2);
        CHECK_STREQ(hw->disks[1].name, "sdb");
        CHECK_INTEQ(hw->disks[1].size_bytes, 480103981056LL);
        CHECK_INTEQ(hw->disks[1].physical_sector_size, 4096);
        CHECK_STREQ(hw->disks[1].serial, "21052F3A9C12");
        CHECK(hw->disks[0].pttype == NULL);
        CHECK(hw->disks[0].contents && hw->disks[0].contents[0] == NULL);
        CHECK_STREQ(hw_property_get(hw->disks[0].props, hw->disks[0].n_props, "ID_SERIAL_SHORT"), "21052F3A9C11");
        CHECK(hw_property_get(hw->disks[0].props, hw->disks[0].n_props, "ID_NOPE") == NULL);
        CHECK(hw_property_get(hw->disks[0].props, hw->disks[0].n_props, NULL) == NULL);
        CHECK(hardware_find_disk(hw, "/dev/sdb") == &hw->disks[1]);
        CHECK(hardware_find_disk(hw, "sdc") == NULL);
        CHECK_INTEQ(hw->n_nics, 2);
        CHECK(hardware_find_nic(hw, "eno2") == &hw->nics[1]);
        CHECK(!hw->nics[1].link);
        CHECK(hw->uefi);
        CHECK(!hw->secure_boot);
        CHECK_INTEQ(hw->memory_bytes, 68719476736LL);
        CHECK_INTEQ(hw->cpu.threads, 12);
        CHECK_STREQ(hw->cpu.virt_verdict, "usable");
        CHECK_STREQ(hw->dhcp.hostname, "pve1");
        CHECK_STREQ(hw->dhcp.domain, "example.org");
        CHECK_STREQ(hw->dhcp.dns[0], "192.168.1.1");
        CHECK(hw->dhcp.dns[1] == NULL);
        CHECK(hw->warnings == NULL);
        hardware_free(hw);
        free(path);
}

static void test_minimal_file(void) {
        char *path = src_path("hardware/bios-vm-minimal.json");
        Hardware *hw = NULL;

        CHECK(hardware_load_json(path, &hw, NULL) == 0);
        if (!hw) {
                free(path);
                return;
        }
        /* The documented defaults of a short, hand-written file. */
        CHECK_INTEQ(hw->n_disks, 1);
        CHECK_STREQ(hw->disks[0].path, "/dev/vda");
        CHECK_INTEQ(hw->disks[0].logical_sector_size, 512);
        CHECK_INTEQ(hw->disks[0].physical_sector_size, 512);
        CHECK(!hw->disks[0].rotational && !hw->disks[0].install_medium && !hw->disks[0].contents_unknown);
        CHECK(hw->disks[0].model == NULL && hw->disks[0].n_props == 0);
        CHECK_STREQ(hw->nics[0].mac, "bc:24:11:5e:00:01");
        CHECK(!hw->uefi && !hw->secure_boot);
        CHECK(hw->dhcp.nic == NULL && hw->dhcp.dns == NULL);
        CHECK(hw->kernel_cmdline == NULL && hw->dmi.system_vendor == NULL);

        json_object *o = hardware_to_json(hw);
        CHECK(json_get(o, "dhcp") == NULL && json_object_object_get_ex(o, "dhcp", NULL));
        CHECK_INTEQ(json_object_get_int(json_get(o, "format_version")), 1);
        CHECK_STREQ(json_get_string(json_get(o, "firmware"), "mode"), "bios");
        json_object_put(o);
        check_round_trip(hw);
        hardware_free(hw);
        free(path);

        /* Physical sector size defaults to the logical one. */
        json_object *j = json_tokener_parse("{\"disks\":[{\"name\":\"sda\",\"size\":0,\"logical_sector_size\":4096}]}");
        CHECK(hardware_from_json(j, &hw, NULL) == 0);
        if (hw)
                CHECK_INTEQ(hw->disks[0].physical_sector_size, 4096);
        hardware_free(hw);
        json_object_put(j);

        /* An empty object is an empty machine. */
        j = json_tokener_parse("{}");
        hw = NULL;
        CHECK(hardware_from_json(j, &hw, NULL) == 0);
        CHECK(hw && hw->n_disks == 0 && hw->n_nics == 0);
        hardware_free(hw);
        json_object_put(j);
}

static const struct {
        const char *json;
        const char *error;
} bad_cases[] = {
        { "[]", "(top level): expected object" },
        { "{\"disk\": []}", "disk: unknown key" },
        { "{\"format_version\": 2}", "format_version: unsupported version 2 (this forja reads 1)" },
        { "{\"format_version\": \"1\"}", "format_version: expected integer" },
        { "{\"disks\": {}}", "disks: expected array" },
        { "{\"disks\": null}", "disks: expected array" },
        { "{\"cpu\": null}", "cpu: expected object" },
        { "{\"firmware\": null}", "firmware: expected object" },
        { "{\"firmware\": {\"mode\": null}}", "firmware.mode: expected \"bios\" or \"uefi\"" },
        { "{\"memory_bytes\": null}", "memory_bytes: expected integer" },
        { "{\"disks\": [5]}", "disks[0]: expected object" },
        { "{\"disks\": [{\"size\": 1}]}", "disks[0].name: missing" },
        { "{\"disks\": [{\"name\": \"sda\"}]}", "disks[0].size: missing" },
        { "{\"disks\": [{\"name\": \"a\", \"size\": 1}, {\"name\": \"b\", \"size\": 1}, {\"name\": \"c\", \"size\": \"big\"}]}",
          "disks[2].size: expected integer" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1.5}]}", "disks[0].size: expected integer" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": -1}]}",
          "disks[0].size: expected integer between 0 and 9223372036854775807" },
        { "{\"disks\": [{\"name\": \"\", \"size\": 1}]}", "disks[0].name: must not be empty" },
        { "{\"disks\": [{\"name\": null, \"size\": 1}]}", "disks[0].name: expected string" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"rotational\": \"yes\"}]}",
          "disks[0].rotational: expected boolean" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"removable\": null}]}", "disks[0].removable: expected boolean" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"model\": 5}]}", "disks[0].model: expected string or null" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"pttype\": \"\"}]}",
          "disks[0].pttype: expected a partition table type or null" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"contents\": \"ext4\"}]}",
          "disks[0].contents: expected array of strings" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"contents\": [\"sda1: ext4\", 3]}]}",
          "disks[0].contents[1]: expected string" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"properties\": []}]}",
          "disks[0].properties: expected object of strings" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"properties\": {\"ID_SERIAL\": 1}}]}",
          "disks[0].properties.ID_SERIAL: expected string" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"colour\": \"red\"}]}", "disks[0].colour: unknown key" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"logical_sector_size\": 520}]}",
          "disks[0].logical_sector_size: expected a power of two between 512 and 65536" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"physical_sector_size\": 256}]}",
          "disks[0].physical_sector_size: expected a power of two between 512 and 65536" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1, \"logical_sector_size\": 4294967296}]}",
          "disks[0].logical_sector_size: expected integer between 0 and 4294967295" },
        { "{\"disks\": [{\"name\": \"sda\", \"size\": 1}, {\"name\": \"sda\", \"size\": 2}]}",
          "disks[1].name: duplicate disk name 'sda' (also disks[0])" },
        /* hardware_find_disk() takes a name or a path (the fuzz target's finding). */
        { "{\"disks\": [{\"name\": \"sda\", \"path\": \"/dev/sda\", \"size\": 1}, {\"name\": \"/dev/sda\", \"size\": 2}]}",
          "disks[1]: name '/dev/sda' or path '/dev//dev/sda' also names disks[0] (name 'sda', path '/dev/sda')" },
        { "{\"disks\": [{\"name\": \"sda\", \"path\": \"/dev/x\", \"size\": 1}, {\"name\": \"sdb\", \"path\": \"/dev/x\", \"size\": 2}]}",
          "disks[1]: name 'sdb' or path '/dev/x' also names disks[0] (name 'sda', path '/dev/x')" },
        { "{\"nics\": [{\"mac\": \"52:54:00:12:34:56\"}]}", "nics[0].name: missing" },
        { "{\"nics\": [{\"name\": \"eno1\", \"mac\": \"52:54:00:12:34\"}]}",
          "nics[0].mac: expected a MAC address like 52:54:00:12:34:56" },
        { "{\"nics\": [{\"name\": \"eno1\", \"mac\": \"52-54-00-12-34-56\"}]}",
          "nics[0].mac: expected a MAC address like 52:54:00:12:34:56" },
        { "{\"nics\": [{\"name\": \"eno1\", \"link\": 1}]}", "nics[0].link: expected boolean" },
        { "{\"nics\": [{\"name\": \"eno1\"}, {\"name\": \"eno1\"}]}", "nics[1].name: duplicate NIC name 'eno1' (also nics[0])" },
        { "{\"nics\": [{\"name\": \"eno1\", \"speed\": 1000}]}", "nics[0].speed: unknown key" },
        { "{\"firmware\": \"uefi\"}", "firmware: expected object" },
        { "{\"firmware\": {\"mode\": \"efi\"}}", "firmware.mode: expected \"bios\" or \"uefi\"" },
        { "{\"firmware\": {\"mode\": \"bios\", \"secure_boot\": true}}",
          "firmware.secure_boot: Secure Boot needs \"mode\": \"uefi\"" },
        { "{\"firmware\": {\"mode\": \"uefi\", \"secure_boot\": \"on\"}}", "firmware.secure_boot: expected boolean" },
        { "{\"firmware\": {\"csm\": false}}", "firmware.csm: unknown key" },
        { "{\"firmware\": {\"tpm_version\": 3}}", "firmware.tpm_version: expected 0 (no TPM), 1 or 2" },
        { "{\"firmware\": {\"tpm_version\": true}}", "firmware.tpm_version: expected 0 (no TPM), 1 or 2" },
        { "{\"memory_bytes\": \"64G\"}", "memory_bytes: expected integer" },
        { "{\"cpu\": {\"threads\": -2}}", "cpu.threads: expected integer between 0 and 4294967295" },
        { "{\"cpu\": {\"flags\": \"vmx\"}}", "cpu.flags: unknown key" },
        { "{\"cpu\": {\"x86_64\": \"yes\"}}", "cpu.x86_64: expected boolean" },
        { "{\"dmi\": []}", "dmi: expected object" },
        { "{\"dmi\": {\"system_uuid\": 7}}", "dmi.system_uuid: expected string or null" },
        { "{\"dhcp\": 5}", "dhcp: expected object or null" },
        { "{\"dhcp\": {\"dns\": [1]}}", "dhcp.dns[0]: expected string" },
        { "{\"dhcp\": {\"lease_time\": 3600}}", "dhcp.lease_time: unknown key" },
        { "{\"kernel_cmdline\": 1}", "kernel_cmdline: expected string or null" },
};

static void test_bad_input(void) {
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                json_object *j = json_tokener_parse(bad_cases[i].json);
                Hardware *hw = NULL;
                char *err = NULL;

                if (!j) {
                        fprintf(stderr, "case %zu does not parse: %s\n", i, bad_cases[i].json);
                        CHECK(j != NULL);
                        continue;
                }
                CHECK_INTEQ(hardware_from_json(j, &hw, &err), -EINVAL);
                CHECK(hw == NULL);
                CHECK_STREQ(err, bad_cases[i].error);
                free(err);
                json_object_put(j);
        }
}

static char *write_temp(const char *content) {
        char *path = strdup("/tmp/forja-test-hw.XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t) strlen(content))
                abort();
        close(fd);
        return path;
}

static void check_load_error(const char *content, const char *suffix, int expect_r) {
        char *path = write_temp(content), *err = NULL, *want = NULL;
        Hardware *hw = NULL;

        CHECK_INTEQ(hardware_load_json(path, &hw, &err), expect_r);
        CHECK(hw == NULL);
        if (asprintf(&want, "%s%s", path, suffix) < 0)
                abort();
        CHECK_STREQ(err, want);
        free(want);
        free(err);
        unlink(path);
        free(path);
}

static void test_load_errors(void) {
        Hardware *hw = NULL;
        char *err = NULL;

        check_load_error("{\n  \"disks\": [\n    {\"name\": \"sda\", \"size\": true}\n  ]\n}\n",
                         ": disks[0].size: expected integer", -EINVAL);
        check_load_error("{\n  \"disks\": [\n    {\"name\": \"sda\",, }\n", ":3:20: invalid JSON: quoted object property name expected",
                         -EINVAL);
        check_load_error("{\"disks\": [\n", ":2:1: invalid JSON: unexpected end of file", -EINVAL);
        check_load_error("{} {}\n", ":1:4: invalid JSON: unexpected data after the JSON document", -EINVAL);

        CHECK_INTEQ(hardware_load_json("/nonexistent/forja-hw.json", &hw, &err), -ENOENT);
        CHECK(hw == NULL);
        CHECK_STREQ(err, "/nonexistent/forja-hw.json: cannot read: No such file or directory");
        free(err);
}

static void test_dhcp_lease(void) {
        char *path = write_temp("{\"nic\": \"eno1\", \"address\": \"10.0.0.5/8\", \"dns\": [\"10.0.0.1\"], "
                                "\"hostname\": \"n5\", \"domain\": null}");
        HwDhcp d = {};
        char *err = NULL;

        CHECK(hw_dhcp_load_lease(path, &d, &err) == 0);
        CHECK_STREQ(d.nic, "eno1");
        CHECK_STREQ(d.address, "10.0.0.5/8");
        CHECK(d.gateway == NULL && d.domain == NULL);
        CHECK_STREQ(d.hostname, "n5");
        CHECK_STREQ(d.dns[0], "10.0.0.1");
        hw_dhcp_done(&d);
        unlink(path);
        free(path);

        path = write_temp("{\"nic\": \"eno1\", \"router\": \"10.0.0.1\"}");
        char *want = NULL;
        CHECK_INTEQ(hw_dhcp_load_lease(path, &d, &err), -EINVAL);
        if (asprintf(&want, "%s: router: unknown key", path) < 0)
                abort();
        CHECK_STREQ(err, want);
        free(want);
        free(err);
        unlink(path);
        free(path);

        path = write_temp("[]");
        CHECK_INTEQ(hw_dhcp_load_lease(path, &d, &err), -EINVAL);
        CHECK(err && strstr(err, "expected a JSON object"));
        free(err);
        unlink(path);
        free(path);
}

int main(void) {
        test_complete_file("hardware/uefi-2disk-server.json");
        test_complete_file("hardware/uefi-nvme-usb-medium.json");
        test_complete_file("sysroot-expected.json");
        test_server_fields();
        test_minimal_file();
        test_bad_input();
        test_load_errors();
        test_dhcp_lease();
        return test_result();
}
