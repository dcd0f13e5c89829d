/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the answer file pieces that need no fixtures: the udev glob
 * matcher, single-value checks, the Proxmox size formulas (expected values
 * computed by hand from the reference formulas, see the comments), and schema
 * rules on small answer files. */

#include <math.h>

#include "answer-check.h"
#include "answer.h"
#include "layout.h"
#include "log.h"
#include "plan.h"
#include "testlib.h"
#include "udev-glob.h"

static void test_glob(void) {
        CHECK(udev_glob_match("*MZ7KM240HAGR*", "SAMSUNG_MZ7KM240HAGR-00005_S2HRNX0J403550"));
        CHECK(!udev_glob_match("*MZ7KM240HAGR*", "Micron_9300_MTFDHAL3T2TDR_19502596FC74"));
        CHECK(udev_glob_match("Micron_9300*", "Micron_9300_MTFDHAL3T2TDR"));
        CHECK(udev_glob_match("*a0369f0ab382", "enxa0369f0ab382"));
        CHECK(!udev_glob_match("*a0369f0ab382", "enxa0369f0ab383"));
        CHECK(udev_glob_match("eno1", "eno1"));
        CHECK(!udev_glob_match("eno1", "eno10"));
        CHECK(!udev_glob_match("eno", "eno1"));
        CHECK(udev_glob_match("en?1", "eno1"));
        CHECK(!udev_glob_match("en?1", "en1"));
        CHECK(udev_glob_match("sd[a-c]", "sdb"));
        CHECK(!udev_glob_match("sd[a-c]", "sdd"));
        CHECK(udev_glob_match("sd[!a-c]", "sdd"));
        CHECK(!udev_glob_match("sd[!a-c]", "sda"));
        CHECK(udev_glob_match("x[*]y", "x*y"));
        CHECK(!udev_glob_match("x[*]y", "xzy"));
        CHECK(udev_glob_match("[]]", "]"));
        CHECK(udev_glob_match("a[-b]", "a-"));
        CHECK(udev_glob_match("*", ""));
        CHECK(udev_glob_match("*S2HRNX0J4033*", "SAMSUNG_MZ7KM240HAGR-00005_S2HRNX0J403335"));
        CHECK(!udev_glob_match("abc", "ABC"));                 /* case-sensitive */
        CHECK(udev_glob_match("a\\b", "a\\b"));                /* no backslash escapes */
        CHECK(udev_glob_check("sd[abc") != NULL);
        CHECK(udev_glob_check("a***") != NULL);
        CHECK(udev_glob_check("a**") != NULL);
        CHECK(udev_glob_check("**") == NULL);
        CHECK(udev_glob_check("*MZ7*") == NULL);

        HwProperty props[] = { { (char *) "ID_SERIAL", (char *) "SAMSUNG_X_S2HRNX0J403419" },
                               { (char *) "ID_BUS", (char *) "ata" } };
        AnswerFilter items[] = { { (char *) "ID_SERIAL", (char *) "*S2HRNX*" }, { (char *) "ID_MODEL", (char *) "*" } };
        AnswerFilters f = { items, 2 };
        CHECK(udev_filter_matches(&f, ANSWER_FILTER_ANY, props, 2));
        /* a property the device lacks does not match, also with "all" */
        CHECK(!udev_filter_matches(&f, ANSWER_FILTER_ALL, props, 2));
        items[1].key = (char *) "ID_BUS";
        CHECK(udev_filter_matches(&f, ANSWER_FILTER_ALL, props, 2));
        items[1].glob = (char *) "usb";
        CHECK(!udev_filter_matches(&f, ANSWER_FILTER_ALL, props, 2));
        CHECK(udev_filter_matches(&f, ANSWER_FILTER_ANY, props, 2));
}

