/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The answer file front ends: `forja answer validate`, `forja plan` and
 * `forja device-match`. They read, resolve and print; nothing is written to
 * any disk. */

#include <getopt.h>

#define FORJA_CLEANUP_JSON
#include "answer-resolve.h"
#include "cleanup-libs.h"
#include "countdown.h"
#include "fileio.h"
#include "hwcheck.h"
#include "json-out.h"
#include "log.h"
#include "plan.h"
#include "source.h"
#include "udev-glob.h"
#include "verb.h"

static void hardware_freep_(Hardware **hw) {
        hardware_free(*hw);
}
#define _cleanup_hw_ _cleanup_(hardware_freep_)

/* From --hardware, or probed from this machine. Returns an exit code. */
static int get_hardware(const char *verb, const char *path, Hardware **ret) {
        int r;

        if (path) {
                _cleanup_free_ char *err = NULL;
                r = hardware_load_json(path, ret, &err);
                if (r < 0) {
                        if (err)
                                log_error("%s: %s: %s", verb, path, err);
                        else
                                log_error_errno(r, "%s: failed to load hardware description '%s': %m", verb, path);
                        return r == -ENOMEM ? EXIT_JOB_FAILED : EXIT_BAD_INPUT;
                }
                return EXIT_OK;
        }
        r = hardware_probe(NULL, ret);
        if (r < 0) {
                log_error_errno(r, "%s: failed to probe this machine's hardware: %m", verb);
                return EXIT_JOB_FAILED;
        }
        for (char **w = (*ret)->warnings; w && *w; w++)
                log_warning("%s", *w);
        return EXIT_OK;
}

/* Reads and parses; prints every finding. Returns an exit code. */
static int load_answer(const char *verb, const char *path, Answer **ret, AnswerDiags *d) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_full_file(path, 1024 * 1024, &data, &size);
        if (r < 0) {
                log_error_errno(r, "%s: failed to read answer file '%s': %m", verb, path);
                return r == -ENOMEM ? EXIT_JOB_FAILED : EXIT_BAD_INPUT;
        }
        r = answer_parse(data, size, ret, d);
        if (r == -ENOMEM) {
                log_oom();
                return EXIT_JOB_FAILED;
        }
        if (r < 0)
                return EXIT_BAD_INPUT;
        answer_check_waivers(*ret, d);
        if (answer_diags_errors(d) > 0) {
                answer_free(TAKE_PTR(*ret));
                return EXIT_BAD_INPUT;
        }
        return EXIT_OK;
}

static void print_diags(const char *path, AnswerDiags *d) {
        fflush(stdout);
        answer_diags_sort(d);
        answer_diags_print(stderr, streq(path, "-") ? "<stdin>" : path, d);
}

/* ------------------------------------------------------------ answer */

/* `forja answer fetch`: the unattended installer's answer discovery, run on
 * its own to see where the answer would come from. */
