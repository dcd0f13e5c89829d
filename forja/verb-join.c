/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja join`: the first-boot front end of cluster-join. */

#include <cpuid.h>
#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster-internal.h"
#include "cluster-verbs.h"
#include "fileio.h"
#include "guest-check.h"
#include "guest-images.h"
#include "join.h"
#include "json-out.h"
#include "log.h"
#include "report.h"
#include "status.h"

/* When Incus became ready in this boot, in seconds since the kernel started
 * (CLOCK_MONOTONIC, the clock of systemd-analyze): written once per boot by
 * the first successful run, read by --status (docs/cluster.md). */
#define READY_FILE_DEFAULT "/run/forja/incus-ready"

static const char join_usage[] =
        "Usage: forja join [OPTIONS]\n"
        "       forja join --verify [--settings FILE]\n"
        "       forja join --status [--json]\n"
        "\n"
        "Brings the local Incus server to the state in this node's cluster settings:\n"
        "standalone, the first member of a new cluster (bootstrap), or a member of an\n"
        "existing cluster (join, with a join token). Run once at first boot by\n"
        "forja-join.service; running it again on a node that joined succeeds.\n"
        "The token is deleted after a successful join. Join tokens expire\n"
        "(cluster.join_token_expiry on the cluster, 3 hours by default).\n"
        "When the settings name a webhook file (the answer's post-installation\n"
        "webhook), the result is POSTed there: event cluster-joined or\n"
        "cluster-join-failed; the file is deleted once cluster-joined was delivered.\n"
        "\n"
        "Options:\n"
        "     --settings FILE  Cluster settings (default " CLUSTER_SETTINGS_PATH ")\n"
        "     --socket PATH    incusd socket (default $INCUS_DIR/unix.socket, else\n"
        "                      " INCUS_DEFAULT_SOCKET ")\n"
        "     --verify         Only check the token and its cluster, as the installer\n"
        "                      does before wiping (decode, expiry, name, TLS pin)\n"
        "     --status         Print this node's cluster state\n"
        "     --json           With --status: JSON output\n"
        "     --attempts N     Tries for transient failures (default 5)\n"
        "     --timeout SEC    Wait this long for incusd and for the member to be\n"
        "                      Online (default 60)\n"
        "     --ready-file PATH  Where the boot's ready time is kept (default\n"
        "                      " READY_FILE_DEFAULT ")\n"
        "     --guest-images DIR  Import the built-in guest images from DIR (default\n"
        "                      " GUEST_IMAGES_DIR "; standalone and bootstrap)\n"
        "\n"
        "Exit status: 0 done, 1 the join failed (unreachable cluster, certificate\n"
        "mismatch, Incus error), 2 bad settings or token (undecodable, expired, made\n"
        "for another name).\n";

static const char *arg_settings = CLUSTER_SETTINGS_PATH;
static const char *arg_ready_file = READY_FILE_DEFAULT;
static const char *arg_socket;
static const char *arg_guest_images;
static bool arg_verify, arg_status, arg_json;
static unsigned arg_attempts = 5, arg_timeout = 60;

static int parse_unsigned(const char *s, unsigned min, unsigned max, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_SETTINGS = 0x100, ARG_SOCKET, ARG_VERIFY, ARG_STATUS, ARG_JSON, ARG_ATTEMPTS, ARG_TIMEOUT, ARG_READY_FILE, ARG_GUEST_IMAGES };
        static const struct option options[] = {
                { "settings", required_argument, NULL, ARG_SETTINGS },
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "verify", no_argument, NULL, ARG_VERIFY },
                { "status", no_argument, NULL, ARG_STATUS },
                { "json", no_argument, NULL, ARG_JSON },
                { "attempts", required_argument, NULL, ARG_ATTEMPTS },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "ready-file", required_argument, NULL, ARG_READY_FILE },
                { "guest-images", required_argument, NULL, ARG_GUEST_IMAGES },
                {}
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_SETTINGS: arg_settings = optarg; break;
                case ARG_SOCKET: arg_socket = optarg; break;
                case ARG_READY_FILE: arg_ready_file = optarg; break;
                case ARG_GUEST_IMAGES: arg_guest_images = optarg; break;
                case ARG_VERIFY: arg_verify = true; break;
                case ARG_STATUS: arg_status = true; break;
                case ARG_JSON: arg_json = true; break;
                case ARG_ATTEMPTS:
                        if (parse_unsigned(optarg, 1, 100, &arg_attempts) < 0)
                                return log_error_errno(EINVAL, "join: --attempts must be 1..100, not '%s'.", optarg);
                        break;
                case ARG_TIMEOUT:
                        if (parse_unsigned(optarg, 1, 3600, &arg_timeout) < 0)
                                return log_error_errno(EINVAL, "join: --timeout must be 1..3600 seconds, not '%s'.", optarg);
                        break;
                case ':':
                        return log_error_errno(EINVAL, "join: option '%s' needs an argument.", argv[optind - 1]);
                default:
                        return log_error_errno(EINVAL, "join: unknown option '%s'. See 'forja join --help'.", argv[optind - 1]);
                }
        if (optind < argc)
                return log_error_errno(EINVAL, "join: unexpected argument '%s'.", argv[optind]);
        if (arg_json && !arg_status)
                return log_error_errno(EINVAL, "join: --json only goes with --status.");
        if (arg_status && arg_verify)
                return log_error_errno(EINVAL, "join: --status and --verify exclude each other.");
        return 1;
}

int cluster_exit_code(int r) {
        switch (r) {
        case 0:
                return EXIT_OK;
        case -EBADMSG:
        case -EKEYEXPIRED:
        case -ESRCH:
        case -EINVAL:
                return EXIT_BAD_INPUT;
        default:
                return EXIT_JOB_FAILED;
        }
}

/* The ready time this boot recorded, as text ("12.3"); NULL when none was. */
static char *ready_read(void) {
        _cleanup_free_ char *line = NULL;
        if (read_one_line_file(arg_ready_file, &line) < 0)
                return NULL;
        char *end;
        errno = 0;
        double v = strtod(line, &end);
        if (errno || end == line || *end || v < 0)
                return NULL;
        return TAKE_PTR(line);
}

/* Records when Incus became ready, once per boot (the file lives in /run),
 * and says it on stdout, which forja-join.service also sends to the console. */
static void ready_record(const char *server_name) {
        _cleanup_free_ char *known = ready_read(), *text = NULL, *dir = NULL;
        if (known) {
                printf("FORJA-INCUS-READY ready_s=%s server=%s (recorded earlier in this boot)\n", known,
                       strempty(server_name));
                return;
        }
        double now = cluster_monotonic_sec();
        if (asprintf(&text, "%.1f\n", now) < 0 || !(dir = strdup(arg_ready_file)))
                return (void) log_oom();
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        log_warning_errno(errno, "join: cannot create %s: %m", dir);
        }
        int r = write_file_atomic(arg_ready_file, text, strlen(text), 0644);
        if (r < 0)
                log_warning_errno(r, "join: cannot record the ready time in %s: %m", arg_ready_file);
        printf("FORJA-INCUS-READY ready_s=%.1f server=%s\n", now, strempty(server_name));
}

static int show_status(void) {
        IncusClient c;
        _cleanup_json_ json_object *st = NULL;
        _cleanup_free_ char *err = NULL;
        int r = incus_client_init(&c, arg_socket);
        if (r < 0)
                return log_oom(), EXIT_JOB_FAILED;
        r = cluster_status_get(&c, &st, &err);
        incus_client_done(&c);
        if (r < 0) {
                log_error("join: %s", err ?: strerror(-r));
                return EXIT_JOB_FAILED;
        }
        _cleanup_free_ char *ready = ready_read();
        if (ready && json_add(st, "ready_s", json_object_new_double_s(strtod(ready, NULL), ready)) < 0)
                return log_oom(), EXIT_JOB_FAILED;
        if (arg_json)
                json_print(stdout, st);
        else
                cluster_status_print(stdout, st);
        return EXIT_OK;
}

static void log_progress(void *userdata, const char *message) {
        log_info("%s", message);
}

/* After a join the token is useless, and a secret: remove it from disk. */
static int forget_token(ClusterSettings *s) {
        if (s->token) {
                explicit_bzero(s->token, strlen(s->token));
                free(s->token);
                s->token = NULL;
                return cluster_settings_write(s, arg_settings);
        }
        const char *path = s->token_file ?: CLUSTER_TOKEN_PATH;
        if (unlink(path) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Hardware *, hardware_free);

/* The answer's webhook, when the settings name one; its auth token joins
 * the secrets kept out of every log line and body. */
static int load_webhook(const ClusterSettings *s, ClusterWebhook *ret) {
        _cleanup_free_ char *err = NULL;
        if (!s->webhook_file)
                return 0;
        int r = cluster_webhook_load(s->webhook_file, ret, &err);
        if (r == -ENOENT) {
                log_debug("Webhook: %s does not exist: nothing to report (a cluster-joined report was delivered before).",
                          s->webhook_file);
                return 0;
        }
        if (r < 0) {
                log_warning("Webhook: no report will be sent: %s", err ?: strerror(-r));
                return 0;
        }
        (void) log_register_secret(ret->auth_token);
        return 1;
}

/* One POST with this run's result. A report that cannot be delivered is
 * logged and changes nothing else; the webhook file goes once cluster-joined
 * was delivered, so a later run (a reboot) does not report again. */
static void report_result(const ClusterSettings *s, const ClusterWebhook *w, const ClusterJoinResult *res,
                          const char *error, const GuestCheckReport *guests, const char *guests_error) {
        _cleanup_free_ char *name = NULL, *host = NULL, *err = NULL, *ready = error ? NULL : ready_read();
        _cleanup_json_ json_object *status = NULL, *body = NULL;
        _cleanup_(hardware_freep) Hardware *hw = NULL;
        char buf[256] = {};

        if (!error) {
                IncusClient c;
                if (incus_client_init(&c, arg_socket) == 0) {
                        if (cluster_status_get(&c, &status, &err) < 0)
                                log_warning("Webhook: the member list is left out of the report: %s", strempty(err));
                        incus_client_done(&c);
                }
        }
        if (!res->server_name)
                (void) cluster_settings_server_name(s, &name);
        if (hardware_probe(NULL, &hw) < 0)
                log_debug("Webhook: no dmi in the report (hardware probe failed).");
        if (!w->fqdn && gethostname(buf, sizeof buf - 1) == 0)
                host = strdup(buf);

        ClusterReport rep = {
                .mode = s->mode,
                .server_name = res->server_name ?: name,
                .cluster_address = s->address,
                .joined_through = res->cluster_address,
                .status = status,
                .error = error,
                .ready_s = ready,
                .guests = guests,
                .guests_error = guests_error,
                .fqdn = w->fqdn ?: host,
                .hw = hw,
        };
        const char *event = error ? CLUSTER_EVENT_JOIN_FAILED : CLUSTER_EVENT_JOINED;
        body = cluster_report_body(&rep);
        free(err);
        err = NULL;
        int r = body ? cluster_report_send(w, body, &err) : -ENOMEM;
        if (r < 0) {
                log_warning("Webhook: the %s report was not delivered (the result of forja join stands): %s", event,
                            err ?: strerror(-r));
                return;
        }
        log_info("Webhook: %s report delivered to %s.", event, w->url);
        if (!error && unlink(s->webhook_file) < 0 && errno != ENOENT)
                log_warning_errno(errno, "Webhook: could not delete %s: %m", s->webhook_file);
}

/* True on a node that QEMU emulates without KVM: CPUID's hypervisor
 * signature is "TCGTCGTCGTCG" (what systemd-detect-virt calls "qemu"). A VM
 * with Incus's UEFI firmware on such a node's emulated AMD-V makes the outer
 * QEMU abort (docs/nested-vms.md). */
static bool node_is_emulated(void) {
        unsigned a, b, c, d;
        char sig[13];
        if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
                return false;
        __cpuid(0x40000000, a, b, c, d);
        memcpy(sig, &b, 4);
        memcpy(sig + 4, &c, 4);
        memcpy(sig + 8, &d, 4);
        sig[12] = 0;
        return streq(sig, "TCGTCGTCGTCG");
}

/* Runs the guest check (forja check --guests with its defaults) and says
 * its verdict on stdout, which forja-join.service sends to the console:
 *   FORJA-GUESTS verdict=pass|fail container_start_s=S|- vm_start_s=S|-
 * and a line per step that did not pass. */
static bool run_guest_check(GuestCheckReport *ret, char **ret_error) {
        /* On an emulated node the test VM runs emulated too, as the quick
         * start's report does it: it starts with the node's firmware and
         * devices, and is far too slow to answer (a fail with its reason). */
        static char *const tcg_vm_config[] = { (char *) "raw.qemu.conf=[machine]\naccel = \"tcg\"",
                                               (char *) "raw.qemu=-cpu max", NULL };
        GuestCheckOptions o = { .socket = arg_socket, .progress = log_progress };
        if (node_is_emulated()) {
                o.vm_config = (char **) tcg_vm_config;
                o.vm_timeout_sec = 120;
                log_info("This node runs in QEMU without KVM: the test VM runs emulated (TCG) and gets 120 s.");
        }
        log_info("Checking that guests run here (cluster.check-guests): a throw-away container and VM.");
        int r = guest_check_run(&o, ret, ret_error);
        if (r < 0) {
                if (!*ret_error)
                        *ret_error = strdup(strerror(-r));
                printf("FORJA-GUESTS verdict=fail error=%s\n", strempty(*ret_error));
                fflush(stdout);
                return false;
        }
        char ct[32] = "-", vm[32] = "-";
        if (ret->container_start_s >= 0)
                snprintf(ct, sizeof ct, "%.1f", ret->container_start_s);
        if (ret->vm_start_s >= 0)
                snprintf(vm, sizeof vm, "%.1f", ret->vm_start_s);
        printf("FORJA-GUESTS verdict=%s container_start_s=%s vm_start_s=%s\n",
               guest_check_report_ok(ret) ? "pass" : "fail", ct, vm);
        for (size_t i = 0; i < ret->n_results; i++)
                if (ret->results[i].status != GUEST_CHECK_PASS)
                        printf("FORJA-GUESTS %s %s: %s\n", ret->results[i].id,
                               guest_check_status_to_string(ret->results[i].status), strempty(ret->results[i].message));
        fflush(stdout);
        return true;
}

static int verb_join_run(int argc, char *argv[]) {
        _cleanup_(cluster_settings_done) ClusterSettings s = {};
        _cleanup_(cluster_join_result_done) ClusterJoinResult res = {};
        _cleanup_(cluster_webhook_done) ClusterWebhook webhook = {};
        _cleanup_free_ char *err = NULL;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_BAD_INPUT : EXIT_OK;
        if (arg_status)
                return show_status();

        r = cluster_settings_load(arg_settings, &s, &err);
        if (r < 0) {
                log_error("join: %s", err ?: strerror(-r));
                return r == -ENOMEM ? EXIT_JOB_FAILED : EXIT_BAD_INPUT;
        }
        /* Keep the token (inline or from its file) out of every log line. */
        _cleanup_free_ char *token = NULL;
        if (s.mode == CLUSTER_MODE_JOIN && cluster_settings_token(&s, &token, NULL) == 0) {
                _cleanup_(cluster_token_done) ClusterToken t = {};
                log_register_secret(token);
                /* The secret inside it too (real ones are 64 hex digits). */
                if (cluster_token_decode(token, &t, NULL) == 0 && t.secret && strlen(t.secret) >= 16)
                        log_register_secret(t.secret);
        }

        if (arg_verify) {
                r = cluster_verify(&s, &err);
                if (r < 0) {
                        log_error("join: %s", err ?: strerror(-r));
                        return cluster_exit_code(r);
                }
                printf("%s\n", s.mode == CLUSTER_MODE_JOIN
                                       ? (s.verify ? "The join token is valid and its cluster answered with the pinned certificate."
                                                   : "The join token is valid (cluster not contacted: verify = false).")
                                       : "Nothing to verify: this node does not join a cluster.");
                return EXIT_OK;
        }

        bool report = load_webhook(&s, &webhook) > 0;
        ClusterJoinOptions o = {
                .socket = arg_socket,
                .attempts = arg_attempts,
                .daemon_wait_sec = arg_timeout,
                .online_wait_sec = arg_timeout,
                .guest_images_dir = arg_guest_images,
                .progress = log_progress,
        };
        double t0 = cluster_monotonic_sec();
        r = cluster_join_run(&s, &o, &res, &err);
        double took = cluster_monotonic_sec() - t0;
        if (r < 0) {
                log_error("join: %s", err ?: strerror(-r));
                if (report)
                        report_result(&s, &webhook, &res, err ?: strerror(-r), NULL, NULL);
                return cluster_exit_code(r);
        }
        if (s.mode == CLUSTER_MODE_JOIN) {
                r = forget_token(&s);
                if (r < 0)
                        log_warning_errno(r, "join: joined, but could not delete the token: %m");
        }
        if (res.already_done)
                printf("Nothing to do: '%s' is already %s.\n", res.server_name,
                       s.mode == CLUSTER_MODE_STANDALONE ? "set up standalone" : "an Online cluster member");
        else if (s.mode == CLUSTER_MODE_JOIN)
                printf("Joined the cluster through %s as '%s' in %.1f s (%u attempt%s).\n", res.cluster_address,
                       res.server_name, took, res.attempts, res.attempts == 1 ? "" : "s");
        else if (s.mode == CLUSTER_MODE_BOOTSTRAP)
                printf("Bootstrapped a new cluster as '%s' in %.1f s.\n", res.server_name, took);
        else
                printf("Set up '%s' standalone in %.1f s.\n", res.server_name, took);
        fflush(stdout);
        ready_record(res.server_name);
        fflush(stdout);
        /* The guest check the answer asked for (cluster.check-guests): once
         * per setup, or again while a report is still to be delivered. Its
         * verdict does not change forja join's exit status. */
        _cleanup_(guest_check_report_done) GuestCheckReport guests = {};
        _cleanup_free_ char *guests_error = NULL;
        bool ran = false;
        if (s.check_guests && (!res.already_done || report))
                ran = run_guest_check(&guests, &guests_error);
        if (report)
                report_result(&s, &webhook, &res, NULL, ran ? &guests : NULL, guests_error);
        return EXIT_OK;
}

const Verb verb_join = {
        .name = "join",
        .run = verb_join_run,
        .summary = "Bootstrap or join an Incus cluster from the node's cluster settings",
        .usage = join_usage,
};
