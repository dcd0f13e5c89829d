/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The install engine: a resolved plan (answers/plan.h, docs/plan-json.md)
 * turned into a booting node, in stages. Both front ends (the unattended
 * driver and the newt TUI) build an InstallContext and call install_run();
 * the engine reports only through the InstallUi table and never draws.
 *
 * Nothing is written to any disk before stage "disks": stages "check" and
 * "verify" run first and any failure there leaves every disk untouched.
 * Hooks let later work plug in without reshaping the engine: before_write
 * (cluster-join verification runs there), events (webhooks: started,
 * succeeded, failed), and named kill points for fault injection
 * (FORJA_KILL_AT=disks|storage|image|image-mid|configure|bootloader|finish),
 * and a pause before a stage for tests that change the machine meanwhile
 * (FORJA_PAUSE_AT=STAGE: waits for a line on standard input). */

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "answer.h"
#include "hardware.h"
#include "ui.h"

typedef enum InstallStage {
        STAGE_CHECK,            /* hardware check and plan checks */
        STAGE_VERIFY,           /* the image against its manifest */
        STAGE_DISKS,            /* stop users, wipe, partition */
        STAGE_STORAGE,          /* md, LUKS, LVM, file systems, mounts */
        STAGE_IMAGE,            /* extract the node image */
        STAGE_CONFIGURE,        /* the node's configuration */
        STAGE_BOOTLOADER,       /* GRUB (BIOS, UEFI + shim), initramfs */
        STAGE_FINISH,           /* sync, unmount, summary */
        _STAGE_MAX,
} InstallStage;

const char *install_stage_name(InstallStage s);

typedef enum InstallEvent {
        INSTALL_EVENT_STARTED,
        INSTALL_EVENT_SUCCEEDED,
        INSTALL_EVENT_FAILED,
} InstallEvent;

typedef struct InstallContext InstallContext;

typedef struct InstallHooks {
        void *userdata;
        /* Runs after the checks and the image verification, before the first
         * write; a negative return stops the install with disks untouched. */
        int (*before_write)(void *userdata, const InstallContext *c, char **ret_error);
        /* started / succeeded / failed (failed: stage and error set). */
        void (*event)(void *userdata, const InstallContext *c, InstallEvent e, InstallStage stage, const char *error);
        /* Runs before stage "finish", the installed system still mounted at
         * c->target (webhooks read the target's identity there). */
        void (*before_finish)(void *userdata, const InstallContext *c);
} InstallHooks;

struct InstallContext {
        json_object *plan;              /* from plan_build() */
        const Answer *answer;           /* the secrets the plan does not hold */
        const char *answer_text;        /* as given, for the redacted copy on the node */
        size_t answer_size;
        const Hardware *hw;             /* what the plan was resolved against */

        const char *image;              /* node.tar.zst: a local file or an http(s) URL */
        const char *manifest;           /* its node.manifest.json */
        const char *image_fingerprint;  /* pinned certificate when image/manifest are https URLs */
        const char *target;             /* where the target is mounted (default /run/forja/target) */
        const char *medium_dir;         /* the mounted install medium (default /run/forja/medium) */
        const char *log_path;           /* copied to the node */
        const char *serial_console;     /* "ttyS0,115200" when installing on a serial console */

        const InstallUi *ui;
        InstallHooks hooks;
        /* The node's cluster settings (cluster-join/cluster.h), written to the
         * target with the actual storage names filled in; NULL: none. */
        const struct ClusterSettings *cluster;

        /* Filled as the install goes (read-only for callers). */
        uint64_t stage_usec[_STAGE_MAX];
        InstallStage failed_stage;
        char *error;                    /* what failed, with the device and the tool's stderr */
        char *recovery_key;             /* secret: the LUKS recovery key of a TPM-bound volume, or NULL */
        bool recovery_key_webhook;      /* it goes into the succeeded webhook */
        bool recovery_key_tty1;         /* it is shown on tty1 at the end */
};

/* Shows c->recovery_key on /dev/tty1 when the plan asks for it, until Enter
 * is pressed there (at most 10 minutes); never on the serial console. */
void luks_show_recovery_key_tty1(const InstallContext *c);

/* Runs every stage. Returns 0, or a negative errno with c->error and
 * c->failed_stage set; -ECANCELED when a check or before_write refused,
 * in which case no disk was written. */
int install_run(InstallContext *c);

void install_context_done(InstallContext *c);

/* Prints the per-stage durations. */
void install_print_summary(FILE *f, const InstallContext *c);
