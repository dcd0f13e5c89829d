/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hardware_probe() on the fixture sysroot of make-sysroot.sh:
 *   test-hardware-probe SYSROOT EXPECTED.json
 * The default probe must equal the hand-written expected JSON; then the
 * fixture is changed in place to check flags, the install-medium rule, the
 * fallbacks without a udev database, firmware and the DHCP lease. */

#include <fcntl.h>
#include <sys/stat.h>

#include "hardware.h"
#include "json-out.h"
#include "macro.h"
#include "testlib.h"

static const char *sysroot;

static void put_file(const char *rel, const void *data, size_t size) {
        char *p;
        if (asprintf(&p, "%s/%s", sysroot, rel) < 0)
                abort();
        FILE *f = fopen(p, "we");
        if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
                fprintf(stderr, "cannot write %s\n", p);
                abort();
        }
        free(p);
}

static void put(const char *rel, const char *s) {
        put_file(rel, s, strlen(s));
}

static void move(const char *from, const char *to) {
        char *a, *b;
        if (asprintf(&a, "%s/%s", sysroot, from) < 0 || asprintf(&b, "%s/%s", sysroot, to) < 0)
                abort();
        if (rename(a, b) < 0) {
                fprintf(stderr, "rename %s: %m\n", a);
                abort();
        }
        free(a);
        free(b);
}

static Hardware *probe(HwProbeFlags flags) {
        Hardware *hw = NULL;
        int r = hardware_probe_full(sysroot, flags, &hw);
        CHECK_INTEQ(r, 0);
        if (r < 0)
                exit(test_result());
        return hw;
}

static size_t n_warnings(const Hardware *hw) {
        size_t n = 0;
        while (hw->warnings && hw->warnings[n])
                n++;
        return n;
}

static void test_expected(const char *expected_path) {
        Hardware *hw = NULL;
        json_object *expected = json_object_from_file(expected_path);

        CHECK(expected != NULL);
        CHECK(hardware_probe(sysroot, &hw) == 0);
        if (!hw)
                return;
        json_object *got = hardware_to_json(hw);
        CHECK(json_object_equal(expected, got));
        if (!json_object_equal(expected, got))
                fprintf(stderr, "probe result differs from %s:\n%s\n", expected_path,
                        json_object_to_json_string_ext(got, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));

        /* Exactly one problem: sdc has no device node in the fixture. */
        CHECK_INTEQ(n_warnings(hw), 1);
        CHECK(hw->warnings && strstr(hw->warnings[0], "/dev/sdc") && strstr(hw->warnings[0], "contents unknown"));
        json_object_put(got);
        json_object_put(expected);
        hardware_free(hw);
}

static void check_names(const Hardware *hw, bool disks, const char *want) {
        char buf[512] = "";
        size_t n = disks ? hw->n_disks : hw->n_nics;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strcat(buf, " ");
                strcat(buf, disks ? hw->disks[i].name : hw->nics[i].name);
        }
        CHECK_STREQ(buf, want);
}

static void test_flags(void) {
        Hardware *hw = probe(HW_PROBE_ALL_DISKS);
        /* loop1 is unattached (size 0) and stays out. */
        check_names(hw, true, "dm-0 loop0 nvme0n1 sda sdb sdc sr0 zram0");
        const HwDisk *loop = hardware_find_disk(hw, "loop0");
        CHECK(loop && loop->size_bytes == 16384 * 512 && !loop->contents_unknown && !loop->pttype);
        check_names(hw, false, "eno1 enp3s0 enp4s0");
        hardware_free(hw);

        hw = probe(HW_PROBE_ALL_NICS);
        check_names(hw, true, "nvme0n1 sda sdb sdc");
        check_names(hw, false, "eno1 enp3s0 enp4s0 lo vmbr0");
        const HwNic *br = hardware_find_nic(hw, "vmbr0");
        CHECK(br && br->driver == NULL && br->link);
        hardware_free(hw);
}

static bool medium(const Hardware *hw, const char *name) {
        const HwDisk *d = hardware_find_disk(hw, name);
        CHECK(d != NULL);
        return d && d->install_medium;
}

static void test_install_medium(void) {
        Hardware *hw;

        move("proc/self/mountinfo", "proc/self/mountinfo.orig");

        /* Rule (b): a FORJA* labelled disk mounted anywhere. */
        put("proc/self/mountinfo", "21 1 0:20 / / rw - overlay overlay rw\n"
                                   "40 21 8:17 / /mnt/stick ro - ext4 /dev/sdb1 ro\n");
        hw = probe(0);
        CHECK(medium(hw, "sdb") && !medium(hw, "sda"));
        hardware_free(hw);

        /* Rule (a): whatever is mounted at a medium mount point, whatever its label;
         * the FORJA stick is not mounted now. Mount points are unescaped. */
        put("proc/self/mountinfo", "21 1 0:20 / / rw - overlay overlay rw\n"
                                   "40 21 8:2 / /cdrom ro - ext4 /dev/sda2 ro\n"
                                   "41 21 259:0 / /mnt/a\\040b rw - ext4 /dev/nvme0n1 rw\n");
        hw = probe(0);
        CHECK(medium(hw, "sda") && !medium(hw, "sdb") && !medium(hw, "nvme0n1"));
        hardware_free(hw);

        /* "/" is the medium only when it is an optical-media filesystem. */
        put("proc/self/mountinfo", "21 1 8:16 / / ro - iso9660 /dev/sdb ro\n");
        hw = probe(0);
        CHECK(medium(hw, "sdb"));
        hardware_free(hw);
        put("proc/self/mountinfo", "21 1 8:2 / / rw - ext4 /dev/sda2 rw\n");
        hw = probe(0);
        CHECK(!medium(hw, "sda") && !medium(hw, "sdb"));
        hardware_free(hw);

        /* No mount table: nobody is the medium, and the probe says why. */
        move("proc/self/mountinfo", "proc/self/mountinfo.off");
        hw = probe(0);
        CHECK(!medium(hw, "sdb"));
        CHECK_INTEQ(n_warnings(hw), 2);
        CHECK(n_warnings(hw) == 2 && strstr(hw->warnings[1], "mountinfo"));
        hardware_free(hw);
        move("proc/self/mountinfo.orig", "proc/self/mountinfo");
}

