/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CPU virtualization verdict. Linux clears the vmx flag when firmware
 * disables VT-x, so /proc/cpuinfo cannot tell "disabled by firmware" from
 * "absent": the raw CPUID bits, the firmware control MSR and the kernel log
 * can, and each verdict names the evidence it was decided from. */

#include <inttypes.h>
#include <stdio.h>

#include "hwcheck-internal.h"

#define MSR_IA32_FEATURE_CONTROL 0x3au
#define FEATURE_CONTROL_LOCKED (UINT64_C(1) << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (UINT64_C(1) << 2)
#define MSR_VM_CR 0xc0010114u
#define VM_CR_SVM_LOCK (UINT64_C(1) << 3)
#define VM_CR_SVMDIS (UINT64_C(1) << 4)

static bool vendor_is_intel(const CpuFacts *f) {
        return streq(f->vendor, "GenuineIntel");
}

static bool vendor_is_amd(const CpuFacts *f) {
        return streq(f->vendor, "AuthenticAMD") || streq(f->vendor, "HygonGenuine");
}

static bool firmware_disabled_by_msr(const CpuFacts *f) {
        if (!f->msr_read)
                return false;
        if (f->vmx)
                return (f->msr_value & FEATURE_CONTROL_LOCKED) && !(f->msr_value & FEATURE_CONTROL_VMX_OUTSIDE_SMX);
        if (f->svm)
                return f->msr_value & VM_CR_SVMDIS;
        return false;
}

const char *hwc_cpu_virt_decide(const CpuFacts *f) {
        if (f->vmx || f->svm) {
                /* The MSR is the current state; the log line is the fallback. */
                if (f->msr_read ? firmware_disabled_by_msr(f) : f->log_disabled_by_bios)
                        return HWCHECK_VERDICT_DISABLED_BY_FIRMWARE;
                if (f->vendor_module_loaded && f->dev_kvm)
                        return HWCHECK_VERDICT_USABLE;
                return HWCHECK_VERDICT_MODULE_NOT_LOADED;
        }
        /* Without the bit: only /proc/cpuinfo (which hides a disabled vmx) or
         * a CPU without it. The kernel log still tells the firmware case. */
        if (f->log_disabled_by_bios)
                return HWCHECK_VERDICT_DISABLED_BY_FIRMWARE;
        if (f->hypervisor)
                return HWCHECK_VERDICT_GUEST_WITHOUT_NESTED;
        return HWCHECK_VERDICT_ABSENT;
}

static const char *yes_no(bool b) {
        return b ? "set" : "clear";
}

static void copy_regs_string(char *dst, const uint32_t *words, size_t n) {
        memcpy(dst, words, 4 * n);
        dst[4 * n] = 0;
}