static int run_answer_fetch(int argc, char *argv[]) {
        enum { ARG_HARDWARE = 0x100, ARG_MEDIUM, ARG_CMDLINE, ARG_DEVICE, ARG_SYSTEM_INFO, ARG_ATTEMPTS, ARG_TIMEOUT };
        static const struct option options[] = {
                { "hardware", required_argument, NULL, ARG_HARDWARE },
                { "medium", required_argument, NULL, ARG_MEDIUM },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "device", required_argument, NULL, ARG_DEVICE },
                { "dry-run", no_argument, NULL, 'n' },
                { "output", required_argument, NULL, 'o' },
                { "system-info", optional_argument, NULL, ARG_SYSTEM_INFO },
                { "attempts", required_argument, NULL, ARG_ATTEMPTS },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                {}
        };
        AnswerFetchOptions o = { .medium_dir = "/run/forja/medium" };
        const char *hardware = NULL, *output = NULL, *system_info_url = NULL;
        _cleanup_strv_free_ char **devices = NULL;
        size_t n_devices = 0;
        bool system_info = false, medium_given = false;
        int c;

        while ((c = getopt_long(argc, argv, "no:", options, NULL)) >= 0)
                switch (c) {
                case ARG_HARDWARE:
                        hardware = optarg;
                        break;
                case ARG_MEDIUM:
                        o.medium_dir = optarg;
                        medium_given = true;
                        break;
                case ARG_CMDLINE:
                        o.cmdline = optarg;
                        break;
                case ARG_DEVICE: {
                        char **n = realloc(devices, (n_devices + 2) * sizeof(char *));
                        if (!n)
                                return log_oom(), EXIT_JOB_FAILED;
                        devices = n;
                        devices[n_devices++] = strdup(optarg);
                        devices[n_devices] = NULL;
                        o.scan_devices = devices;
                        break;
                }
                case 'n':
                        o.dry_run = true;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case ARG_SYSTEM_INFO:
                        system_info = true;
                        system_info_url = optarg;
                        break;
                case ARG_ATTEMPTS:
                case ARG_TIMEOUT: {
                        char *end;
                        errno = 0;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (errno || end == optarg || *end || v < 1 || v > (c == ARG_ATTEMPTS ? 20 : 3600)) {
                                log_error("answer fetch: --%s takes a number from 1 to %u, not '%s'.",
                                          c == ARG_ATTEMPTS ? "attempts" : "timeout", c == ARG_ATTEMPTS ? 20 : 3600, optarg);
                                return EXIT_BAD_INPUT;
                        }
                        if (c == ARG_ATTEMPTS)
                                o.attempts = (unsigned) v;
                        else
                                o.timeout_sec = (unsigned) v;
                        break;
                }
                default:
                        return EXIT_BAD_INPUT;
                }
        if (optind != argc) {
                log_error("answer fetch: unexpected argument '%s'.", argv[optind]);
                return EXIT_BAD_INPUT;
        }
        if (!medium_given && access(o.medium_dir, F_OK) < 0)
                o.medium_dir = NULL;

        _cleanup_hw_ Hardware *hw = NULL;
        int code = get_hardware("answer fetch", hardware, &hw);
        if (code != EXIT_OK)
                return code;
        if (system_info) {
                /* --system-info=URL: the body as sent to that server. */
                json_object *j = answer_system_info_for(system_info_url, hw);
                int r = j ? json_print(stdout, j) : -ENOMEM;
                json_object_put(j);
                return r < 0 ? EXIT_JOB_FAILED : EXIT_OK;
        }

        _cleanup_free_ char *error = NULL;
        AnswerFetched f = {};
        int r = answer_fetch(&o, hw, &f, &error);
        if (r < 0) {
                log_error("answer fetch: %s", error ?: strerror(-r));
                /* A malformed forja.answer* parameter is bad input; a source that failed is a failed job. */
                return r == -EINVAL ? EXIT_BAD_INPUT : EXIT_JOB_FAILED;
        }
        fprintf(stderr, "Answer source: %s\n", f.source);
        if (f.location)
                fprintf(stderr, "Location: %s\n", f.location);
        if (f.json)
                fprintf(stderr, "Format: JSON, rewritten as TOML\n");
        if (f.discovered)
                fprintf(stderr, "Discovered: yes\n");
        if (f.data) {
                if (output) {
                        r = write_file_atomic(output, f.data, f.size, 0600);
                        if (r < 0) {
                                log_error_errno(r, "answer fetch: failed to write '%s': %m", output);
                                answer_fetched_done(&f);
                                return EXIT_JOB_FAILED;
                        }
                } else
                        fwrite(f.data, 1, f.size, stdout);
        }
        answer_fetched_done(&f);
        return EXIT_OK;
}

/* `forja answer countdown`: iso-build/data/init runs it before installing an
 * answer that network discovery found. */
