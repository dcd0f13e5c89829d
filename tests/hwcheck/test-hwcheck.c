/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of hwcheck: the CPU verdict decision table, the CPUID fixture
 * parser, the kernel log matcher, MSR reads from a sparse file, waivers and
 * the public API on small trees built here. Expected values are written by
 * hand from the Intel/AMD manuals' bit definitions. */

#include <fcntl.h>
#include <sys/stat.h>

#include "hwcheck-internal.h"
#include "spawn.h"
#include "testlib.h"

static void test_decide(void) {
        static const struct {
                CpuFacts f;
                const char *want;
        } cases[] = {
                /* Intel, VT-x enabled and locked (0x5), module and device: usable. */
                { { .vmx = true, .msr_read = true, .msr_value = 0x5, .vendor_module_loaded = true, .dev_kvm = true },
                  HWCHECK_VERDICT_USABLE },
                /* Locked (bit 0) without VMX outside SMX (bit 2): firmware. */
                { { .vmx = true, .msr_read = true, .msr_value = 0x1 }, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE },
                /* Locked with only VMX inside SMX (bit 1): still off outside TXT. */
                { { .vmx = true, .msr_read = true, .msr_value = 0x3 }, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE },
                /* Not locked: the kernel enables and locks it itself. */
                { { .vmx = true, .msr_read = true, .msr_value = 0x0 }, HWCHECK_VERDICT_MODULE_NOT_LOADED },
                /* MSR says enabled: a stale log line does not override it. */
                { { .vmx = true, .msr_read = true, .msr_value = 0x5, .log_disabled_by_bios = true,
                    .vendor_module_loaded = true, .dev_kvm = true },
                  HWCHECK_VERDICT_USABLE },
                /* MSR unreadable: the log decides. */
                { { .vmx = true, .log_disabled_by_bios = true }, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE },
                { { .vmx = true }, HWCHECK_VERDICT_MODULE_NOT_LOADED },
                /* Module loaded but no /dev/kvm node. */
                { { .vmx = true, .vendor_module_loaded = true }, HWCHECK_VERDICT_MODULE_NOT_LOADED },
                /* AMD: SVMDIS (bit 4) set. */
                { { .svm = true, .msr_read = true, .msr_value = 0x18 }, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE },
                { { .svm = true, .msr_read = true, .msr_value = 0x10 }, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE },
                /* AMD: only the lock bit (3): enabled. */
                { { .svm = true, .msr_read = true, .msr_value = 0x8, .vendor_module_loaded = true, .dev_kvm = true },
                  HWCHECK_VERDICT_USABLE },
                /* Guest with nested virtualization: vmx and the hypervisor bit. */
                { { .vmx = true, .hypervisor = true, .vendor_module_loaded = true, .dev_kvm = true },
                  HWCHECK_VERDICT_USABLE },
                /* Guest without: hypervisor bit, no vmx/svm, even with a /dev/kvm (PVM). */
                { { .hypervisor = true, .dev_kvm = true }, HWCHECK_VERDICT_GUEST_WITHOUT_NESTED },
                /* Bare metal without the extensions. */
                { { .long_mode = true }, HWCHECK_VERDICT_ABSENT },
                /* cpuinfo only (vmx hidden) but the log names the firmware. */
                { { .log_disabled_by_bios = true }, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *got = hwc_cpu_virt_decide(&cases[i].f);
                if (!streq(got, cases[i].want))
                        fprintf(stderr, "decide case %zu:\n", i);
                CHECK_STREQ(got, cases[i].want);
        }
}

static void test_cpuid_parse(void) {
        CpuidTable *t = NULL;
        char *err = NULL;
        CHECK_INTEQ(hwc_cpuid_table_parse("# comment\n\n0 0 d 756e6547 6c65746e 49656e69\n"
                                          "0x1 0 000906ea 00100800 0x7ffafbbf bfebfbff # trailing\n",
                                          "t", &t, &err),
                    0);
        CHECK(t);
        CpuidReader c = { .source = CPUID_SOURCE_FIXTURE, .table = t, .fd = -EBADF };
        CpuidRegs r;
        CHECK_INTEQ(hwc_cpuid_query(&c, 1, 0, &r), 0);
        CHECK_INTEQ(r.ecx, 0x7ffafbbf);
        CHECK_INTEQ(r.eax, 0x000906ea);
        /* Leaf 7 is above the maximum (0xd is not; 7 is listed nowhere): zeros. */
        CHECK_INTEQ(hwc_cpuid_query(&c, 7, 0, &r), 0);
        CHECK_INTEQ(r.ebx, 0);
        /* Extended leaves without 0x80000000: zeros. */
        CHECK_INTEQ(hwc_cpuid_query(&c, 0x80000001u, 0, &r), 0);
        CHECK_INTEQ(r.ecx, 0);
        hwc_cpuid_table_free(t);

        static const struct {
                const char *text, *error;
        } bad[] = {
                { "0 0 1 2 3\n", "t:1: too few fields (want: leaf subleaf eax ebx ecx edx)" },
                { "\n\n1 0 1 2 3 4 5\n", "t:3: too many fields (want: leaf subleaf eax ebx ecx edx)" },
                { "1 0 1 2 3 zz\n", "t:1: 'zz' is not a 32-bit hexadecimal number" },
                { "1 0 1 2 3 123456789\n", "t:1: '123456789' is not a 32-bit hexadecimal number" },
                { "1 0 1 2 3 4\n1 0 1 2 3 4\n", "t:2: leaf and subleaf listed twice" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                t = NULL;
                err = NULL;
                CHECK_INTEQ(hwc_cpuid_table_parse(bad[i].text, "t", &t, &err), -EINVAL);
                CHECK(!t);
                CHECK_STREQ(err, bad[i].error);
                free(err);
        }
}

static void test_kernel_log(void) {
        static const struct {
                const char *line;
                bool want;
        } cases[] = {
                { "[    5.1] kvm: disabled by bios", true },
                { "[    0.06] x86/cpu: VMX (outside TXT) disabled by BIOS", true },
                { "kvm_amd: SVM disabled (by BIOS) in MSR_VM_CR", true },
                { "kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL", true },
                { "BIOS-e820: [mem 0x0-0x9ffff] usable", false },
                { "ACPI: IRQ routing disabled by BIOS", false },
                { "kvm: loaded", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                CHECK_INTEQ(hwc_kernel_log_line_says_disabled(cases[i].line, strlen(cases[i].line)), cases[i].want);
}

/* ---- small sysroots written by the test */
static char root[] = "/tmp/forja-hwcheck-unit.XXXXXX";

static void put(const char *rel, const void *data, size_t len) {
        char path[512], dir[512];
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        snprintf(dir, sizeof(dir), "%s", path);
        for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = 0;
                (void) mkdir(dir, 0755);
                *p = '/';
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        CHECK(fd >= 0);
        if (fd >= 0) {
                CHECK_INTEQ(write(fd, data, len), (long long) len);
                close(fd);
        }
}

static void put_str(const char *rel, const char *s) {
        put(rel, s, strlen(s));
}

static void put_msr(uint32_t index, uint64_t value) {
        char path[512];
        uint8_t b[8];
        for (int i = 0; i < 8; i++)
                b[i] = (uint8_t) (value >> (8 * i));
        put("dev/cpu/0/.keep", "", 0);
        snprintf(path, sizeof(path), "%s/dev/cpu/0/msr", root);
        int fd = open(path, O_WRONLY | O_CREAT, 0644);
        CHECK(fd >= 0);
        if (fd >= 0) {
                CHECK_INTEQ(pwrite(fd, b, 8, index), 8);
                close(fd);
        }
}

static void test_api_on_trees(void) {
        CHECK(mkdtemp(root) != NULL);

        /* Empty tree: nothing known, nothing crashes; every id has a status. */
        HwcheckReport *r = NULL;
        CHECK_INTEQ(hwcheck_run(root, &r), 0);
        CHECK(r);
        if (!r)
                return;
        CHECK_STREQ(r->cpu_verdict, HWCHECK_VERDICT_ABSENT);
        CHECK_INTEQ(hwcheck_report_find(r, "cpu-64bit")->status, HWCHECK_WARN);
        CHECK_INTEQ(hwcheck_report_find(r, "kvm-device")->status, HWCHECK_FAIL);
        CHECK_INTEQ(hwcheck_report_find(r, "firmware")->status, HWCHECK_INFO);
        CHECK(!hwcheck_report_ok(r));

        /* Waivers: unknown ids change nothing; known ids waive failures only. */
        const char *bad = NULL;
        char *unknown[] = { (char *) "cpu-virt", (char *) "no-such-check", NULL };
        CHECK_INTEQ(hwcheck_report_waive(r, unknown, &bad), -EINVAL);
        CHECK_STREQ(bad, "no-such-check");
        CHECK(!hwcheck_report_find(r, "cpu-virt")->waived);
        char *all[64];
        size_t n = 0;
        for (const char *const *id = hwcheck_ids(); *id; id++)
                all[n++] = (char *) *id;
        all[n] = NULL;
        CHECK_INTEQ(n, 28);
        CHECK_INTEQ(hwcheck_report_waive(r, all, NULL), 0);
        CHECK(hwcheck_report_ok(r));
        CHECK(hwcheck_report_find(r, "cpu-virt")->waived);
        CHECK(!hwcheck_report_find(r, "firmware")->waived);
        CHECK_INTEQ(hwcheck_report_count(r, HWCHECK_FAIL, false), 0);
        hwcheck_report_free(r);

        /* A guest without nested virtualization (CPUID.1:ECX bit 31, no bit 5). */
        put_str("cpuid.txt", "0 0 d 756e6547 6c65746e 49656e69\n1 0 0 0 80000000 0\n"
                             "40000000 0 40000001 4b4d564b 564b4d56 4d\n");
        const char *v = NULL;
        CHECK_INTEQ(hwcheck_cpu_virt_verdict(root, &v), 0);
        CHECK_STREQ(v, HWCHECK_VERDICT_GUEST_WITHOUT_NESTED);

        /* Intel VT-x (bit 5), MSR 0x3a = 0x1 in a sparse file: firmware. */
        put_str("cpuid.txt", "0 0 d 756e6547 6c65746e 49656e69\n1 0 0 0 20 0\n");
        put_msr(0x3a, 0x1);
        CHECK_INTEQ(hwcheck_cpu_virt_verdict(root, &v), 0);
        CHECK_STREQ(v, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE);

        /* 0x5 with kvm_intel and /dev/kvm: usable. */
        put_msr(0x3a, 0x5);
        put_str("sys/module/kvm_intel/parameters/nested", "Y\n");
        put_str("dev/kvm", "");
        CHECK_INTEQ(hwcheck_cpu_virt_verdict(root, &v), 0);
        CHECK_STREQ(v, HWCHECK_VERDICT_USABLE);

        /* A malformed fixture is bad input naming file and line. */
        put_str("cpuid.txt", "0 0 d 756e6547 6c65746e 49656e69\n1 0 nothex 0 20 0\n");
        char *err = NULL;
        r = NULL;
        CHECK_INTEQ(hwcheck_run_full(root, &r, &err), -EINVAL);
        CHECK(!r);
        CHECK(err && strstr(err, "cpuid.txt:2: 'nothex' is not a 32-bit hexadecimal number"));
        free(err);

        /* Not a directory / missing. */
        CHECK_INTEQ(hwcheck_run("/nonexistent/forja-sysroot", &r), -ENOENT);
        CHECK_INTEQ(hwcheck_run("/dev/null", &r), -ENOTDIR);

        char *argv[] = { (char *) "rm", (char *) "-rf", root, NULL };
        SpawnOptions o = { .quiet = true };
        SpawnResult res = {};
        CHECK_INTEQ(spawn(argv, &o, &res), 0);
        spawn_result_done(&res);
}

static void test_ids(void) {
        CHECK(hwcheck_id_is_known("cpu-virt"));
        CHECK(hwcheck_id_is_known("secure-boot"));
        CHECK(!hwcheck_id_is_known("cpu_virt"));
        CHECK(!hwcheck_id_is_known(NULL));
        CHECK_STREQ(hwcheck_status_to_string(HWCHECK_WARN), "warn");
        CHECK_STREQ(hwcheck_ids()[0], "cpu-64bit");
}

int main(void) {
        test_decide();
        test_cpuid_parse();
        test_kernel_log();
        test_ids();
        test_api_on_trees();
        return test_result();
}