static int gather_cpuid(const Sysroot *s, HwcheckReport *r, CpuFacts *f, char **ret_error) {
        _cleanup_(hwc_cpuid_reader_close) CpuidReader c = { .fd = -EBADF };
        int k = hwc_cpuid_reader_open(s, &c, ret_error);
        if (k < 0)
                return k;

        if (c.source != CPUID_SOURCE_NONE) {
                CpuidRegs l0, l1, e1, hv = {};
                if ((k = hwc_cpuid_query(&c, 0, 0, &l0)) < 0 || (k = hwc_cpuid_query(&c, 1, 0, &l1)) < 0 ||
                    (k = hwc_cpuid_query(&c, 0x80000001u, 0, &e1)) < 0)
                        return k;
                f->have_cpuid = true;
                uint32_t v[3] = { l0.ebx, l0.edx, l0.ecx };
                copy_regs_string(f->vendor, v, 3);
                f->vmx = l1.ecx & (1u << 5);
                f->hypervisor = l1.ecx & (1u << 31);
                f->svm = e1.ecx & (1u << 2);
                f->long_mode = e1.edx & (1u << 29);
                if (f->hypervisor) {
                        if ((k = hwc_cpuid_query(&c, 0x40000000u, 0, &hv)) < 0)
                                return k;
                        uint32_t sig[3] = { hv.ebx, hv.ecx, hv.edx };
                        copy_regs_string(f->hypervisor_sig, sig, 3);
                }
                return hwc_report_add_evidence(
                        r, "cpuid",
                        "CPUID from %s: vendor '%s'; leaf 1 ECX=%08" PRIx32 " (VMX bit 5 %s, hypervisor bit 31 %s); "
                        "leaf 0x80000001 ECX=%08" PRIx32 " (SVM bit 2 %s), EDX=%08" PRIx32 " (long mode bit 29 %s)%s%s%s",
                        c.path,
                        f->vendor, l1.ecx, yes_no(f->vmx), yes_no(f->hypervisor), e1.ecx, yes_no(f->svm), e1.edx,
                        yes_no(f->long_mode), f->hypervisor ? "; hypervisor signature '" : "",
                        f->hypervisor ? f->hypervisor_sig : "", f->hypervisor ? "'" : "");
        }

        /* No CPUID source (a sysroot without cpuid.txt, or not x86): the flags. */
        _cleanup_free_ char *cpuinfo = NULL, *vendor = NULL, *flags = NULL;
        k = hwc_sysroot_read(s, "/proc/cpuinfo", &cpuinfo);
        if (k < 0)
                return hwc_report_add_evidence(r, "cpuinfo", "no CPUID source and /proc/cpuinfo unreadable: %s",
                                               strerror(-k));
        (void) hwc_proc_field(cpuinfo, "vendor_id", &vendor);
        (void) hwc_proc_field(cpuinfo, "flags", &flags);
        snprintf(f->vendor, sizeof(f->vendor), "%s", strempty(vendor));
        _cleanup_free_ char *padded = NULL;
        if (asprintf(&padded, " %s ", strempty(flags)) < 0)
                return -ENOMEM;
        f->vmx = strstr(padded, " vmx ");
        f->svm = strstr(padded, " svm ");
        f->hypervisor = strstr(padded, " hypervisor ");
        f->long_mode = strstr(padded, " lm ");
        return hwc_report_add_evidence(
                r, "cpuinfo",
                "no CPUID source%s; /proc/cpuinfo: vendor '%s', flags vmx %s, svm %s, hypervisor %s, lm %s "
                "(Linux hides vmx/svm there when firmware disables them)",
                s->live ? "" : " (no cpuid.txt in the sysroot)", f->vendor, f->vmx ? "present" : "absent",
                f->svm ? "present" : "absent", f->hypervisor ? "present" : "absent", f->long_mode ? "present" : "absent");
}

static int gather_msr(const Sysroot *s, HwcheckReport *r, CpuFacts *f) {
        uint32_t index;
        const char *name;
        if (vendor_is_intel(f)) {
                index = MSR_IA32_FEATURE_CONTROL;
                name = "IA32_FEATURE_CONTROL";
        } else if (vendor_is_amd(f)) {
                index = MSR_VM_CR;
                name = "VM_CR";
        } else
                return hwc_report_add_evidence(r, "msr", "no firmware control MSR known for vendor '%s'", f->vendor);

        _cleanup_free_ char *path = NULL, *reason = NULL;
        uint64_t v;
        int k = hwc_msr_read(s, index, &v, &path, &reason);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return hwc_report_add_evidence(r, "msr", "%s (MSR 0x%" PRIx32 ") not read: %s", name, index,
                                               strempty(reason));
        f->msr_read = true;
        f->msr_value = v;
        if (index == MSR_IA32_FEATURE_CONTROL)
                return hwc_report_add_evidence(r, "msr", "%s (MSR 0x%" PRIx32 ") = 0x%" PRIx64 " from %s%s%s: %s, VMX outside SMX %s",
                                               name, index, v, path, reason ? ", " : "", strempty(reason),
                                               v & FEATURE_CONTROL_LOCKED ? "locked" : "not locked",
                                               v & FEATURE_CONTROL_VMX_OUTSIDE_SMX ? "enabled" : "disabled");
        return hwc_report_add_evidence(r, "msr", "%s (MSR 0x%" PRIx32 ") = 0x%" PRIx64 " from %s%s%s: SVMDIS %s, %s",
                                       name, index, v, path, reason ? ", " : "", strempty(reason),
                                       v & VM_CR_SVMDIS ? "set (SVM disabled)" : "clear",
                                       v & VM_CR_SVM_LOCK ? "locked" : "not locked");
}