static int run_answer_countdown(int argc, char *argv[]) {
        static const struct option options[] = {
                { "seconds", required_argument, NULL, 't' },
                { "console", required_argument, NULL, 'c' },
                { "source", required_argument, NULL, 's' },
                {}
        };
        _cleanup_strv_free_ char **consoles = NULL;
        size_t n = 0;
        unsigned long seconds = 10;
        const char *source = "an answer URL found on the network";
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 't': {
                        char *end;
                        errno = 0;
                        seconds = strtoul(optarg, &end, 10);
                        if (errno || end == optarg || *end || seconds > 3600) {
                                log_error("answer countdown: --seconds takes a number from 0 to 3600, not '%s'.", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                }
                case 'c': {
                        char **l = realloc(consoles, (n + 2) * sizeof(char *));
                        if (!l)
                                return log_oom(), EXIT_JOB_FAILED;
                        consoles = l;
                        consoles[n] = strdup(optarg);
                        consoles[++n] = NULL;
                        if (!consoles[n - 1])
                                return log_oom(), EXIT_JOB_FAILED;
                        break;
                }
                case 's':
                        source = optarg;
                        break;
                default:
                        return EXIT_BAD_INPUT;
                }
        if (optind != argc || n == 0) {
                log_error("answer countdown: --console DEV is needed, and nothing else.");
                return EXIT_BAD_INPUT;
        }
        int r = answer_countdown(consoles, (unsigned) seconds, source);
        if (r == 1)
                log_notice("answer countdown: stopped by a key press.");
        return r == 0 ? EXIT_OK : EXIT_JOB_FAILED;
}

static int run_answer(int argc, char *argv[]) {
        static const struct option options[] = {
                { "hardware", required_argument, NULL, 'H' },
                {}
        };
        const char *hardware = NULL;
        int c;

        if (argc > 1 && streq(argv[1], "fetch"))
                return run_answer_fetch(argc - 1, argv + 1);
        if (argc > 1 && streq(argv[1], "countdown"))
                return run_answer_countdown(argc - 1, argv + 1);

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'H':
                        hardware = optarg;
                        break;
                default:
                        return EXIT_BAD_INPUT;
                }
        if (optind >= argc || !streq(argv[optind], "validate")) {
                log_error("answer: expected 'validate FILE' or 'fetch'. See 'forja answer --help'.");
                return EXIT_BAD_INPUT;
        }
        if (argc - optind != 2) {
                log_error("answer validate: expected exactly one answer file.");
                return EXIT_BAD_INPUT;
        }
        const char *path = argv[optind + 1];

        _cleanup_(answer_diags_done) AnswerDiags d = {};
        _cleanup_answer_ Answer *a = NULL;
        _cleanup_hw_ Hardware *hw = NULL;
        _cleanup_resolved_ Resolved *res = NULL;

        int code = load_answer("answer validate", path, &a, &d);
        if (code == EXIT_OK && hardware) {
                code = get_hardware("answer validate", hardware, &hw);
                if (code != EXIT_OK)
                        return code;
                int r = answer_resolve(a, hw, &res, &d);
                if (r == -ENOMEM)
                        return log_oom(), EXIT_JOB_FAILED;
                code = r < 0 ? EXIT_BAD_INPUT : EXIT_OK;
        }
        print_diags(path, &d);
        if (code != EXIT_OK)
                return code;
        size_t warnings = d.n - answer_diags_errors(&d);
        printf("%s: valid answer file%s%s", path, hardware ? ", resolved against " : "", hardware ?: "");
        if (warnings)
                printf(" (%zu warning%s)", warnings, warnings == 1 ? "" : "s");
        printf("\n");
        return EXIT_OK;
}