static void test_checks(void) {
        IpAddress a;
        unsigned prefix;
        char mac[18], buf[32];

        CHECK(!check_cidr("192.168.1.114/24", &a, &prefix) && prefix == 24);
        CHECK(check_cidr("10.10.10.10/33", NULL, NULL));
        CHECK(check_cidr("10.0.0.0/24", NULL, NULL));          /* network address */
        CHECK(check_cidr("10.0.0.255/24", NULL, NULL));        /* broadcast */
        CHECK(!check_cidr("10.0.0.0/31", NULL, NULL));         /* point-to-point */
        CHECK(!check_cidr("2001:db8::10/64", &a, &prefix) && prefix == 64);
        CHECK(check_cidr("2001:db8::10/129", NULL, NULL));
        CHECK(check_cidr("10.0.0.1", NULL, NULL));
        CHECK(check_cidr("10.0.0.1/", NULL, NULL));
        CHECK(check_cidr("10.0.0.1/2x", NULL, NULL));
        CHECK(check_cidr("300.0.0.1/8", NULL, NULL));
        CHECK(!check_fqdn("pveauto.testinstall"));
        CHECK(check_fqdn("foobar"));
        CHECK(check_fqdn("123.example.com"));
        CHECK(!check_fqdn("123foo.example.com"));
        CHECK(check_fqdn("-foo.example.com"));
        CHECK(check_fqdn("foo_bar.example.com"));
        CHECK(!check_email("mail@no.invalid"));
        CHECK(check_email("mail@example.invalid"));             /* the installer's placeholder */
        CHECK(check_email("no-at-sign"));
        CHECK(!check_mac("24:8A:07:1E:05:BC", mac));
        CHECK_STREQ(mac, "24:8a:07:1e:05:bc");
        CHECK(check_mac("24-8a-07-1e-05-bc", mac));
        CHECK(!check_ifname("mgmt"));
        CHECK(check_ifname("waytoolonginterfacename"));
        CHECK(check_ifname("0eth"));
        CHECK(check_ifname("nic-1"));
        CHECK(!check_url("https://deploy.example.com/x"));
        CHECK(check_url("ftp://x"));
        CHECK(!check_fingerprint("9A:4E:2F:15:6C:61:8B:2D:4A:C9:5E:0B:9E:42:7E:9F:6C:2A:5D:CD:2E:8F:5B:A1:15:DB:61:93:0C:39:B4:66"));
        CHECK(check_fingerprint("9A:4E"));
        CHECK_STREQ(format_number(16, buf), "16");
        CHECK_STREQ(format_number(16.01, buf), "16.01");
        CHECK_STREQ(format_number(0.5, buf), "0.5");
}