static int gather_kernel_log(const Sysroot *s, HwcheckReport *r, CpuFacts *f) {
        _cleanup_free_ char *line = NULL;
        const char *source;
        int k = hwc_kernel_log_find_disabled(s, &line, &source);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return hwc_report_add_evidence(r, "kernel-log", "%s not readable: %s", source, strerror(-k));
        f->log_disabled_by_bios = k > 0;
        if (k > 0)
                return hwc_report_add_evidence(r, "kernel-log", "%s: '%s'", source, line);
        return hwc_report_add_evidence(r, "kernel-log", "no 'disabled by BIOS' line in %s", source);
}

static int gather_kvm(const Sysroot *s, HwcheckReport *r, CpuFacts *f) {
        _cleanup_strv_free_ char **mods = NULL;
        int k = hwc_sysroot_list_dir(s, "/sys/module", &mods);
        if (k < 0)
                return k;
        _cleanup_free_ char *list = NULL;
        for (char **m = mods; *m; m++) {
                if (!startswith(*m, "kvm"))
                        continue;
                if (streq(*m, "kvm_intel") || streq(*m, "kvm_amd"))
                        f->vendor_module_loaded = true;
                if (strextendf_with_separator(&list, ", ", "%s", *m) < 0)
                        return -ENOMEM;
        }
        f->module_support = hwc_sysroot_exists(s, "/proc/modules");
        f->dev_kvm = hwc_sysroot_exists(s, "/dev/kvm");
        return hwc_report_add_evidence(r, "kvm", "kvm modules in /sys/module: %s; %s; /dev/kvm %s", list ?: "none",
                                       f->module_support ? "module support present (/proc/modules)"
                                                         : "kernel without module support (no /proc/modules)",
                                       f->dev_kvm ? "present" : "missing");
}

/* Which fact the verdict turned on, so a reader knows what to trust. */
static const char *decided_by(const CpuFacts *f, const char *verdict) {
        if (streq(verdict, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE))
                return f->msr_read && (f->vmx || f->svm) ? "msr" : "kernel-log";
        if (streq(verdict, HWCHECK_VERDICT_USABLE) || streq(verdict, HWCHECK_VERDICT_MODULE_NOT_LOADED))
                return "kvm";
        return f->have_cpuid ? "cpuid" : "cpuinfo";
}

int hwc_cpu_facts_gather(const Sysroot *s, HwcheckReport *r, CpuFacts *ret, char **ret_error) {
        CpuFacts f = {};
        int k;
        if ((k = gather_cpuid(s, r, &f, ret_error)) < 0 || (k = gather_msr(s, r, &f)) < 0 ||
            (k = gather_kernel_log(s, r, &f)) < 0 || (k = gather_kvm(s, r, &f)) < 0)
                return k;
        if (f.vendor[0] && !(r->cpu_vendor = strdup(f.vendor)))
                return -ENOMEM;
        if (f.hypervisor_sig[0] && !(r->hypervisor = strdup(f.hypervisor_sig)))
                return -ENOMEM;
        r->cpu_verdict = hwc_cpu_virt_decide(&f);
        r->cpu_decided_by = decided_by(&f, r->cpu_verdict);
        *ret = f;
        return 0;
}

