/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja install`: the unattended front end of the install engine. It finds
 * the answer (--answer, or the discovery of `forja answer fetch`), probes
 * the machine, builds the plan, and runs the engine, reporting stages and
 * progress as plain lines a serial console can carry. */

#include <getopt.h>
#include <sys/reboot.h>
#include <time.h>

#define FORJA_CLEANUP_JSON
#include "env-hooks.h"
#include "answer-resolve.h"
#include "cleanup-libs.h"
#include "cluster-setup.h"
#include "engine.h"
#include "fileio.h"
#include "hardware.h"
#include "image-http.h"
#include "install-front.h"
#include "json-out.h"
#include "kernel-cmdline.h"
#include "log.h"
#include "netup.h"
#include "plan.h"
#include "source.h"
#include "target-path.h"
#include "tui.h"
#include "verb.h"
#include "webhook.h"

#define MEDIUM_DIR INSTALL_MEDIUM_DIR

typedef struct TextUi {
        unsigned last_percent;
        const char *stage;
} TextUi;

static void text_stage_begin(void *userdata, unsigned index, unsigned n, const char *name) {
        TextUi *t = userdata;
        t->stage = name;
        t->last_percent = 101;
        printf("FORJA-STAGE %u/%u %s\n", index, n, name);
        fflush(stdout);
}

static void text_stage_end(void *userdata, const char *name, int r, uint64_t usec) {
        printf("FORJA-STAGE-END %s %s %.1fs\n", name, r < 0 ? "failed" : "ok", usec / 1e6);
        fflush(stdout);
}

static void text_progress(void *userdata, uint64_t done, uint64_t total, const char *unit) {
        TextUi *t = userdata;
        if (total == 0)
                return;
        unsigned pct = (unsigned) (done * 100 / total);
        /* Every 10 %, so a serial console is not flooded. */
        if (t->last_percent != 101 && pct / 10 == t->last_percent / 10)
                return;
        t->last_percent = pct;
        printf("FORJA-PROGRESS %s %u%% (%llu of %llu %s)\n", strempty(t->stage), pct,
               (unsigned long long) done, (unsigned long long) total, unit);
        fflush(stdout);
}

/* The serial console the install ran on: the last console=ttyS... of the
 * command line (ttyS0,115200n8), whichever console comes last. */
static char *serial_console_from_cmdline(const char *cmdline) {
        const char *p = cmdline ?: "";
        char *serial = NULL;
        for (;;) {
                _cleanup_free_ char *k = NULL, *v = NULL;
                if (kernel_cmdline_next(&p, &k, &v) <= 0)
                        return serial;
                if (streq(k, "console") && v && startswith(v, "ttyS")) {
                        free(serial);
                        serial = TAKE_PTR(v);
                }
        }
}

static int load_answer_text(const char *source, const Hardware *hw, char **ret_text, size_t *ret_size, char **ret_name) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (source && !startswith(source, "http://") && !startswith(source, "https://")) {
                r = read_full_file(source, 1u << 20, ret_text, ret_size);
                if (r < 0)
                        return log_error_errno(r, "install: cannot read the answer file '%s': %m", source), EXIT_BAD_INPUT;
                *ret_name = strdup(source);
                return EXIT_OK;
        }
        /* A URL given here is handled exactly like forja.answer= on the kernel command line. */
        _cleanup_free_ char *cmdline = NULL;
        if (source && asprintf(&cmdline, "forja.answer=%s", source) < 0)
                return log_oom(), EXIT_JOB_FAILED;
        AnswerFetchOptions o = {
                .medium_dir = access(MEDIUM_DIR, F_OK) == 0 ? MEDIUM_DIR : NULL,
                .cmdline = cmdline,
        };
        AnswerFetched f = {};
        r = answer_fetch(&o, hw, &f, &error);
        if (r < 0) {
                log_error("install: %s", error ?: strerror(-r));
                return r == -EINVAL ? EXIT_BAD_INPUT : EXIT_JOB_FAILED;
        }
        log_info("Answer from %s.", f.source);
        *ret_text = TAKE_PTR(f.data);
        *ret_size = f.size;
        *ret_name = f.location ? TAKE_PTR(f.location) : strdup("answer.toml");
        answer_fetched_done(&f);
        return EXIT_OK;
}

static int run_install(int argc, char *argv[]) {
        enum { ARG_ANSWER = 0x100, ARG_IMAGE, ARG_MANIFEST, ARG_IMAGE_FINGERPRINT, ARG_TARGET, ARG_HARDWARE, ARG_FINISH };
        static const struct option options[] = {
                { "answer", required_argument, NULL, ARG_ANSWER },
                { "image", required_argument, NULL, ARG_IMAGE },
                { "manifest", required_argument, NULL, ARG_MANIFEST },
                { "image-fingerprint", required_argument, NULL, ARG_IMAGE_FINGERPRINT },
                { "target", required_argument, NULL, ARG_TARGET },
                { "hardware", required_argument, NULL, ARG_HARDWARE },
                { "finish", required_argument, NULL, ARG_FINISH },
                { "dry-run", no_argument, NULL, 'n' },
                {}
        };
        const char *answer_src = NULL, *image = NULL, *manifest = NULL, *target = NULL,
                   *hardware = NULL, *finish = "none", *image_fp = NULL;
        bool dry_run = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "n", options, NULL)) >= 0)
                switch (c) {
                case ARG_ANSWER: answer_src = optarg; break;
                case ARG_IMAGE: image = optarg; break;
                case ARG_MANIFEST: manifest = optarg; break;
                case ARG_IMAGE_FINGERPRINT: image_fp = optarg; break;
                case ARG_TARGET:
                        if (target_path_check(optarg) < 0) {
                                log_error("install: --target '%s': the new system needs a directory of its own, "
                                          "an absolute path without '..' that is not the root directory.", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        target = optarg;
                        break;
                case ARG_HARDWARE: hardware = optarg; break;
                case ARG_FINISH:
                        if (!streq(optarg, "none") && !streq(optarg, "answer")) {
                                log_error("install: --finish takes 'none' or 'answer', not '%s'.", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        finish = optarg;
                        break;
                case 'n': dry_run = true; break;
                default: return EXIT_BAD_INPUT;
                }
        if (optind < argc) {
                log_error("install: unexpected argument '%s'.", argv[optind]);
                return EXIT_BAD_INPUT;
        }
        /* FORJA_TEST_HARDWARE_INSTALL: the webhook tests run a failing install on the
         * host against a described machine whose disks do not exist (checked below). */
        bool test_hardware = hardware && !dry_run && env_hook(ENV_FORJA_TEST_HARDWARE_INSTALL);
        if (hardware && !dry_run && !test_hardware) {
                log_error("install: --hardware describes another machine; it only goes with --dry-run.");
                return EXIT_BAD_INPUT;
        }

        /* The log lines a failure report (webhook) carries. */
        (void) log_keep_tail(WEBHOOK_LOG_LINES);

        /* The machine, as it is now. */
        Hardware *hw = NULL;
        _cleanup_free_ char *hw_error = NULL;
        r = hardware ? hardware_load_json(hardware, &hw, &hw_error) : hardware_probe(NULL, &hw);
        if (r < 0) {
                log_error("install: %s: %s", hardware ?: "probing the hardware", hw_error ?: strerror(-r));
                return hardware ? EXIT_BAD_INPUT : EXIT_JOB_FAILED;
        }
        for (size_t i = 0; test_hardware && i < hw->n_disks; i++)
                if (hw->disks[i].path && access(hw->disks[i].path, F_OK) == 0) {
                        log_error("install: FORJA_TEST_HARDWARE_INSTALL: %s of %s exists on this machine; refusing.",
                                  hw->disks[i].path, hardware);
                        hardware_free(hw);
                        return EXIT_BAD_INPUT;
                }

        /* The node image: --image, else forja.image= (a network boot), else the medium's. */
        _cleanup_free_ char *cmdline = NULL, *serial = NULL, *source_error = NULL;
        if (hw->kernel_cmdline)         /* probed from /proc/cmdline, or the described machine's */
                cmdline = strdup(hw->kernel_cmdline);
        else
                (void) read_one_line_file("/proc/cmdline", &cmdline);
        _cleanup_(install_source_done) InstallSource source = {};
        if (install_source_resolve(&source, image, manifest, image_fp, cmdline, MEDIUM_DIR) < 0) {
                hardware_free(hw);
                return log_oom(), EXIT_JOB_FAILED;
        }
        if (install_source_check(&source, &source_error) < 0) {
                hardware_free(hw);
                log_error("install: %s; nothing was written.", source_error);
                return EXIT_BAD_INPUT;
        }

        /* No answer given or found, and a person at a terminal: the text-mode
         * installer. (That check ignores network discovery: a person at the
         * TUI is not overruled by a DHCP server. --finish answer is /init's
         * unattended run, after the countdown of a discovered answer.) */
        if (!answer_src && !streq(finish, "answer") && tui_wanted() && !tui_answer_available(hw, MEDIUM_DIR)) {
                int tui_code = tui_install(&(TuiOptions) { .hw = hw, .dry_run = dry_run, .image = source.image,
                                                           .manifest = source.manifest,
                                                           .image_fingerprint = source.fingerprint,
                                                           .target = target });
                hardware_free(hw);
                return tui_code;
        }

        _cleanup_free_ char *text = NULL, *name = NULL;
        size_t size = 0;
        int code = load_answer_text(answer_src, hw, &text, &size, &name);
        if (code != EXIT_OK) {
                hardware_free(hw);
                return code;
        }

        _cleanup_(answer_diags_done) AnswerDiags d = {};
        Answer *a = NULL;
        _cleanup_json_ json_object *plan = NULL;
        r = plan_make(text, size, name, hw, &a, &plan, &d);
        answer_diags_sort(&d);
        answer_diags_print(stderr, name, &d);
        if (r < 0) {
                hardware_free(hw);
                log_error("install: the answer cannot be installed on this machine; nothing was written.");
                return r == -ENOMEM ? EXIT_JOB_FAILED : EXIT_BAD_INPUT;
        }
        if (dry_run) {
                r = plan_print_text(stdout, plan);
                answer_free(a);
                hardware_free(hw);
                return r < 0 ? EXIT_JOB_FAILED : EXIT_OK;
        }

        serial = serial_console_from_cmdline(cmdline);
        if (image_is_url(source.image))
                log_info("Node image %s, manifest %s (streamed, verified chunk by chunk).", source.image,
                         source.manifest);

        TextUi tui = {};
        InstallUi ui = {
                .userdata = &tui,
                .stage_begin = text_stage_begin,
                .stage_end = text_stage_end,
                .progress = text_progress,
        };
        InstallFrontHooks hooks;
        InstallContext ctx = {
                .plan = plan,
                .answer = a,
                .answer_text = text,
                .answer_size = size,
                .hw = hw,
                .image = source.image,
                .manifest = source.manifest,
                .image_fingerprint = source.fingerprint,
                .target = target,
                .serial_console = serial,
                .log_path = log_file_path(),    /* forja --log-file (the installer's /init passes one) */
                .ui = &ui,
        };
        install_front_hooks_install(&hooks, &ctx);
        _cleanup_free_ char *net_error = NULL;
        if (!target && netup_management(plan, &net_error) < 0)
                log_warning("install: %s", net_error);

        printf("FORJA-INSTALL-START answer=%s\n", name);
        fflush(stdout);
        r = install_run(&ctx);
        install_print_summary(stdout, &ctx);
        if (r < 0) {
                printf("FORJA-INSTALL-FAILED stage=%s\n", install_stage_name(ctx.failed_stage));
                log_error("install: stage %s failed: %s", install_stage_name(ctx.failed_stage), strempty(ctx.error));
                /* -ECANCELED at the disks stage: a hook (the cluster
                 * verification) refused before its first write. */
                if (ctx.failed_stage < STAGE_DISKS || (ctx.failed_stage == STAGE_DISKS && r == -ECANCELED))
                        log_error("install: nothing was written to any disk.");
        } else
                printf("FORJA-INSTALL-OK\n");
        fflush(stdout);

        const char *mode = json_get_string(json_get(plan, "system"), "reboot-mode");
        bool reboot_on_error = json_get_bool(json_get(plan, "system"), "reboot-on-error");
        InstallStage failed_stage = ctx.failed_stage;
        install_context_done(&ctx);
        install_front_hooks_done(&hooks);
        answer_free(a);
        hardware_free(hw);

        if (streq(finish, "answer") && r < 0 && !reboot_on_error) {
                /* No reboot loop: the machine waits for someone to look (the installer's init keeps a shell). */
                printf("FORJA-INSTALL-WAITING reboot-on-error=false\n");
                fprintf(stderr, "\nThe installation failed in stage %s. Not rebooting (global.reboot-on-error is false):\n"
                        "the machine waits here. Read the error above; a shell is available on the console.\n",
                        install_stage_name(failed_stage));
                fflush(stdout);
        }
        if (streq(finish, "answer") && (r >= 0 || reboot_on_error)) {
                sync();
                (void) reboot(streq_ptr(mode, "power-off") ? RB_POWER_OFF : RB_AUTOBOOT);
        }
        return r < 0 ? EXIT_JOB_FAILED : EXIT_OK;
}

const Verb verb_install = {
        .name = "install",
        .run = run_install,
        .summary = "Install a node unattended from an answer file",
        .usage =
                "Usage: forja install [--answer FILE|URL] [--image FILE|URL] [--manifest FILE|URL]\n"
                "                     [--image-fingerprint SHA256] [--target DIR] [--finish none|answer]\n"
                "       forja install --dry-run [--answer FILE|URL] [--hardware H.json]\n"
                "\n"
                "Installs this machine from an answer file: checks the hardware, resolves the\n"
                "answer into a plan, verifies the node image against its manifest, and only\n"
                "then partitions the plan's disks, lays the image down, configures the node\n"
                "and installs the boot loader. Without --answer the answer is found as\n"
                "`forja answer fetch` finds it (kernel command line, install medium or the\n"
                "partition it names, DHCP option 250, DNS TXT proxmox-auto-installer.DOMAIN).\n"
                "Stages and progress are printed as FORJA-STAGE and FORJA-PROGRESS lines, the\n"
                "result as FORJA-INSTALL-OK or FORJA-INSTALL-FAILED. A [post-installation-webhook]\n"
                "gets the events started, failed (stage, error, log tail) and succeeded.\n"
                "With --finish answer a failed install waits (FORJA-INSTALL-WAITING) unless\n"
                "the answer sets global.reboot-on-error.\n"
                "\n"
                "Options:\n"
                "     --answer FILE|URL   The answer file, or an http(s) URL to fetch it from\n"
                "     --image FILE|URL    The node image (default: forja.image= on the kernel\n"
                "                         command line, else " MEDIUM_DIR "/node/node.tar.zst);\n"
                "                         a URL is streamed and verified chunk by chunk\n"
                "     --manifest FILE|URL Its manifest (default: node.manifest.json beside the image)\n"
                "     --image-fingerprint SHA256\n"
                "                         Pin the image server's certificate, https:// only\n"
                "                         (default: forja.image-fingerprint= on the kernel\n"
                "                         command line)\n"
                "     --target DIR        Where to mount the new system (default /run/forja/target;\n"
                "                         an absolute path, not /)\n"
                "     --finish MODE       answer: reboot or power off as the answer says (the\n"
                "                         installer does this); none: just exit (default)\n"
                "  -n --dry-run           Print the plan and stop; nothing is written\n"
                "     --hardware H.json   With --dry-run: plan for this hardware description\n"
                "\n"
                "Exit status: 0 installed, 1 the install failed (see the stage and error),\n"
                "2 bad usage or an answer that cannot be installed here (nothing written).\n",
};
