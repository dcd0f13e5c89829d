/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The plan's [cluster] section for the engine: the settings the node's
 * `forja join` reads at first boot, and, for a join with verify, the check
 * that the token's cluster is reachable and genuine before any disk is
 * written (cluster-join/cluster.h). */

#include "cluster.h"
#include "engine.h"

typedef struct ClusterHook {
        ClusterSettings settings;
        bool set;
} ClusterHook;

/* Fills the settings from the plan and the answer's token and hooks the
 * verification into c->hooks.before_write. */
void cluster_hook_install(ClusterHook *h, InstallContext *c);
void cluster_hook_done(ClusterHook *h);

/* Writes /etc/forja/cluster.json (0600) into the target with the storage pool
 * on the node's own storage (the LVM thin pool vg_name/thin_pool, Btrfs, the ZFS
 * dataset zfs_dataset (POOL/data) when given, or a
 * directory), and enables forja-join.service. With a webhook (the answer's
 * [post-installation-webhook]; NULL: none), also /etc/forja/cluster-webhook.json
 * (0600: it holds the auth token), named by the settings' webhook_file, for
 * forja join's report. */
int cluster_write_target(const ClusterSettings *s, const ClusterWebhook *webhook, const char *target,
                         const char *vg_name, const char *thin_pool, const char *root_fstype,
                         const char *zfs_dataset, char **ret_error);