const Verb verb_answer = {
        .name = "answer",
        .run = run_answer,
        .summary = "Validate an answer file (Proxmox-compatible TOML)",
        .usage =
                "Usage: forja answer validate FILE [--hardware H.json]\n"
                "       forja answer fetch [--dry-run] [-o FILE] [--hardware H.json]\n"
                "                          [--cmdline STRING] [--medium DIR] [--device DEV]...\n"
                "                          [--attempts N] [--timeout SEC]\n"
                "       forja answer fetch --system-info[=URL] [--hardware H.json]\n"
                "       forja answer countdown --console DEV... [--seconds N] [--source TEXT]\n"
                "\n"
                "Checks an answer file: TOML syntax, every key's type and allowed values,\n"
                "the rules between keys, and the disk counts a disk-list gives. With\n"
                "--hardware it also resolves disk and network filters, DHCP-dependent\n"
                "names and disk sizes against that hardware description (forja disks --json\n"
                "format, docs/hardware.md). FILE may be '-' for standard input.\n"
                "\n"
                "Prints every finding as FILE:LINE:COL: key: message, then one line saying\n"
                "the file is valid. See forja-answer(5) for the keys.\n"
                "\n"
                "Options:\n"
                "     --hardware H.json   Also resolve against this hardware description\n"
                "\n"
                "\n"
                "fetch runs the unattended installer's answer discovery and prints the\n"
                "answer (or writes it to FILE, mode 0600), with where it came from on\n"
                "standard error (\"Answer source:\" and \"Location:\" lines). Sources,\n"
                "first hit wins:\n"
                "  1. forja.answer= on the kernel command line (http, https, file:PATH on\n"
                "     the medium, partition:LABEL; placeholders {mac} {serial} {uuid}\n"
                "     {hostname}; forja.answer-fingerprint, forja.answer-token,\n"
                "     forja.answer-fallback=default)\n"
                "  2. the install medium (/run/forja/medium): the URL it was prepared with\n"
                "     (forja iso prepare --fetch-from http --url), or answer.toml on the\n"
                "     partition labelled as it says (--fetch-from partition; the label as\n"
                "     given, then upper, then lower case), else its answer.toml\n"
                "  (3. gone: no partition is read unless 1 or 2 names it)\n"
                "Only where forja.fetch-from=http is on the kernel command line or the\n"
                "medium was prepared --fetch-from http without --url (network discovery):\n"
                "  4. the URL of DHCP option 250 (certificate pinned by option 251), from\n"
                "     the network setup's files in /run/forja/net ($FORJA_NET_DIR)\n"
                "  5. the URL in DNS TXT proxmox-auto-installer.DOMAIN for each search\n"
                "     domain (pinned by TXT proxmox-auto-installer-cert-fingerprint.DOMAIN)\n"
                "Sources 4 and 5 are sent a POST of the system info (--system-info), as\n"
                "Proxmox's proxmox-fetch-answer does; a JSON reply is turned into TOML.\n"
                "A URL that was found (1, 4, 5) is final: its failure never falls through\n"
                "to a later source. {hostname} is the DHCP-offered host name. A URL found\n"
                "by discovery adds the line \"Discovered: yes\".\n"
                "A pin or a token never goes with an http:// URL (exit 2). A token goes to\n"
                "the URL of 4 or 5 only when forja.answer-fingerprint= or the medium pins\n"
                "it (option 251 or the TXT fingerprint does not count).\n"
                "  -n --dry-run          Only say where the answer would come from\n"
                "  -o --output FILE      Write the answer to FILE instead of standard output\n"
                "     --cmdline STRING   Use this kernel command line, not /proc/cmdline\n"
                "     --medium DIR       The mounted install medium\n"
                "     --device DEV       Probe only DEV for partition labels (repeatable)\n"
                "     --system-info[=URL] Print the JSON body POSTed to answer servers (to URL:\n"
                "                        without forja's fields for a Proxmox API server)\n"
                "     --attempts N       HTTP attempts for transient failures (default 5)\n"
                "     --timeout SEC      Time limit of each HTTP attempt (default 60)\n"
                "\n"
                "countdown shows on each console DEV that a discovered answer (--source)\n"
                "is about to be installed, for --seconds (default 10); a key pressed on\n"
                "any of them stops it: exit 1, and the installer starts interactively.\n"
                "\n"
                "Exit status: 0 valid or fetched, 2 invalid answer, bad parameters or bad\n"
                "usage, 1 the hardware could not be read or no answer could be fetched.\n",
};

/* ------------------------------------------------------------ plan */