static void test_layout(void) {
        BootDiskLayout l;
        LvmLayout v;
        uint64_t swap;

        /* sda of the fixture machine, 468862128 sectors, RAM 257597 MiB:
         * disk 234431064 KiB > 100 GiB -> ESP 1024 MiB; os = 234431064 - 1025*1024 = 233381464;
         * swap: hdgb 222, RAM capped at hdgb*128 = 28416, then at 8192 MiB -> 8388608 KiB;
         * root: rest_mb 219719 -> 219719/4 + 12288 = 67217.75 MiB -> 68830976 & ~0xFFF = 68829184;
         * minfree 16 GiB (hdgb > 128); data (224992856-68829184-16777216) & ~0xFFF = 139382784,
         * metadata int(1393827.84) & ~0xFFF = 1392640, data - 2*meta - 4096 = 136593408. */
        CHECK(layout_boot_disk(468862128ULL * 512, 512, NAN, 0, &l) == 0);
        CHECK(l.bios_boot);
        CHECK_INTEQ(l.esp_start, 1048576);
        CHECK_INTEQ(l.esp_size, 1024ULL << 20);
        CHECK_INTEQ(l.os_start, 1025ULL << 20);
        CHECK_INTEQ(l.os_end, (468862128ULL - 33) * 512);
        CHECK(!l.restricted);
        CHECK_INTEQ(l.hd_gib, 223);
        CHECK_INTEQ(l.os_size_kib, 233381464);
        swap = layout_swap_kib(l.os_size_kib, 257597, NAN);
        CHECK_INTEQ(swap, 8388608);
        CHECK(layout_lvm(l.os_size_kib, swap, NAN, NAN, NAN, &v) == 0);
        CHECK_INTEQ(v.root_kib, 68829184);
        CHECK_INTEQ(v.minfree_kib, 16777216);
        CHECK(v.data);
        CHECK_INTEQ(v.data_metadata_kib, 1392640);
        CHECK_INTEQ(v.data_kib, 136593408);

        /* swapsize 4, maxroot 20, minfree 32, maxvz 100 on the same disk:
         * rest 229187160, root capped at 20 GiB = 20971520; rest 208215640 - 33554432 -> 174657536;
         * maxvz 104857600 <= rest -> data 104857600 - 2*1048576 - 4096 = 102756352. */
        swap = layout_swap_kib(l.os_size_kib, 257597, 4);
        CHECK_INTEQ(swap, 4194304);
        CHECK(layout_lvm(l.os_size_kib, swap, 20, 32, 100, &v) == 0);
        CHECK_INTEQ(v.root_kib, 20971520);
        CHECK_INTEQ(v.minfree_kib, 33554432);
        CHECK_INTEQ(v.data_metadata_kib, 1048576);
        CHECK_INTEQ(v.data_kib, 102756352);

        /* 32 GiB disk, 2048 MiB RAM: ESP 512 MiB, os 33554432 - 513*1024 = 33029120; swap 2048 MiB;
         * rest_mb 30206 in [12 GiB, 48 GiB) -> int(30206/2) & ~3 = 15100 MiB = 15462400 KiB;
         * minfree 4 MiB (hdgb 31 <= 32); data 15462400 -> meta 1 GiB -> 15462400 - 2097152 - 4096. */
        CHECK(layout_boot_disk(32ULL << 30, 512, NAN, 0, &l) == 0);
        CHECK_INTEQ(l.esp_size, 512ULL << 20);
        CHECK_INTEQ(l.os_size_kib, 33029120);
        swap = layout_swap_kib(l.os_size_kib, 2048, NAN);
        CHECK_INTEQ(swap, 2097152);
        CHECK(layout_lvm(l.os_size_kib, swap, NAN, NAN, NAN, &v) == 0);
        CHECK_INTEQ(v.root_kib, 15462400);
        CHECK_INTEQ(v.minfree_kib, 4096);
        CHECK_INTEQ(v.data_kib, 13361152);

        /* 8 GiB disk, 1024 MiB RAM: os 7863296, hdgb 7, swap capped at 7*128 = 896 MiB = 917504;
         * rest_mb 6783 < 12 GiB -> (6783-4) & ~3 = 6776 MiB; nothing left for a data pool. */
        CHECK(layout_boot_disk(8ULL << 30, 512, NAN, 0, &l) == 0);
        CHECK_INTEQ(l.hd_gib, 8);
        swap = layout_swap_kib(l.os_size_kib, 1024, NAN);
        CHECK_INTEQ(swap, 917504);
        CHECK(layout_lvm(l.os_size_kib, swap, NAN, NAN, NAN, &v) == 0);
        CHECK_INTEQ(v.root_kib, 6776 * 1024);
        CHECK(!v.data);

        /* hdsize 32 on the 223 GiB disk: the ESP stays 1 GiB; the Proxmox
         * installer runs "sgdisk -n3:1025M:32768M", and sgdisk takes an end
         * of N MiB as the sector at N MiB, inclusive (sgdisk 1.0.9 on a
         * 100 GiB image with hdsize 50: partition 3 ends on sector 104857600),
         * so the partition ends one sector after 32768 MiB. */
        CHECK(layout_boot_disk(468862128ULL * 512, 512, 32, 0, &l) == 0);
        CHECK(l.restricted);
        CHECK_INTEQ(l.os_end, (32768ULL << 20) + 512);
        CHECK_INTEQ(l.os_end / 512 - 1, 32768ULL * 2048);
        CHECK_INTEQ(l.esp_size, 1024ULL << 20);
        CHECK_INTEQ(l.os_size_kib, 33554432 - 1025 * 1024);
        CHECK_INTEQ(l.hd_gib, 32);

        /* a 4Kn disk: no BIOS boot partition; the GPT backup takes 6 sectors */
        CHECK(layout_boot_disk(6251233968ULL * 512, 4096, NAN, 0, &l) == 0);
        CHECK(!l.bios_boot);
        CHECK_INTEQ(l.os_end, (6251233968ULL * 512 / 4096 - 5) * 4096);

        /* hdsize 1000 on that 4Kn disk: the end is the 4096-byte sector at
         * 1024000 MiB, inclusive (sgdisk on a loop device with 4096-byte
         * sectors, hdsize 50: partition 3 ends on sector 51200 * 256) */
        CHECK(layout_boot_disk(6251233968ULL * 512, 4096, 1000, 0, &l) == 0);
        CHECK(l.restricted);
        CHECK_INTEQ(l.os_end, (1024000ULL << 20) + 4096);
        CHECK_INTEQ(l.os_end / 4096 - 1, 1024000ULL * 256);
        CHECK_INTEQ(l.os_start / 4096, 1025ULL * 256);

        /* hdsize 100 on a disk of 100 GiB + 20 KiB: the sector at 102400 MiB
         * is the last usable one (209715240 sectors, 33 for the backup GPT),
         * so it is the end. With 10 KiB instead, that sector is past the
         * last usable one: sgdisk refuses ("Could not create partition 3"),
         * and the partition ends where the whole-disk one would. */
        CHECK(layout_boot_disk((100ULL << 30) + 20480, 512, 100, 0, &l) == 0);
        CHECK(l.restricted);
        CHECK_INTEQ(l.os_end / 512 - 1, 209715200);
        CHECK(layout_boot_disk((100ULL << 30) + 10240, 512, 100, 0, &l) == 0);
        CHECK(l.restricted);
        CHECK_INTEQ(l.os_end / 512, 209715220 - 33);
        CHECK_INTEQ(l.os_size_kib, 100ULL * 1024 * 1024 - 1025 * 1024);      /* ESP 1 GiB: the disk is over 100 GiB */

        /* Thin-pool metadata at LVM's limit. lvm2 2.03.31 (trixie) reduces a
         * --poolmetadatasize over the kernel's maximum (<15.88 GiB) to that
         * maximum rounded up to whole 4 MiB extents, 16650240 KiB (4065
         * extents), and gives the spare the same size (measured with
         * lvcreate --type thin-pool in the installer kernel: 16777216k and
         * 16650240k give 16650240 KiB, 16646144k and less stay). The data volume
         * keeps the Proxmox size, computed from the requested metadata.
         * Whole disk, RAM 257597 MiB (swap 8 GiB, root 96 GiB, minfree 16 GiB):
         * 1750304 MiB: os 1791261696, data share 1665429504, 1 % = 16654295
         * -> 16650240 after the 4 MiB alignment: what LVM makes. */
        CHECK(layout_boot_disk(1750304ULL << 20, 512, NAN, 0, &l) == 0);
        CHECK_INTEQ(l.os_size_kib, 1791261696);
        swap = layout_swap_kib(l.os_size_kib, 257597, NAN);
        CHECK(layout_lvm(l.os_size_kib, swap, NAN, NAN, NAN, &v) == 0);
        CHECK_INTEQ(v.data_metadata_kib, 16650240);
        CHECK_INTEQ(v.data_kib, 1665429504 - 2 * 16650240 - 4096);
        /* one MiB more: data share 1665433600, 1 % = 16654336 (4066 extents),
         * which LVM caps to 16650240; the data volume is 1665433600 - 2 *
         * 16654336 - 4096 as the Proxmox installer computes it */
        CHECK(layout_boot_disk(1750305ULL << 20, 512, NAN, 0, &l) == 0);
        swap = layout_swap_kib(l.os_size_kib, 257597, NAN);
        CHECK(layout_lvm(l.os_size_kib, swap, NAN, NAN, NAN, &v) == 0);
        CHECK_INTEQ(v.data_metadata_kib, 16650240);
        CHECK_INTEQ(v.data_kib, 1665433600 - 2 * 16654336 - 4096);
        /* 2 TiB: os 2146434048, data share 2020601856, 1 % capped at 16 GiB
         * by the Proxmox formula, at 16650240 KiB by LVM */
        CHECK(layout_boot_disk(2ULL << 40, 512, NAN, 0, &l) == 0);
        CHECK_INTEQ(l.os_size_kib, 2146434048);
        CHECK_INTEQ(l.os_end / 512, (1ULL << 32) - 33);
        swap = layout_swap_kib(l.os_size_kib, 257597, NAN);
        CHECK(layout_lvm(l.os_size_kib, swap, NAN, NAN, NAN, &v) == 0);
        CHECK_INTEQ(v.root_kib, 100663296);
        CHECK_INTEQ(v.data_metadata_kib, 16650240);
        CHECK_INTEQ(v.data_metadata_request_kib, 16777216);
        CHECK_INTEQ(v.data_kib, 2020601856 - 2 * 16777216 - 4096);
        /* its volume group: the PV is (2^32 - 33) sectors - 1025 MiB, 1 MiB
         * pe_start, 524031 extents; swap + root + data + 2 x metadata */
        VgLayout g;
        layout_vg((((1ULL << 32) - 33) * 512) - (1025ULL << 20), &v, &g);
        CHECK_INTEQ(g.size_bytes, 524031ULL * 4194304);
        CHECK_INTEQ(g.used_bytes, (8388608ULL + 100663296 + 1987043328 + 2 * 16650240) * 1024);
        CHECK_INTEQ(g.free_bytes, 17444110336ULL);

        /* lvm2's metadata limit: 255 * 16320 blocks of 4 KiB = 16646400 KiB,
         * rounded up to 4 MiB extents: 16646144 (4064 extents) stays, over it
         * everything gives 16650240 (4065 extents) */
        CHECK_INTEQ(LAYOUT_THIN_METADATA_MAX_KIB, 16646400);
        CHECK_INTEQ(layout_thin_metadata_kib(16646144, 4096), 16646144);
        CHECK_INTEQ(layout_thin_metadata_kib(16646400, 4096), 16650240);
        CHECK_INTEQ(layout_thin_metadata_kib(16650240, 4096), 16650240);
        CHECK_INTEQ(layout_thin_metadata_kib(16654336, 4096), 16650240);
        CHECK_INTEQ(layout_thin_metadata_kib(16777216, 4096), 16650240);
        CHECK_INTEQ(layout_thin_metadata_kib(1048576, 4096), 1048576);
        CHECK_INTEQ(layout_thin_metadata_kib(1048577, 4096), 1052672);

        /* chunk size: 64 KiB below 266342400 chunks of it (16646400 KiB of
         * metadata / 64 bytes: <15.88 TiB), then doubled. lvm2 2.03.31 made
         * a 64 KiB pool of 17045655552 KiB and refused one of 17091788800 KiB
         * (16300 GiB, the chunk size lvm2 itself picked for it). */
        CHECK_INTEQ(v.data_chunk_kib, 64);
        CHECK_INTEQ(LAYOUT_THIN_MAX_CHUNKS, 266342400);
        CHECK_INTEQ(layout_thin_chunk_kib(17045655552ULL), 64);
        CHECK_INTEQ(layout_thin_chunk_kib(266342400ULL * 64 - 4096), 64);
        CHECK_INTEQ(layout_thin_chunk_kib(266342400ULL * 64), 128);
        CHECK_INTEQ(layout_thin_chunk_kib(17091788800ULL), 128);
        CHECK_INTEQ(layout_thin_chunk_kib(266342400ULL * 128), 256);
        /* a whole 18 TiB disk: data 19166912512 KiB (17.85 TiB), 128 KiB chunks */
        CHECK(layout_boot_disk(18ULL << 40, 512, NAN, 0, &l) == 0);
        swap = layout_swap_kib(l.os_size_kib, 257597, NAN);
        CHECK(layout_lvm(l.os_size_kib, swap, NAN, NAN, NAN, &v) == 0);
        CHECK_INTEQ(v.data_metadata_kib, 16650240);
        CHECK_INTEQ(v.data_kib, 19166912512ULL);
        CHECK_INTEQ(v.data_chunk_kib, 128);

        /* volumes that do not fit: no free space, used over size */
        LvmLayout big = { .root_kib = 8ULL << 20 };
        layout_vg(4ULL << 30, &big, &g);
        CHECK(g.used_bytes > g.size_bytes);
        CHECK_INTEQ(g.free_bytes, 0);

        /* 1.5 GiB: under the 2 GiB hard limit */
        CHECK(layout_boot_disk(1536ULL << 20, 512, NAN, 0, &l) == 0);
        CHECK_INTEQ(l.hd_gib, 1);

        CHECK_INTEQ(layout_zfs_arc_max_default_mib(257597), 16384);
        CHECK_INTEQ(layout_zfs_arc_max_default_mib(8192), 819);
        CHECK_INTEQ(layout_zfs_arc_max_default_mib(512), 64);
}