static int report_cpu_virt(HwcheckReport *r, const CpuFacts *f) {
        const char *v = r->cpu_verdict;
        const char *tech = f->vmx ? "Intel VT-x" : f->svm ? "AMD-V (SVM)" : "VT-x/AMD-V";
        const char *module = f->svm && !f->vmx ? "kvm_amd" : "kvm_intel";

        if (streq(v, HWCHECK_VERDICT_USABLE))
                return hwc_report_set(r, "cpu-virt", HWCHECK_PASS, NULL, "%s: %s present and enabled, %s loaded, /dev/kvm present%s",
                                      v, tech, module, f->hypervisor ? " (nested virtualization)" : "");
        if (streq(v, HWCHECK_VERDICT_DISABLED_BY_FIRMWARE)) {
                const char *why = f->msr_read ? (f->vmx ? "IA32_FEATURE_CONTROL is locked without VMX outside SMX"
                                                        : "VM_CR has SVMDIS set")
                                              : "the kernel log says it was disabled by BIOS";
                return hwc_report_set(r, "cpu-virt", HWCHECK_FAIL,
                                      f->svm && !f->vmx
                                              ? "Enable 'SVM Mode' (AMD-V) in the firmware setup (BIOS/UEFI), then power the machine off and on. The CPU supports it: no new hardware is needed."
                                              : "Enable 'Intel Virtualization Technology' (VT-x) in the firmware setup (BIOS/UEFI), then power the machine off and on. The CPU supports it: no new hardware is needed.",
                                      "%s: the CPU has %s but the firmware disabled it (%s)", v, tech, why);
        }
        if (streq(v, HWCHECK_VERDICT_MODULE_NOT_LOADED)) {
                _cleanup_free_ char *hint = NULL;
                if (asprintf(&hint,
                             f->module_support
                                     ? "Load the module: 'modprobe %s' (if it fails with 'disabled by bios', enable virtualization in the firmware setup)."
                                     : "This kernel has no module support: boot a kernel with KVM and %s built in.",
                             module) < 0)
                        return -ENOMEM;
                return hwc_report_set(r, "cpu-virt", HWCHECK_FAIL, hint, "%s: %s present and not disabled by firmware, but %s%s",
                                      v, tech, f->vendor_module_loaded ? "/dev/kvm is missing" : module,
                                      f->vendor_module_loaded ? "" : " is not loaded");
        }
        if (streq(v, HWCHECK_VERDICT_GUEST_WITHOUT_NESTED)) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "running as a virtual machine%s%s%s whose CPU does not expose VT-x or AMD-V",
                             f->hypervisor_sig[0] ? " (hypervisor '" : "", f->hypervisor_sig,
                             f->hypervisor_sig[0] ? "')" : "") < 0)
                        return -ENOMEM;
                return hwc_report_set(r, "cpu-virt", HWCHECK_FAIL,
                                      "Enable nested virtualization on the host (kvm_intel/kvm_amd nested=1) and give this VM a CPU model with vmx or svm (e.g. '-cpu host'), or run on bare metal.",
                                      "%s: %s", v, msg);
        }
        return hwc_report_set(r, "cpu-virt", HWCHECK_FAIL,
                              f->have_cpuid ? "This CPU cannot run KVM virtual machines; containers still work."
                                            : "Only /proc/cpuinfo was available and Linux hides vmx/svm when firmware disables them: check the firmware setup for a virtualization switch.",
                              "%s: the CPU has neither VT-x nor AMD-V", v);
}

int hwc_check_cpu(const Sysroot *s, HwcheckReport *r, char **ret_error) {
        CpuFacts f;
        int k = hwc_cpu_facts_gather(s, r, &f, ret_error);
        if (k < 0)
                return k;
        if (!f.have_cpuid && !f.vendor[0])
                k = hwc_report_set(r, "cpu-64bit", HWCHECK_WARN, "Provide cpuid.txt or proc/cpuinfo.",
                                   "no CPUID and no /proc/cpuinfo: cannot tell");
        else if (f.long_mode)
                k = hwc_report_set(r, "cpu-64bit", HWCHECK_PASS, NULL, "x86-64 (long mode)");
        else
                k = hwc_report_set(r, "cpu-64bit", HWCHECK_FAIL, "forja installs a 64-bit (amd64) system: use a 64-bit CPU.",
                                   "the CPU has no long mode (64-bit)");
        if (k < 0)
                return k;
        return report_cpu_virt(r, &f);
}