static int run_plan(int argc, char *argv[]) {
        enum { ARG_ANSWER = 0x100, ARG_HARDWARE, ARG_JSON };
        static const struct option options[] = {
                { "answer", required_argument, NULL, ARG_ANSWER },
                { "hardware", required_argument, NULL, ARG_HARDWARE },
                { "json", no_argument, NULL, ARG_JSON },
                {}
        };
        const char *answer = NULL, *hardware = NULL;
        bool json = false;
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case ARG_ANSWER:
                        answer = optarg;
                        break;
                case ARG_HARDWARE:
                        hardware = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                default:
                        return EXIT_BAD_INPUT;
                }
        if (optind < argc) {
                log_error("plan: unexpected argument '%s'.", argv[optind]);
                return EXIT_BAD_INPUT;
        }
        if (!answer) {
                log_error("plan: --answer FILE is required.");
                return EXIT_BAD_INPUT;
        }

        _cleanup_(answer_diags_done) AnswerDiags d = {};
        _cleanup_answer_ Answer *a = NULL;
        _cleanup_hw_ Hardware *hw = NULL;
        _cleanup_resolved_ Resolved *res = NULL;
        _cleanup_json_ json_object *plan = NULL;

        int code = load_answer("plan", answer, &a, &d);
        if (code != EXIT_OK) {
                print_diags(answer, &d);
                return code;
        }
        code = get_hardware("plan", hardware, &hw);
        if (code != EXIT_OK)
                return code;
        int r = answer_resolve(a, hw, &res, &d);
        if (r >= 0)
                r = plan_build(res, answer, &plan, &d);
        if (r == -ENOMEM)
                return log_oom(), EXIT_JOB_FAILED;
        if (r < 0 || !json)
                print_diags(answer, &d);
        if (r < 0)
                return EXIT_BAD_INPUT;

        r = json ? json_print(stdout, plan) : plan_print_text(stdout, plan);
        if (r < 0)
                return log_error_errno(r, "plan: failed to print the plan: %m"), EXIT_JOB_FAILED;
        return EXIT_OK;
}

const Verb verb_plan = {
        .name = "plan",
        .run = run_plan,
        .summary = "Show what an answer file would do to this machine",
        .usage =
                "Usage: forja plan --answer FILE [--hardware H.json] [--json]\n"
                "\n"
                "Resolves the answer file against the hardware (this machine, or a saved\n"
                "hardware description) and prints the full install plan: the disks that\n"
                "will be erased (model, serial, size), the partition table of each, RAID,\n"
                "encryption, LVM volumes, ZFS or Btrfs layouts with sizes, the network\n"
                "configuration, host name, first-boot hook, webhooks and cluster settings.\n"
                "Sizes follow the Proxmox VE installer. Nothing is written to any disk.\n"
                "\n"
                "Options:\n"
                "     --answer FILE       The answer file ('-' for standard input)\n"
                "     --hardware H.json   Resolve against this hardware description instead of\n"
                "                         probing this machine\n"
                "     --json              Print the plan as JSON (docs/plan-json.md)\n"
                "\n"
                "Exit status: 0 plan printed, 2 the answer does not fit (findings printed as\n"
                "FILE:LINE:COL: key: message), 1 the hardware could not be read.\n",
};

/* ------------------------------------------------------------ device-match */

static void print_props(const AnswerFilters *f, const HwProperty *props, size_t n) {
        for (size_t j = 0; j < f->n; j++) {
                const char *v = udev_props_get(props, n, f->items[j].key);
                bool hit = v && udev_glob_match(f->items[j].glob, v);
                printf("  %s%s=%s", hit ? "" : "!", f->items[j].key, v ?: "(unset)");
        }
        printf("\n");
}

