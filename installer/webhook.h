/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* [post-installation-webhook]: the installer tells the operator's systems
 * what happened. Every body is JSON POSTed to the answer's url (retries,
 * certificate pinning, `Authorization: Bearer` with auth-token) and carries
 * a top-level "forja" object whose "event" says which it is:
 *   started    the engine begins (before anything is written)
 *   failed     stage, error, whether disks were written, the last 200 log lines
 *   succeeded  the fields Proxmox's post-installation webhook sends ($schema,
 *              product, iso, kernel-version, boot-info, cpu-info, dmi,
 *              filesystem, fqdn, machine-id, disks, network-interfaces,
 *              ssh-public-host-keys, ...), read from the installed target
 * Registered secrets are redacted from every body. A webhook that cannot be
 * delivered is logged and never fails the install (docs/answer-file.md). */

#include <json-c/json.h>

#include "engine.h"
#include "webhook-report.h"

#define WEBHOOK_LOG_LINES 200

typedef struct Webhook {
        const char *url;                /* borrowed from the answer */
        const char *fingerprint;
        const char *token;
        unsigned attempts;              /* 0: 5 */
        unsigned backoff_ms;            /* first retry delay; 0: 1000 */
        const char *cpuinfo_path;       /* NULL: /proc/cpuinfo */
        json_object *installed;         /* the "succeeded" body, gathered before stage finish */
        InstallHooks chained;           /* the hooks installed before ours */
        unsigned delivered, undelivered;
} Webhook;

/* The body of a "started" or "failed" event. log_tail (NULL-terminated, may
 * be NULL) goes into forja.log-tail of a failed event. */
json_object *webhook_event_body(const InstallContext *c, InstallEvent e, InstallStage stage, const char *error,
                                char *const *log_tail);

/* The "succeeded" body: Proxmox's post-installation fields, read from the
 * installed system under root (etc/machine-id, etc/ssh/ssh_host_*_key.pub,
 * etc/debian_version, etc/os-release, boot/vmlinuz-*), the plan, the
 * hardware and cpuinfo (NULL: /proc/cpuinfo). Files that are missing leave
 * their fields out. */
json_object *webhook_installed_body(const InstallContext *c, const char *root, const char *cpuinfo_path);

/* POSTs body (redacted) to the webhook (webhook_post()). 0, or a negative
 * errno with the reason (URL, status, certificate) in *ret_error. */
int webhook_send(const Webhook *w, json_object *body, char **ret_error);

/* Points c's hooks at the webhook when the answer has one (keeping hooks
 * already installed); does nothing otherwise. */
void webhook_hook_install(Webhook *w, InstallContext *c);
void webhook_done(Webhook *w);