static const char base[] =
        "[global]\nkeyboard = \"de\"\ncountry = \"at\"\nfqdn = \"a.example.com\"\nmailto = \"a@example.com\"\n"
        "timezone = \"UTC\"\nroot-password = \"supersecretpw\"\n\n[network]\nsource = \"from-dhcp\"\n\n"
        "[disk-setup]\nfilesystem = \"ext4\"\ndisk-list = [\"sda\"]\n";

/* Parses base + extra; returns 0 or -EINVAL; *ret_diags holds the findings. */
static int parse_with(const char *extra, AnswerDiags *d, Answer **ret) {
        _cleanup_free_ char *s = NULL;
        CHECK(asprintf(&s, "%s%s", base, extra) > 0);
        return answer_parse(s, strlen(s), ret, d);
}

static void expect_error(const char *extra, const char *key, const char *needle) {
        _cleanup_(answer_diags_done) AnswerDiags d = {};
        _cleanup_answer_ Answer *a = NULL;
        CHECK_INTEQ(parse_with(extra, &d, &a), -EINVAL);
        const AnswerDiag *e = answer_diags_find(&d, key);
        if (!e || !strstr(e->message, needle)) {
                fprintf(stderr, "expected an error about %s containing '%s' for:\n%s\nfindings:\n", key, needle, extra);
                answer_diags_print(stderr, "answer", &d);
        }
        CHECK(e && strstr(e->message, needle));
}