static int run_device_match(int argc, char *argv[]) {
        enum { ARG_MATCH = 0x100, ARG_HARDWARE };
        static const struct option options[] = {
                { "filter-match", required_argument, NULL, ARG_MATCH },
                { "hardware", required_argument, NULL, ARG_HARDWARE },
                {}
        };
        AnswerFilterMatch how = ANSWER_FILTER_ANY;
        const char *hardware = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case ARG_MATCH:
                        if (streq(optarg, "any"))
                                how = ANSWER_FILTER_ANY;
                        else if (streq(optarg, "all"))
                                how = ANSWER_FILTER_ALL;
                        else {
                                log_error("device-match: --filter-match must be 'any' or 'all', not '%s'.", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case ARG_HARDWARE:
                        hardware = optarg;
                        break;
                default:
                        return EXIT_BAD_INPUT;
                }
        if (optind >= argc || (!streq(argv[optind], "disk") && !streq(argv[optind], "network"))) {
                log_error("device-match: expected 'disk' or 'network' and KEY=GLOB filters.");
                return EXIT_BAD_INPUT;
        }
        bool disks = streq(argv[optind], "disk");
        if (optind + 1 >= argc) {
                log_error("device-match: give at least one KEY=GLOB filter, e.g. ID_SERIAL='*S2HRNX*'.");
                return EXIT_BAD_INPUT;
        }

        size_t n = (size_t) (argc - optind - 1);
        _cleanup_free_ AnswerFilter *items = calloc(n, sizeof(AnswerFilter));
        if (!items)
                return log_oom(), EXIT_JOB_FAILED;
        AnswerFilters f = { .items = items, .n = n };
        for (size_t i = 0; i < n; i++) {
                char *arg = argv[optind + 1 + i], *eq = strchr(arg, '=');
                if (!eq || eq == arg) {
                        log_error("device-match: '%s' is not KEY=GLOB.", arg);
                        return EXIT_BAD_INPUT;
                }
                *eq = 0;
                const char *why = udev_glob_check(eq + 1);
                if (why) {
                        log_error("device-match: invalid glob '%s' for %s: %s", eq + 1, arg, why);
                        return EXIT_BAD_INPUT;
                }
                items[i] = (AnswerFilter) { .key = arg, .glob = eq + 1 };
        }

        _cleanup_hw_ Hardware *hw = NULL;
        int code = get_hardware("device-match", hardware, &hw);
        if (code != EXIT_OK)
                return code;

        _cleanup_free_ size_t *m = NULL;
        size_t hits = 0, total = disks ? hw->n_disks : hw->n_nics;
        int r = disks ? hw_match_disks(hw, &f, how, &m, &hits) : hw_match_nics(hw, &f, how, &m, &hits);
        if (r < 0)
                return log_oom(), EXIT_JOB_FAILED;

        printf("%zu of %zu %s match (filter-match = %s):\n", hits, total, disks ? "disks" : "network interfaces",
               how == ANSWER_FILTER_ALL ? "all" : "any");
        for (size_t k = 0; k < total; k++) {
                bool hit = false;
                for (size_t i = 0; i < hits; i++)
                        hit = hit || m[i] == k;
                if (disks) {
                        const HwDisk *d = &hw->disks[k];
                        printf("%s %-14s %8.2f GiB  %s%s\n", hit ? "*" : " ", d->path ?: d->name,
                               (double) d->size_bytes / (1 << 30), strempty(d->model),
                               d->install_medium ? "  [install medium]" : "");
                        printf("   ");
                        print_props(&f, d->props, d->n_props);
                } else {
                        const HwNic *nic = &hw->nics[k];
                        printf("%s %-14s %s  %s\n", hit ? "*" : " ", nic->name, strempty(nic->mac), strempty(nic->driver));
                        printf("   ");
                        print_props(&f, nic->props, nic->n_props);
                }
        }
        return hits > 0 ? EXIT_OK : EXIT_JOB_FAILED;
}

const Verb verb_device_match = {
        .name = "device-match",
        .run = run_device_match,
        .summary = "Show which disks or NICs an answer-file filter selects",
        .usage =
                "Usage: forja device-match disk|network KEY=GLOB... [--filter-match any|all]\n"
                "                          [--hardware H.json]\n"
                "\n"
                "Evaluates udev property filters the way [disk-setup] filter.KEY and\n"
                "[network] filter.KEY do in an answer file, and lists every disk or network\n"
                "interface: '*' marks a match, '!' marks a property that does not match its\n"
                "glob. Globs: '*', '?', '[a-z]', '[!a-z]'; matching is case-sensitive.\n"
                "\n"
                "Options:\n"
                "     --filter-match any|all   A device must match any (default) or all globs\n"
                "     --hardware H.json        Use this hardware description instead of probing\n"
                "\n"
                "Exit status: 0 something matched, 1 nothing matched, 2 bad usage.\n",
};
