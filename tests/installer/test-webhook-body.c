/* SPDX-License-Identifier: GPL-2.0-or-later */
/* installer/webhook-body.c: the "succeeded" body (Proxmox's post-installation
 * fields) built from a directory tree standing in for the installed target,
 * a hand-written plan, hardware and cpuinfo; and the "failed" body. */

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "fileio.h"
#include "json-out.h"
#include "log.h"
#include "testlib.h"
#include "webhook.h"

static char root[] = "/tmp/forja-webhook-body.XXXXXX";

static void put(const char *rel, const void *data, size_t size) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", root, rel);
        CHECK_INTEQ(write_file_atomic(path, data, size, 0644), 0);
}

static void put_text(const char *rel, const char *text) {
        put(rel, text, strlen(text));
}

/* A file with an x86 setup header: "HdrS" at 0x202, at 0x20e the offset
 * (less 0x200) of the version string, here 0x300 -> string at 0x500. */
static void put_bzimage(const char *rel, const char *version) {
        static unsigned char img[0x700];
        memset(img, 0, sizeof img);
        memcpy(img + 0x202, "HdrS", 4);
        img[0x20e] = 0x00;
        img[0x20f] = 0x03;
        memcpy(img + 0x500, version, strlen(version) + 1);
        put(rel, img, sizeof img);
}

static const char *hw_json =
        "{ \"format_version\": 1,"
        "  \"firmware\": { \"mode\": \"uefi\", \"secure_boot\": true },"
        "  \"disks\": ["
        "    { \"name\": \"sda\", \"path\": \"/dev/sda\", \"size\": 480103981056, \"properties\": { \"ID_SERIAL\": \"DISK_A\" } },"
        "    { \"name\": \"sdb\", \"path\": \"/dev/sdb\", \"size\": 1000204886016, \"properties\": { \"ID_SERIAL\": \"DISK_B\" } } ],"
        "  \"nics\": ["
        "    { \"name\": \"eno1\", \"mac\": \"3c:ec:ef:aa:10:01\", \"link\": true, \"properties\": { \"ID_NET_NAME_MAC\": \"enx3cecefaa1001\" } },"
        "    { \"name\": \"eno2\", \"mac\": \"3c:ec:ef:aa:10:02\", \"link\": false } ],"
        "  \"dmi\": { \"system_vendor\": \"ACME\", \"system_product\": \"Rack 1U\", \"system_serial\": \"SN-4711\","
        "           \"system_uuid\": \"4c4c4544-0042-3310-8057-b4c04f4d3332\" } }";

static const char *plan_json =
        "{ \"storage\": { \"filesystem\": \"ext4\", \"disks\": [ { \"name\": \"sda\" } ] },"
        "  \"network\": { \"interface\": \"eno1\", \"interface-on-target\": \"mgmt0\", \"cidr\": \"10.10.10.10/24\","
        "                \"interface-name-pinning\": { \"enabled\": true } },"
        "  \"system\": { \"fqdn\": \"node7.example.com\", \"reboot-mode\": \"power-off\" } }";

static const char *str(json_object *o, const char *path) {
        /* "a.b.c" */
        char buf[256];
        snprintf(buf, sizeof buf, "%s", path);
        json_object *cur = o;
        for (char *k = strtok(buf, "."); k && cur; k = strtok(NULL, "."))
                cur = json_get(cur, k);
        return cur && json_object_is_type(cur, json_type_string) ? json_object_get_string(cur) : NULL;
}

static json_object *at(json_object *o, const char *key, size_t i) {
        return json_array_at(json_get(o, key), i);
}