static void test_schema(void) {
        _cleanup_(answer_diags_done) AnswerDiags d = {};
        _cleanup_answer_ Answer *a = NULL;

        CHECK_INTEQ(parse_with("", &d, &a), 0);
        CHECK_INTEQ(d.n, 0);
        CHECK(a && a->global.root_password && streq(a->global.root_password, "supersecretpw"));
        CHECK(a && isnan(a->disks.hdsize) && a->disks.raid == ANSWER_RAID_NONE && !a->cluster.set);
        /* secrets are registered as soon as they are parsed */
        _cleanup_free_ char *red = log_redact("pw=supersecretpw");
        CHECK(red && !strstr(red, "supersecretpw"));

        expect_error("[foo]\nx = 1\n", "foo", "unknown section");
        expect_error("[cluster]\nmode = \"join\"\n", "cluster.token", "is required with mode = \"join\"");
        expect_error("[cluster]\ntoken = \"abc\"\n", "cluster.token", "only used with mode = \"join\"");
        expect_error("[cluster]\nmode = \"federate\"\n", "cluster.mode", "allowed: standalone, bootstrap, join");
        expect_error("[cluster]\nmode = \"bootstrap\"\naddress = \"10.0.0.1:99999\"\n", "cluster.address", "invalid port");
        expect_error("[cluster]\nmode = \"bootstrap\"\naddress = \"10.0.0.1:80:90\"\n", "cluster.address", "brackets");
        expect_error("[cluster]\nmode = \"bootstrap\"\nnetwork.mode = \"mesh\"\n", "cluster.network.mode", "allowed: none, bridge, managed");
        expect_error("[cluster]\nmode = \"bootstrap\"\nstorage.size = \"1G\"\n", "cluster.storage.size", "unknown key");
        expect_error("[cluster]\nmode = \"bootstrap\"\ncheck-guests = \"yes\"\n", "cluster.check-guests", "expected a bool, got a string");
        {
                _cleanup_(answer_diags_done) AnswerDiags d2 = {};
                _cleanup_answer_ Answer *a2 = NULL;
                CHECK_INTEQ(parse_with("[cluster]\nmode = \"bootstrap\"\naddress = \"[2001:db8::7]:8443\"\n"
                                       "storage = { driver = \"lvm\", config = { \"lvm.vg_name\" = \"pve\" } }\n"
                                       "network = { mode = \"bridge\", name = \"vmbr0\" }\n", &d2, &a2), 0);
                CHECK(a2 && a2->cluster.storage.config.n == 1 && streq(a2->cluster.storage.config.items[0].value, "pve"));
                CHECK(a2 && streq_ptr(a2->cluster.network.name, "vmbr0") && streq_ptr(a2->cluster.address, "[2001:db8::7]:8443"));
                CHECK(a2 && !a2->cluster.check_guests);   /* off by default: the check takes minutes */
        }
        {
                _cleanup_(answer_diags_done) AnswerDiags d2 = {};
                _cleanup_answer_ Answer *a2 = NULL;
                CHECK_INTEQ(parse_with("[cluster]\nmode = \"bootstrap\"\ncheck-guests = true\n", &d2, &a2), 0);
                CHECK(a2 && a2->cluster.check_guests);
        }
        expect_error("[first-boot]\nsource = \"from-url\"\n", "first-boot.url", "none specified");
        expect_error("[first-boot]\nordering = \"fully-up\"\n", "first-boot.source", "is required");
        expect_error("[post-installation-webhook]\nurl = \"ftp://x\"\n", "post-installation-webhook.url", "http");
        expect_error("[checks]\nwaive = [\"IOMMU!\"]\n", "checks.waive", "check id 'IOMMU!'");
}

