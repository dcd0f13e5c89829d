/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Internals shared by the hwcheck sources: reading the live system or a
 * fixture tree, filling report slots, and the CPU facts behind the verdict. */

#include <stdint.h>

#include "hwcheck.h"
#include "macro.h"
#include "strutil.h"

/* ---- sysroot.c: every path is read below the root ("" for the live system) */
typedef struct Sysroot {
        const char *root;       /* "" for the live system, else the fixture directory */
        bool live;
} Sysroot;

char *hwc_sysroot_path(const Sysroot *s, const char *path);
bool hwc_sysroot_exists(const Sysroot *s, const char *path);
bool hwc_sysroot_is_dir(const Sysroot *s, const char *path);
int hwc_sysroot_read(const Sysroot *s, const char *path, char **ret_data);
int hwc_sysroot_read_line(const Sysroot *s, const char *path, char **ret_line);
/* Names in a directory (without . and ..), sorted, NULL-terminated; empty when missing. */
int hwc_sysroot_list_dir(const Sysroot *s, const char *path, char ***ret_names);
/* Reads "Key: value" from a /proc style file (first match), value trimmed. */
int hwc_proc_field(const char *data, const char *key, char **ret_value);

/* Appends a formatted item to a malloc'd list, with separator between items
 * (*list NULL or "" starts it). */

/* Human size: "15.6 GiB", "981 MiB". */
char *hwc_format_bytes(uint64_t bytes);

/* ---- report.c */
/* Fills the slot of check id (which must be in the table). hint may be NULL.
 * Returns -ENOMEM. */
int hwc_report_set(HwcheckReport *r, const char *id, HwcheckStatus status, const char *hint,
               const char *format, ...) _printf_(5, 6);
int hwc_report_add_evidence(HwcheckReport *r, const char *source, const char *format, ...) _printf_(3, 4);
HwcheckReport *hwc_report_new(const char *sysroot);

/* ---- cpuid.c */
typedef struct CpuidRegs {
        uint32_t eax, ebx, ecx, edx;
} CpuidRegs;

typedef struct CpuidTable CpuidTable;

typedef enum CpuidSource {
        CPUID_SOURCE_NONE,          /* no CPUID: /proc/cpuinfo flags only */
        CPUID_SOURCE_FIXTURE,       /* DIR/cpuid.txt */
        CPUID_SOURCE_DEVICE,        /* /dev/cpu/0/cpuid */
        CPUID_SOURCE_INSTRUCTION,   /* the CPUID instruction */
} CpuidSource;

/* Parses the text fixture (docs/hwcheck-fixtures.md). name is used in errors:
 * *ret_error = "name:LINE: reason", return -EINVAL. */
int hwc_cpuid_table_parse(const char *text, const char *name, CpuidTable **ret, char **ret_error);
void hwc_cpuid_table_free(CpuidTable *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(CpuidTable *, hwc_cpuid_table_free);

typedef struct CpuidReader {
        CpuidSource source;
        CpuidTable *table;
        int fd;
        char *path;                 /* where the values come from, for the evidence */
} CpuidReader;

/* Picks the source: the fixture for a sysroot; /dev/cpu/0/cpuid (after
 * `modprobe cpuid` when possible) or the instruction when live. A sysroot
 * without cpuid.txt gives CPUID_SOURCE_NONE. */
int hwc_cpuid_reader_open(const Sysroot *s, CpuidReader *ret, char **ret_error);
void hwc_cpuid_reader_close(CpuidReader *c);
/* Leaves above the maximum (leaf 0 or 0x80000000) read as zeros. */
int hwc_cpuid_query(CpuidReader *c, uint32_t leaf, uint32_t subleaf, CpuidRegs *ret);

/* Live only: `modprobe NAME` when running as root on a kernel with modules.
 * Returns 0 when loaded, -EOPNOTSUPP without module support, -EPERM when not
 * root, other -errno on failure. */
int hwc_load_module(const Sysroot *s, const char *name);

/* ---- kernel-log.c */
bool hwc_kernel_log_line_says_disabled(const char *line, size_t len);
/* 1 and the line (prefix stripped) when the log says firmware disabled
 * virtualization, 0 when it does not, -errno when the log cannot be read.
 * *ret_source names the log read (static). */
int hwc_kernel_log_find_disabled(const Sysroot *s, char **ret_line, const char **ret_source);

/* ---- msr.c */
/* Reads MSR index from <root>/dev/cpu/0/msr (loading the msr module when live
 * and possible). On failure returns -errno and *ret_reason says why, in words
 * for the evidence (e.g. "/dev/cpu/0/msr is missing and the kernel has no
 * module support (no /proc/modules)"). */
int hwc_msr_read(const Sysroot *s, uint32_t index, uint64_t *ret_value, char **ret_path, char **ret_reason);

/* ---- cpu-virt.c: the facts the CPU verdict is decided from */
typedef struct CpuFacts {
        bool have_cpuid;            /* false: only /proc/cpuinfo flags were available */
        char vendor[13];            /* CPUID leaf 0 or cpuinfo vendor_id, "" when unknown */
        bool vmx, svm, hypervisor, long_mode;
        char hypervisor_sig[13];
        bool msr_read;                  /* the firmware control MSR could be read */
        uint64_t msr_value;
        bool log_disabled_by_bios;  /* the kernel log says the firmware disabled it */
        bool module_support;        /* /proc/modules exists */
        bool vendor_module_loaded;  /* kvm_intel or kvm_amd (loaded or built in) */
        bool dev_kvm;
} CpuFacts;

/* The pure decision (unit-tested): one of HWCHECK_VERDICT_*. */
const char *hwc_cpu_virt_decide(const CpuFacts *f);
/* Gathers the facts (and the evidence into r), for hwcheck_run and the verdict API. */
int hwc_cpu_facts_gather(const Sysroot *s, HwcheckReport *r, CpuFacts *ret, char **ret_error);
int hwc_check_cpu(const Sysroot *s, HwcheckReport *r, char **ret_error);

/* ---- the other check groups, each fills its own ids */
int hwc_check_devices(const Sysroot *s, HwcheckReport *r);
int hwc_check_cgroups(const Sysroot *s, HwcheckReport *r);
int hwc_check_iommu(const Sysroot *s, HwcheckReport *r);
int hwc_check_machine(const Sysroot *s, HwcheckReport *r);
