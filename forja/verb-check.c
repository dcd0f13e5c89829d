/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja check`: the front end of hwcheck (text like virt-host-validate, or JSON). */

#include <getopt.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "guest-check.h"
#include "hwcheck.h"
#include "json-out.h"
#include "log.h"
#include "verb.h"

static bool arg_json;
static bool arg_quiet;
static const char *arg_sysroot;
static char **arg_waive;
static bool arg_guests;
static unsigned arg_vm_timeout;
static char **arg_vm_config;

static void arg_lists_free(void) {
        strv_free(arg_waive);
        arg_waive = NULL;
        strv_free(arg_vm_config);
        arg_vm_config = NULL;
}

/* Appends a copy of s to the NULL-terminated list *l. */
static int list_add(char ***l, const char *s) {
        size_t n = 0;
        while (*l && (*l)[n])
                n++;
        char **m = realloc(*l, (n + 2) * sizeof(char *));
        if (!m)
                return log_oom();
        *l = m;
        if (!(m[n] = strdup(s)))
                return log_oom();
        m[n + 1] = NULL;
        return 0;
}

static int waive_add(const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        if (!copy)
                return log_oom();
        char *save = NULL;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
                if (list_add(&arg_waive, w) < 0)
                        return -ENOMEM;
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_SYSROOT, ARG_WAIVE, ARG_GUESTS, ARG_VM_TIMEOUT, ARG_VM_CONFIG };
        static const struct option options[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "quiet", no_argument, NULL, 'q' },
                { "sysroot", required_argument, NULL, ARG_SYSROOT },
                { "waive", required_argument, NULL, ARG_WAIVE },
                { "guests", no_argument, NULL, ARG_GUESTS },
                { "vm-timeout", required_argument, NULL, ARG_VM_TIMEOUT },
                { "vm-config", required_argument, NULL, ARG_VM_CONFIG },
                {}
        };
        int c, r;

        arg_json = arg_quiet = arg_guests = false;
        arg_vm_timeout = 0;
        arg_sysroot = NULL;
        arg_lists_free();
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":q", options, NULL)) >= 0)
                switch (c) {
                case ARG_JSON:
                        arg_json = true;
                        break;
                case 'q':
                        arg_quiet = true;
                        break;
                case ARG_SYSROOT:
                        arg_sysroot = optarg;
                        break;
                case ARG_WAIVE:
                        if ((r = waive_add(optarg)) < 0)
                                return r;
                        break;
                case ARG_GUESTS:
                        arg_guests = true;
                        break;
                case ARG_VM_TIMEOUT: {
                        char *end = NULL;
                        errno = 0;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (errno || !end || *end || v < 10 || v > 7200)
                                return log_error_errno(EINVAL, "check: --vm-timeout takes seconds from 10 to 7200, got '%s'.",
                                                       optarg);
                        arg_vm_timeout = (unsigned) v;
                        break;
                }
                case ARG_VM_CONFIG: {
                        const char *eq = strchr(optarg, '=');
                        if (!eq || eq == optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789._-") != (size_t) (eq - optarg))
                                return log_error_errno(EINVAL, "check: --vm-config takes KEY=VALUE (an Incus instance key), got '%s'.",
                                                       optarg);
                        if (list_add(&arg_vm_config, optarg) < 0)
                                return -ENOMEM;
                        break;
                }
                case ':':
                        return log_error_errno(EINVAL, "check: option '%s' needs an argument.", argv[optind - 1]);
                default:
                        return log_error_errno(EINVAL, "check: unknown option '%s'. See 'forja check --help'.",
                                               argv[optind - 1]);
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "check: unexpected argument '%s'.", argv[optind]);
        if (arg_guests && (arg_sysroot || arg_waive))
                return log_error_errno(EINVAL, "check: --guests runs guests on this node; it takes no %s.",
                                       arg_sysroot ? "--sysroot" : "--waive");
        if ((arg_vm_timeout || arg_vm_config) && !arg_guests)
                return log_error_errno(EINVAL, "check: --%s goes with --guests.", arg_vm_timeout ? "vm-timeout" : "vm-config");
        for (char **w = arg_waive; w && *w; w++)
                if (!hwcheck_id_is_known(*w))
                        return log_error_errno(EINVAL, "check: --waive: unknown check id '%s'.", *w);
        return 1;
}

static const char *status_label(HwcheckStatus s) {
        static const char *const labels[] = { "PASS", "INFO", "WARN", "FAIL" };
        return s < ELEMENTSOF(labels) ? labels[s] : "????";
}

static void print_text(const HwcheckReport *r) {
        int id_w = 0, title_w = 0;
        for (size_t i = 0; i < r->n_results; i++) {
                id_w = MAX(id_w, (int) strlen(r->results[i].id));
                title_w = MAX(title_w, (int) strlen(r->results[i].title));
        }
        int indent = id_w + 2;

        for (size_t i = 0; i < r->n_results; i++) {
                const HwcheckResult *res = &r->results[i];
                bool attention = res->status == HWCHECK_WARN || res->status == HWCHECK_FAIL;
                if (arg_quiet && !attention)
                        continue;
                printf("%-*s  %-*s : %s  %s%s\n", id_w, res->id, title_w, res->title, status_label(res->status),
                       res->message, res->waived ? " (waived)" : "");
                if (streq(res->id, "cpu-virt"))
                        for (size_t e = 0; e < r->n_evidence; e++)
                                printf("%*s%s: %s\n", indent, "", r->evidence[e].source, r->evidence[e].text);
                if (attention && res->hint)
                        printf("%*shint: %s\n", indent, "", res->hint);
        }

        size_t failed = hwcheck_report_count(r, HWCHECK_FAIL, false),
               waived = hwcheck_report_count(r, HWCHECK_FAIL, true),
               warned = hwcheck_report_count(r, HWCHECK_WARN, false);
        if (arg_quiet && failed + waived + warned == 0)
                return;
        printf("\nCPU virtualization: %s (decided by: %s)\n", r->cpu_verdict, strempty(r->cpu_decided_by));
        if (failed == 0) {
                printf("Result: this machine can host KVM virtual machines and containers (%zu warning%s%s",
                       warned, warned == 1 ? "" : "s", waived ? ", " : "");
                if (waived)
                        printf("%zu failure%s waived", waived, waived == 1 ? "" : "s");
                printf(").\n");
                return;
        }
        printf("Result: this machine cannot host KVM virtual machines and containers: %zu check%s failed (",
               failed, failed == 1 ? "" : "s");
        const char *sep = "";
        for (size_t i = 0; i < r->n_results; i++)
                if (r->results[i].status == HWCHECK_FAIL && !r->results[i].waived) {
                        printf("%s%s", sep, r->results[i].id);
                        sep = ", ";
                }
        printf("), %zu warning%s.\n", warned, warned == 1 ? "" : "s");
}

static void guest_progress(void *userdata, const char *message) {
        if (!arg_json && !arg_quiet)
                fprintf(stderr, "%s\n", message);
}

static void print_guests(const GuestCheckReport *r) {
        int id_w = 0, title_w = 0;
        for (size_t i = 0; i < r->n_results; i++) {
                id_w = MAX(id_w, (int) strlen(r->results[i].id));
                title_w = MAX(title_w, (int) strlen(r->results[i].title));
        }
        for (size_t i = 0; i < r->n_results; i++) {
                const GuestCheckResult *res = &r->results[i];
                if (arg_quiet && res->status == GUEST_CHECK_PASS)
                        continue;
                printf("%-*s  %-*s : %s  %s\n", id_w, res->id, title_w, res->title,
                       res->status == GUEST_CHECK_PASS ? "PASS" : res->status == GUEST_CHECK_FAIL ? "FAIL" : "SKIP",
                       res->message);
        }
        if (guest_check_report_ok(r)) {
                printf("\nResult: %s runs guests: container started in %.1f s, VM agent answered %.1f s after its start.\n",
                       r->server_name, r->container_start_s, r->vm_start_s);
                return;
        }
        printf("\nResult: %s cannot run every guest: ", strempty(r->server_name));
        const char *sep = "";
        for (size_t i = 0; i < r->n_results; i++)
                if (r->results[i].status == GUEST_CHECK_FAIL) {
                        printf("%s%s failed", sep, r->results[i].id);
                        sep = ", ";
                }
        printf(".\n");
}

static int verb_check_guests(void) {
        GuestCheckOptions o = { .vm_timeout_sec = arg_vm_timeout, .vm_config = arg_vm_config, .progress = guest_progress };
        GuestCheckReport rep = {};
        _cleanup_free_ char *error = NULL;
        int r = guest_check_run(&o, &rep, &error);
        if (r < 0) {
                log_error("check --guests: %s", error ? error : strerror(-r));
                return EXIT_JOB_FAILED;
        }
        if (arg_json) {
                _cleanup_json_ json_object *j = guest_check_report_to_json(&rep);
                if (!j || json_print(stdout, j) < 0) {
                        log_error("check: cannot write the JSON report.");
                        guest_check_report_done(&rep);
                        return EXIT_JOB_FAILED;
                }
        } else
                print_guests(&rep);
        bool ok = guest_check_report_ok(&rep);
        guest_check_report_done(&rep);
        return ok ? EXIT_OK : EXIT_JOB_FAILED;
}

static int verb_check_run(int argc, char *argv[]) {
        int r = parse_argv(argc, argv);
        if (r <= 0) {
                arg_lists_free();
                return r < 0 ? EXIT_BAD_INPUT : EXIT_OK;
        }
        if (arg_guests)
                return verb_check_guests();

        _cleanup_(hwcheck_report_freep) HwcheckReport *report = NULL;
        _cleanup_free_ char *error = NULL;
        r = hwcheck_run_full(arg_sysroot, &report, &error);
        if (r < 0) {
                arg_lists_free();
                if (r == -ENOENT || r == -ENOTDIR || r == -EINVAL) {
                        log_error("check: %s", error ? error : strerror(-r));
                        return EXIT_BAD_INPUT;
                }
                log_error_errno(r, "check: failed: %m");
                return EXIT_JOB_FAILED;
        }
        r = hwcheck_report_waive(report, arg_waive, NULL);
        arg_lists_free();
        if (r < 0)
                return EXIT_BAD_INPUT;  /* ids were validated in parse_argv */

        if (arg_json) {
                _cleanup_json_ json_object *j = hwcheck_report_to_json(report);
                if (!j || json_print(stdout, j) < 0) {
                        log_error("check: cannot write the JSON report.");
                        return EXIT_JOB_FAILED;
                }
        } else
                print_text(report);
        return hwcheck_report_ok(report) ? EXIT_OK : EXIT_JOB_FAILED;
}

const Verb verb_check = {
        .name = "check",
        .run = verb_check_run,
        .summary = "Check whether this machine can host KVM VMs and containers",
        .usage =
                "Usage: forja check [--json] [-q] [--sysroot DIR] [--waive ID[,ID...]]\n"
                "       forja check --guests [--json] [-q] [--vm-timeout SEC] [--vm-config KEY=VALUE]...\n"
                "\n"
                "Checks CPU virtualization (and tells firmware-disabled VT-x/AMD-V from absent),\n"
                "/dev/kvm, vhost-net, tun, IOMMU, cgroups, namespaces, FUSE, kernel, memory,\n"
                "disk, network link, firmware mode and Secure Boot.\n"
                "\n"
                "Options:\n"
                "     --json           Print the report as JSON (schema in forja-check(8))\n"
                "  -q --quiet          Print only the checks that warn or fail\n"
                "     --sysroot DIR    Read /proc, /sys, /dev, CPUID and the kernel log from the\n"
                "                      fixture tree DIR (docs/hwcheck-fixtures.md)\n"
                "     --waive ID,...   Accept these failing checks (by id)\n"
                "     --guests         On an installed node: start a throw-away container and VM\n"
                "                      from the built-in images over the Incus API, prove exec,\n"
                "                      a DHCP lease, snapshot and restore, then delete them\n"
                "     --vm-timeout SEC How long the VM may take to answer (default 600)\n"
                "     --vm-config KEY=VALUE  Incus config for the test VM (repeatable), e.g.\n"
                "                      raw.qemu.conf to run it without nested KVM\n"
                "  -h --help           Show this help\n"
                "\n"
                "Exit status: 0 the machine can host VMs and containers, 1 a check failed,\n"
                "2 bad usage or bad input.\n",
};