static void test_schema_disks(void) {
        static const struct {
                const char *disks, *key, *needle;
        } cases[] = {
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nzfs.raid = \"raid1\"\n", "disk-setup.zfs", "make sure only 'lvm' options are set" },
                { "filesystem = \"zfs\"\ndisk-list = [\"sda\"]\n", "disk-setup.zfs.raid", "must be set" },
                { "filesystem = \"zfs\"\ndisk-list = [\"sda\", \"sdb\", \"sdc\"]\nzfs.raid = \"Raidz-1\"\n", "disk-setup.zfs.raid", "is not allowed" },
                { "filesystem = \"zfs\"\ndisk-list = [\"a\", \"b\", \"c\", \"d\", \"e\"]\nzfs.raid = \"raid10\"\n", "disk-setup.disk-list", "even number" },
                { "filesystem = \"zfs\"\ndisk-list = [\"sda\"]\nzfs.raid = \"raid0\"\nzfs.ashift = 8\n", "disk-setup.zfs.ashift", "between 9 and 16" },
                { "filesystem = \"zfs\"\ndisk-list = [\"sda\"]\nzfs.raid = \"raid0\"\nraid = \"raid1\"\n", "disk-setup.raid", "use zfs.raid" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\", \"sdb\"]\n", "disk-setup.disk-list", "only one disk for ext4 and xfs" },
                { "filesystem = \"xfs\"\ndisk-list = [\"sda\"]\nraid = \"raid1\"\n", "disk-setup.disk-list", "Linux software RAID1 needs at least 2 disks, got 1" },
                { "filesystem = \"xfs\"\ndisk-list = [\"sda\", \"sdb\"]\nraid = \"raid5\"\n", "disk-setup.raid", "allowed: raid1" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nencrypt = true\n", "disk-setup.encrypt-passphrase", "is required" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nencrypt = true\nencrypt-passphrase = \"short\"\n", "disk-setup.encrypt-passphrase", "at least 8" },
                { "filesystem = \"btrfs\"\ndisk-list = [\"sda\"]\nbtrfs.raid = \"raid0\"\nencrypt = true\nencrypt-passphrase = \"long enough\"\n", "disk-setup.encrypt", "not with btrfs" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nencrypt-tpm2 = true\nencrypt-recovery-key = [\"tty1\"]\n", "disk-setup.encrypt-tpm2", "needs encrypt = true" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nencrypt = true\nencrypt-passphrase = \"long enough\"\nencrypt-tpm2 = true\nencrypt-recovery-key = [\"serial\"]\n", "disk-setup.encrypt-recovery-key", "'serial' is not allowed (allowed: webhook, tty1)" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nencrypt = true\nencrypt-passphrase = \"long enough\"\nencrypt-tpm2 = true\nencrypt-recovery-key = []\n", "disk-setup.encrypt-recovery-key", "cannot be empty" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nexisting-data = \"keep\"\n", "disk-setup.existing-data", "allowed: wipe, refuse" },
                { "filesystem = \"ext4\"\nfilter.ID_SERIAL = \"x\"\ndisk-list = [\"sda\"]\n", "disk-setup.filter", "Cannot use both" },
                { "filesystem = \"ext4\"\n", "disk-setup.disk-list", "Need either 'disk-list' or 'filter' set" },
                { "filesystem = \"ext4\"\nfilter.ID_SERIAL = \"[x\"\n", "disk-setup.filter.ID_SERIAL", "invalid glob" },
                { "filesystem = \"ext4\"\nfilter.ID_SERIAL = \"x\"\nfilter-match = \"some\"\n", "disk-setup.filter-match", "allowed: any, all" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nlvm.hdsize = 1\n", "disk-setup.lvm.hdsize", "at least 2" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nlvm.maxroot = \"big\"\n", "disk-setup.lvm.maxroot", "expected a number, got a string" },
                { "filesystem = \"ext4\"\ndisk-list = [\"sda\"]\nlvm = { swapsize = 4, maxswap = 2 }\n", "disk-setup.lvm.maxswap", "unknown key in [disk-setup.lvm]" },
                { "disk-list = [\"sda\"]\n", "disk-setup.filesystem", "is required" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *s = NULL;
                const char *g = strstr(base, "[disk-setup]");
                CHECK(asprintf(&s, "%.*s[disk-setup]\n%s", (int) (g - base), base, cases[i].disks) > 0);
                _cleanup_(answer_diags_done) AnswerDiags d = {};
                _cleanup_answer_ Answer *a = NULL;
                CHECK_INTEQ(answer_parse(s, strlen(s), &a, &d), -EINVAL);
                const AnswerDiag *e = answer_diags_find(&d, cases[i].key);
                if (!e || !strstr(e->message, cases[i].needle)) {
                        fprintf(stderr, "case %zu: expected %s: ...%s...; got:\n", i, cases[i].key, cases[i].needle);
                        answer_diags_print(stderr, "answer", &d);
                }
                CHECK(e && strstr(e->message, cases[i].needle));
        }
}

static void test_schema_global(void) {
        static const struct {
                const char *from, *to, *key, *needle;
        } cases[] = {
                { "fqdn = \"a.example.com\"", "fqdn = { source = \"from-dhcp\", domain = \"\" }", NULL, NULL },
                { "fqdn = \"a.example.com\"", "fqdn = { source = \"from-dhcp\", domain = \"example.org\" }", NULL, NULL },
                { "fqdn = \"a.example.com\"", "fqdn = { source = \"from-answer\" }", "global.fqdn.source", "allowed: from-dhcp" },
                { "fqdn = \"a.example.com\"", "fqdn = 42", "global.fqdn", "expected a fully qualified domain name" },
                { "root-password = \"supersecretpw\"", "root-password = \"supersecretpw\"\nroot_password = \"x\"", "global.root-password", "given twice" },
                { "timezone = \"UTC\"", "timezone = \"Europe/Vienna\"", NULL, NULL },
                { "timezone = \"UTC\"", "timezone = \"Europe/Atlantis\"", "global.timezone", "is not valid" },
                { "country = \"at\"", "country = \"xx\"", "global.country", "is not valid" },
                { "mailto = \"a@example.com\"", "mailto = \"a@example.com\"\nreboot-on-error = \"yes\"", "global.reboot-on-error", "expected a bool" },
                { "mailto = \"a@example.com\"", "mailto = \"a@example.com\"\nreboot-mode = \"halt\"", "global.reboot-mode", "allowed: reboot, power-off" },
                { "mailto = \"a@example.com\"", "mailto = \"a@example.com\"\nroot-ssh-keys = [\"\"]", "global.root-ssh-keys[0]", "cannot be empty" },
                { "source = \"from-dhcp\"", "source = \"from-dhcp\"\ndns = \"1.1.1.1\"", "network.dns", "not supported for 'from-dhcp'" },
                { "source = \"from-dhcp\"", "source = \"from-answer\"\ncidr = \"10.0.0.2/24\"\ndns = \"10.0.0.1\"\ngateway = \"10.0.0.1\"", "network.filter", "is required" },
                { "source = \"from-dhcp\"", "source = \"from-answer\"\ncidr = \"10.0.0.2/24\"\ndns = \"10.0.0.1\"\ngateway = \"fe80::1\"\nfilter.ID_NET_NAME = \"eno1\"", "network.gateway", "same IP family" },
                { "source = \"from-dhcp\"", "source = \"from-dhcp\"\ninterface-name-pinning.mapping = { \"aa:bb:cc:dd:ee:ff\" = \"x\" }", "network.interface-name-pinning", "needs 'enabled" },
                { "source = \"from-dhcp\"", "source = \"from-dhcp\"\ninterface-name-pinning = { enabled = true, mapping = { \"aa:bb:cc:dd:ee:ff\" = \"lan0\", \"aa:bb:cc:dd:ee:00\" = \"lan0\" } }", "network.interface-name-pinning.mapping.aa:bb:cc:dd:ee:00", "duplicate interface name mapping 'lan0'" },
                { "source = \"from-dhcp\"", "source = \"from-dhcp\"\ninterface-name-pinning = { enabled = true, mapping = { \"aa:bb:cc:dd:ee\" = \"lan0\" } }", "network.interface-name-pinning.mapping.aa:bb:cc:dd:ee", "is not a MAC address" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *at = strstr(base, cases[i].from);
                CHECK(at);
                _cleanup_free_ char *s = NULL;
                CHECK(asprintf(&s, "%.*s%s%s", (int) (at - base), base, cases[i].to, at + strlen(cases[i].from)) > 0);
                _cleanup_(answer_diags_done) AnswerDiags d = {};
                _cleanup_answer_ Answer *a = NULL;
                int r = answer_parse(s, strlen(s), &a, &d);
                if (!cases[i].key) {
                        if (r != 0)
                                answer_diags_print(stderr, "answer", &d);
                        CHECK_INTEQ(r, 0);
                        continue;
                }
                CHECK_INTEQ(r, -EINVAL);
                const AnswerDiag *e = answer_diags_find(&d, cases[i].key);
                if (!e || !strstr(e->message, cases[i].needle)) {
                        fprintf(stderr, "global case %zu: expected %s: ...%s...; got:\n", i, cases[i].key, cases[i].needle);
                        answer_diags_print(stderr, "answer", &d);
                }
                CHECK(e && strstr(e->message, cases[i].needle));
        }
}

/* The text plan names the ZFS datasets of the plan it prints (a pool and
 * datasets named otherwise than Proxmox's rpool/ROOT/pve-1). */
static void test_plan_text_datasets(void) {
        static const char plan_json[] =
                "{\"answer\": \"t.toml\", \"hardware\": {\"firmware\": \"uefi\", \"memory-bytes\": 1073741824},"
                " \"storage\": {\"filesystem\": \"zfs\", \"raid\": \"raid1\", \"hdsize-gib\": 100, \"existing-data\": \"wipe\","
                "  \"disks\": [], \"md-arrays\": [], \"luks\": [], \"volume-groups\": [], \"btrfs\": [],"
                "  \"zfs-pools\": [{\"id\": \"zpool:tank\", \"name\": \"tank\", \"raid\": \"raid1\", \"vdevs\": [],"
                "   \"properties\": {\"ashift\": 12, \"compression\": \"on\", \"checksum\": \"on\", \"copies\": 1},"
                "   \"arc-max-mib\": 0, \"datasets\": ["
                "    {\"name\": \"tank/ROOT\", \"mountpoint\": null},"
                "    {\"name\": \"tank/ROOT/node-1\", \"mountpoint\": \"/\"},"
                "    {\"name\": \"tank/guests\", \"mountpoint\": null,"
                "     \"content\": {\"kind\": \"guest-storage\", \"storage-id\": \"local-zfs\"}}]}]},"
                " \"network\": {\"interface\": \"eth0\", \"interface-on-target\": \"eth0\", \"cidr\": \"192.0.2.2/24\","
                "  \"dns\": \"192.0.2.1\"},"
                " \"system\": {\"fqdn\": \"a.example\", \"hostname\": \"a\", \"domain\": \"example\", \"country\": \"at\","
                "  \"keyboard\": {\"layout\": \"de\"}, \"timezone\": \"UTC\", \"mailto\": \"a@example\","
                "  \"root-password\": {\"kind\": \"plain\"}, \"reboot-mode\": \"reboot\"},"
                " \"first-boot\": {\"enabled\": false}, \"webhooks\": [], \"cluster\": {\"mode\": \"standalone\"},"
                " \"checks-waived\": [], \"warnings\": []}";
        json_object *plan = json_tokener_parse(plan_json);
        CHECK(plan);
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        CHECK(f);
        CHECK(plan_print_text(f, plan) == 0);
        CHECK(fclose(f) == 0);
        CHECK(strstr(text, "datasets: tank/ROOT (not mounted), tank/ROOT/node-1 on /, tank/guests (guest storage local-zfs)\n"));
        if (!strstr(text, "tank/ROOT/node-1"))
                fprintf(stderr, "%s", text);
        CHECK(!strstr(text, "rpool"));
        free(text);
        json_object_put(plan);
}

int main(void) {
        log_set_max_level(LOG_LEVEL_ERROR);
        test_glob();
        test_checks();
        test_layout();
        test_plan_text_datasets();
        test_schema();
        test_schema_disks();
        test_schema_global();
        return test_result();
}
