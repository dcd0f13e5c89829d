/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja: one binary, a table of subcommands (check, answer, plan, install, ...). */

#include <getopt.h>
#include <signal.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "spawn.h"
#include "verbs-list.h"

static int verb_help(int argc, char *argv[]);
static int verb_version(int argc, char *argv[]);

static const Verb builtin_verbs[] = {
        { "help", verb_help, "Show help for forja or for one subcommand",
          "Usage: forja help [SUBCOMMAND]\n\nShows the list of subcommands, or the help of one.\n" },
        { "version", verb_version, "Show the version", "Usage: forja version\n" },
};

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(builtin_verbs); i++)
                if (streq(builtin_verbs[i].name, name))
                        return &builtin_verbs[i];
        for (const Verb *const *v = component_verbs; *v; v++)
                if (streq((*v)->name, name))
                        return *v;
        return NULL;
}

static void print_main_help(FILE *f) {
        fprintf(f,
                "Usage: forja [--log-level LEVEL] [--log-file FILE] [--argv-log FILE] SUBCOMMAND [ARGS...]\n"
                "\n"
                "Installs and provisions hypervisor nodes (Debian, QEMU/KVM, LXC, Incus).\n"
                "\n"
                "Subcommands:\n");
        for (const Verb *const *v = component_verbs; *v; v++)
                fprintf(f, "  %-14s %s\n", (*v)->name, (*v)->summary);
        for (size_t i = 0; i < ELEMENTSOF(builtin_verbs); i++)
                fprintf(f, "  %-14s %s\n", builtin_verbs[i].name, builtin_verbs[i].summary);
        fprintf(f,
                "\n"
                "Options:\n"
                "  -h --help              Show this help\n"
                "  -V --version           Show the version\n"
                "     --log-level LEVEL   error, warning, notice, info (default) or debug\n"
                "     --log-file FILE     Also append every log line to FILE\n"
                "     --argv-log FILE     Append every command forja runs to FILE (secrets masked)\n"
                "\n"
                "Exit status: 0 success, 1 the job failed, 2 bad usage or bad input.\n"
                "See 'forja help SUBCOMMAND' and forja(8).\n");
}

static int verb_help(int argc, char *argv[]) {
        if (argc < 2) {
                print_main_help(stdout);
                return EXIT_OK;
        }
        if (argc > 2) {
                log_error("help: too many arguments.");
                return EXIT_BAD_INPUT;
        }
        const Verb *v = find_verb(argv[1]);
        if (!v) {
                log_error("help: unknown subcommand '%s'. See 'forja --help'.", argv[1]);
                return EXIT_BAD_INPUT;
        }
        fputs(v->usage, stdout);
        return EXIT_OK;
}

static int verb_version(int argc, char *argv[]) {
        if (argc > 1) {
                log_error("version: unexpected argument '%s'.", argv[1]);
                return EXIT_BAD_INPUT;
        }
        printf("forja %s\n", FORJA_VERSION);
        return EXIT_OK;
}

/* Returns <0 on error, 0 when done (help/version printed), >0 when a verb follows at optind. */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_LOG_LEVEL = 0x100, ARG_LOG_FILE, ARG_ARGV_LOG };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "log-file", required_argument, NULL, ARG_LOG_FILE },
                { "argv-log", required_argument, NULL, ARG_ARGV_LOG },
                {}
        };
        int c, r;

        opterr = 0;
        /* '+': stop at the first non-option, the verb owns the rest. */
        while ((c = getopt_long(argc, argv, "+:hV", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        print_main_help(stdout);
                        return 0;
                case 'V':
                        return verb_version(1, argv), 0;
                case ARG_LOG_LEVEL: {
                        LogLevel l;
                        if (log_parse_level(optarg, &l) < 0)
                                return log_error_errno(EINVAL, "Invalid --log-level '%s' (error, warning, notice, info, debug).", optarg);
                        log_set_max_level(l);
                        break;
                }
                case ARG_LOG_FILE:
                        r = log_open_file(optarg);
                        if (r < 0)
                                return log_error_errno(r, "Failed to open log file '%s': %m", optarg);
                        break;
                case ARG_ARGV_LOG:
                        if (spawn_set_argv_log(optarg) < 0)
                                return log_oom();
                        break;
                case ':':
                        return log_error_errno(EINVAL, "Option '%s' needs an argument.", argv[optind - 1]);
                default:
                        return log_error_errno(EINVAL, "Unknown option '%s'. See 'forja --help'.", argv[optind - 1]);
                }
        if (optind >= argc)
                return log_error_errno(EINVAL, "No subcommand given. See 'forja --help'.");
        return 1;
}

static int run(int argc, char *argv[]) {
        int r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_BAD_INPUT : EXIT_OK;

        const Verb *v = find_verb(argv[optind]);
        if (!v) {
                log_error("Unknown subcommand '%s'. See 'forja --help'.", argv[optind]);
                return EXIT_BAD_INPUT;
        }
        /* `forja VERB --help` is handled here for every verb alike. */
        for (int i = optind + 1; i < argc; i++) {
                if (streq(argv[i], "--"))
                        break;
                if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
                        fputs(v->usage, stdout);
                        return EXIT_OK;
                }
        }
        /* The verb parses its own options from a fresh getopt state. */
        int first = optind;
        optind = 0;
        opterr = 1;
        return v->run(argc - first, argv + first);
}

int main(int argc, char *argv[]) {
        /* A write to a peer that went away (a child that exited early, a webhook
         * server that closed the connection) must fail with EPIPE and go through
         * the unwind, not kill the installer. Children get SIGPIPE back in spawn. */
        signal(SIGPIPE, SIG_IGN);
        int code = run(argc, argv);
        log_close_file();
        log_forget_secrets();
        fflush(stdout);
        return code;
}