/* The installed target standing in under root, and its cpuinfo. */
static void make_target(void) {
        char path[600];
        const char *dirs[] = { "etc", "etc/ssh", "boot", NULL };
        for (const char **d = dirs; *d; d++) {
                snprintf(path, sizeof path, "%s/%s", root, *d);
                CHECK_INTEQ(mkdir(path, 0755), 0);
        }
        put_text("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        put_text("etc/debian_version", "13.1\n");
        put_text("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\n"
                                   "VERSION_ID=\"13\"\nVERSION_CODENAME=trixie\nID=debian\n");
        put_text("etc/ssh/ssh_host_ed25519_key.pub", "ssh-ed25519 AAAAC3NzaED root@node7\n");
        put_text("etc/ssh/ssh_host_ecdsa_key.pub", "ecdsa-sha2-nistp256 AAAAE2VjZHNh root@node7\n");
        put_text("etc/ssh/ssh_host_rsa_key.pub", "ssh-rsa AAAAB3NzaC1yc2E root@node7\n");
        /* Two kernels: version order picks 6.12.9 over 6.9.1 (not name order). */
        put_bzimage("boot/vmlinuz-6.9.1-amd64", "6.9.1-amd64 (x@y) #1 SMP old");
        put_bzimage("boot/vmlinuz-6.12.9-amd64", "6.12.9-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.12.9-1");
        /* 2 sockets x 2 cores x 2 threads. */
        char cpuinfo[4096] = "";
        for (int p = 0; p < 8; p++) {
                char one[400];
                snprintf(one, sizeof one, "processor\t: %d\nmodel name\t: Test CPU %s\nphysical id\t: %d\ncore id\t\t: %d\n"
                         "flags\t\t: fpu vme vmx lm\n\n", p, p == 0 ? "A" : "B", p / 4, (p / 2) % 2);
                strcat(cpuinfo, one);
        }
        put_text("cpuinfo", cpuinfo);
}

/* The install context of that target: its plan and hardware (free both). */
static InstallContext load_context(void) {
        Hardware *hw = NULL;
        char *err = NULL;
        json_object *hwj = json_tokener_parse(hw_json);
        CHECK_INTEQ(hardware_from_json(hwj, &hw, &err), 0);
        json_object_put(hwj);
        json_object *plan = json_tokener_parse(plan_json);
        CHECK(plan && hw);
        return (InstallContext) { .plan = plan, .hw = hw };
}

static void test_installed(void) {
        char path[600];
        make_target();
        InstallContext c = load_context();
        json_object *plan = c.plan;
        Hardware *hw = (Hardware *) c.hw;
        snprintf(path, sizeof path, "%s/cpuinfo", root);
        json_object *b = webhook_installed_body(&c, root, path);

        CHECK_STREQ(str(b, "$schema.version"), "1.2");
        CHECK_STREQ(str(b, "debian-version"), "13.1");
        CHECK(startswith(str(b, "product.fullname"), "forja "));
        CHECK_STREQ(str(b, "product.short"), "pve");
        CHECK(str(b, "product.version") != NULL);
        CHECK(str(b, "iso.release") != NULL);
        CHECK_STREQ(str(b, "kernel-version.sysname"), "Linux");
        CHECK_STREQ(str(b, "kernel-version.release"), "6.12.9-amd64");
        CHECK_STREQ(str(b, "kernel-version.version"), "#1 SMP PREEMPT_DYNAMIC Debian 6.12.9-1");
        CHECK(str(b, "kernel-version.machine") != NULL);
        CHECK_STREQ(str(b, "boot-info.mode"), "efi");
        CHECK(json_get_bool(json_get(b, "boot-info"), "secureboot"));
        json_object *cpu = json_get(b, "cpu-info");
        CHECK_INTEQ(json_get_int(cpu, "cpus"), 8);
        CHECK_INTEQ(json_get_int(cpu, "sockets"), 2);
        CHECK_INTEQ(json_get_int(cpu, "cores"), 4);
        CHECK(json_get_bool(cpu, "hvm"));
        CHECK_STREQ(str(cpu, "model"), "Test CPU A");
        CHECK_STREQ(str(cpu, "flags"), "fpu vme vmx lm");
        CHECK_STREQ(str(b, "dmi.system.serial"), "SN-4711");
        CHECK_STREQ(str(b, "dmi.system.uuid"), "4c4c4544-0042-3310-8057-b4c04f4d3332");
        CHECK_STREQ(str(b, "dmi.system.name"), "Rack 1U");
        CHECK_STREQ(str(b, "filesystem"), "ext4");
        CHECK_STREQ(str(b, "fqdn"), "node7.example.com");
        CHECK_STREQ(str(b, "machine-id"), "0123456789abcdef0123456789abcdef");
        CHECK_INTEQ(json_array_len(json_get(b, "disks")), 2);
        CHECK_INTEQ(json_get_int(at(b, "disks", 0), "size"), 480103981056LL);
        CHECK(json_get_bool(at(b, "disks", 0), "is-bootdisk"));
        CHECK(json_get(at(b, "disks", 1), "is-bootdisk") == NULL);
        CHECK_STREQ(str(at(b, "disks", 1), "udev-properties.ID_SERIAL"), "DISK_B");
        CHECK_INTEQ(json_array_len(json_get(b, "network-interfaces")), 2);
        json_object *n0 = at(b, "network-interfaces", 0), *n1 = at(b, "network-interfaces", 1);
        CHECK_STREQ(str(n0, "name"), "mgmt0");
        CHECK_STREQ(str(n0, "mac"), "3c:ec:ef:aa:10:01");
        CHECK_STREQ(str(n0, "address"), "10.10.10.10/24");
        CHECK(json_get_bool(n0, "is-management"));
        CHECK(json_get_bool(n0, "is-pinned"));
        CHECK_STREQ(str(n0, "udev-properties.ID_NET_NAME_MAC"), "enx3cecefaa1001");
        CHECK_STREQ(str(n1, "name"), "eno2");
        CHECK(json_get(n1, "address") == NULL && json_get(n1, "is-management") == NULL);
        CHECK_STREQ(str(b, "ssh-public-host-keys.ed25519"), "ssh-ed25519 AAAAC3NzaED root@node7");
        CHECK_STREQ(str(b, "ssh-public-host-keys.ecdsa"), "ecdsa-sha2-nistp256 AAAAE2VjZHNh root@node7");
        CHECK_STREQ(str(b, "ssh-public-host-keys.rsa"), "ssh-rsa AAAAB3NzaC1yc2E root@node7");
        CHECK_STREQ(str(b, "reboot-mode"), "power-off");
        CHECK_STREQ(str(b, "forja.event"), "succeeded");
        CHECK_STREQ(str(b, "forja.os-release.ID"), "debian");
        CHECK_STREQ(str(b, "forja.os-release.VERSION_ID"), "13");
        CHECK_STREQ(str(b, "forja.os-release.VERSION_CODENAME"), "trixie");
        CHECK_STREQ(str(b, "forja.os-release.PRETTY_NAME"), "Debian GNU/Linux 13 (trixie)");
        json_object_put(b);

        /* A target without those files: the fields are left out, not invented. */
        b = webhook_installed_body(&c, "/nonexistent", path);
        CHECK(json_get(b, "machine-id") == NULL);
        CHECK(json_get(b, "kernel-version") == NULL);
        CHECK(json_get(json_get(b, "ssh-public-host-keys"), "rsa") == NULL);
        CHECK_STREQ(str(b, "fqdn"), "node7.example.com");
        json_object_put(b);

        /* The failed event. */
        char *tail[] = { "first line", "error: second line", NULL };
        b = webhook_event_body(&c, INSTALL_EVENT_FAILED, STAGE_STORAGE, "mkfs.ext4 failed", tail);
        CHECK_STREQ(str(b, "forja.event"), "failed");
        CHECK_STREQ(str(b, "forja.stage"), "storage");
        CHECK_STREQ(str(b, "forja.error"), "mkfs.ext4 failed");
        CHECK(json_get_bool(json_get(b, "forja"), "disks-written"));
        CHECK_INTEQ(json_array_len(json_get(json_get(b, "forja"), "log-tail")), 2);
        CHECK_STREQ(json_object_get_string(json_array_at(json_get(json_get(b, "forja"), "log-tail"), 1)), "error: second line");
        CHECK_STREQ(str(b, "fqdn"), "node7.example.com");
        json_object_put(b);
        b = webhook_event_body(&c, INSTALL_EVENT_STARTED, STAGE_CHECK, NULL, NULL);
        CHECK_STREQ(str(b, "forja.event"), "started");
        CHECK(json_get(json_get(b, "forja"), "stage") == NULL);
        json_object_put(b);

        json_object_put(plan);
        hardware_free(hw);
}

/* The log tail a failed report carries: the last n lines, oldest first,
 * secrets masked, INFO kept even when stderr shows less. */
static void test_log_tail(void) {
        log_set_max_level(LOG_LEVEL_WARNING);
        CHECK_INTEQ(log_keep_tail(3), 0);
        log_register_secret("hunter2-secret");
        log_info("line 1");
        log_info("line 2");
        log_warning("line 3 says hunter2-secret");
        log_debug("debug lines are not kept");
        log_error("line 4");
        char **t = log_get_tail();
        CHECK(t && t[0] && t[1] && t[2] && !t[3]);
        CHECK_STREQ(t[0], "line 2");
        CHECK_STREQ(t[1], "warning: line 3 says <redacted>");
        CHECK_STREQ(t[2], "error: line 4");
        strv_free(t);
        /* The same size again keeps what is there; 0 stops keeping. */
        CHECK_INTEQ(log_keep_tail(3), 0);
        t = log_get_tail();
        CHECK(t && t[2] && streq(t[2], "error: line 4"));
        strv_free(t);
        CHECK_INTEQ(log_keep_tail(0), 0);
        t = log_get_tail();
        CHECK(t && !t[0]);
        strv_free(t);
        log_forget_secrets();
        log_set_max_level(LOG_LEVEL_INFO);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

/* --send URL FINGERPRINT TOKEN: delivers a "started" report and the
 * post-installation report of the target above to URL as an install would
 * (fingerprint "-" for none), for tests/answers/test-pdm-fields.sh. */
static int send_reports(char *argv[]) {
        char path[600];
        char *err = NULL;
        make_target();
        InstallContext c = load_context();
        Webhook w = { .url = argv[2], .fingerprint = streq(argv[3], "-") ? NULL : argv[3], .token = argv[4] };
        snprintf(path, sizeof path, "%s/cpuinfo", root);
        json_object *bodies[] = { webhook_event_body(&c, INSTALL_EVENT_STARTED, STAGE_CHECK, NULL, NULL),
                                  webhook_installed_body(&c, root, path) };
        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                CHECK_INTEQ(webhook_send(&w, bodies[i], &err), 0);
                json_object_put(bodies[i]);
        }
        json_object_put(c.plan);
        hardware_free((Hardware *) c.hw);
        return 0;
}

int main(int argc, char *argv[]) {
        CHECK(mkdtemp(root) != NULL);
        if (argc == 5 && streq(argv[1], "--send"))
                send_reports(argv);
        else {
                test_installed();
                test_log_tail();
        }
        CHECK_INTEQ(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
        return test_result();
}