static void test_without_udev_db(void) {
        move("run/udev/data", "run/udev/data.off");
        Hardware *hw = probe(0);
        const HwDisk *nvme = hardware_find_disk(hw, "nvme0n1");
        const HwDisk *sda = hardware_find_disk(hw, "sda");
        const HwNic *eno1 = hardware_find_nic(hw, "eno1");

        /* sysfs only: uevent properties, serial and model from the device. */
        CHECK(nvme && hw_property_get(nvme->props, nvme->n_props, "ID_SERIAL") == NULL);
        CHECK(nvme && nvme->n_props == 6);
        CHECK_STREQ(nvme ? hw_property_get(nvme->props, nvme->n_props, "DEVNAME") : NULL, "/dev/nvme0n1");
        CHECK_STREQ(nvme ? nvme->serial : NULL, "S5GXNF0R123456A");
        CHECK_STREQ(nvme ? nvme->model : NULL, "Samsung SSD 980 PRO 1TB");
        CHECK(sda && sda->serial == NULL);
        CHECK_STREQ(sda ? sda->model : NULL, "ST4000NM0035-1V4");
        CHECK(eno1 && hw_property_get(eno1->props, eno1->n_props, "ID_NET_NAME_ONBOARD") == NULL);
        CHECK_STREQ(eno1 ? hw_property_get(eno1->props, eno1->n_props, "INTERFACE") : NULL, "eno1");
        hardware_free(hw);
        move("run/udev/data.off", "run/udev/data");
}

static void test_firmware_and_dhcp(void) {
        Hardware *hw;

        put_file("sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", "\x06\0\0\0\0", 5);
        hw = probe(0);
        CHECK(hw->uefi && !hw->secure_boot);
        hardware_free(hw);

        put_file("sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", "\x06\0\0\0\x01", 5);
        move("sys/firmware/efi", "sys/firmware/efi.off");
        hw = probe(0);
        CHECK(!hw->uefi && !hw->secure_boot);
        hardware_free(hw);
        move("sys/firmware/efi.off", "sys/firmware/efi");

        /* A malformed lease is ignored with a warning naming the bad field. */
        move("run/forja/dhcp.json", "run/forja/dhcp.json.orig");
        put("run/forja/dhcp.json", "{\"nic\": \"eno1\", \"dns\": \"9.9.9.9\"}");
        hw = probe(0);
        CHECK(hw->dhcp.nic == NULL && hw->dhcp.dns == NULL);
        CHECK_INTEQ(n_warnings(hw), 2);
        CHECK(n_warnings(hw) == 2 && strstr(hw->warnings[1], "dns: expected array of strings"));
        hardware_free(hw);

        /* No lease: unknown, and "dhcp": null in the JSON. */
        move("run/forja/dhcp.json", "run/forja/dhcp.json.bad");
        hw = probe(0);
        CHECK(hw->dhcp.nic == NULL && hw->dhcp.hostname == NULL);
        CHECK_INTEQ(n_warnings(hw), 1);
        json_object *o = hardware_to_json(hw);
        CHECK(json_object_object_get_ex(o, "dhcp", NULL) && json_get(o, "dhcp") == NULL);
        json_object_put(o);
        hardware_free(hw);
        move("run/forja/dhcp.json.orig", "run/forja/dhcp.json");
}

static void test_probe_round_trip(void) {
        Hardware *hw = probe(HW_PROBE_ALL_DISKS | HW_PROBE_ALL_NICS), *again = NULL;
        json_object *a = hardware_to_json(hw);
        char *err = NULL;

        CHECK(hardware_from_json(a, &again, &err) == 0);
        if (err)
                fprintf(stderr, "%s\n", err);
        json_object *b = again ? hardware_to_json(again) : NULL;
        CHECK(json_object_equal(a, b));
        json_object_put(a);
        json_object_put(b);
        hardware_free(again);
        hardware_free(hw);
        free(err);
}

int main(int argc, char *argv[]) {
        if (argc != 3) {
                fprintf(stderr, "usage: test-hardware-probe SYSROOT EXPECTED.json\n");
                return 2;
        }
        sysroot = argv[1];
        test_expected(argv[2]);
        test_flags();
        test_install_medium();
        test_without_udev_db();
        test_firmware_and_dhcp();
        test_probe_round_trip();
        /* The fixture is back as it was: the first comparison holds again. */
        test_expected(argv[2]);
        return test_result();
}
