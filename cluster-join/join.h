/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The first-boot step behind `forja join`: brings the local incusd (over its
 * unix socket) to the state the cluster settings describe. Every step checks
 * the current state first, so running it again on a node that already joined
 * succeeds without a token. Transient failures (daemon not up yet, cluster
 * address unreachable, a failed join operation) are retried with bounded
 * exponential backoff. */

#include <stdbool.h>

#include "cluster.h"
#include "incus.h"

typedef struct ClusterJoinOptions {
        const char *socket;            /* NULL: $INCUS_DIR/unix.socket or /var/lib/incus/unix.socket */
        unsigned attempts;             /* tries for transient failures; 0: 5 */
        unsigned daemon_wait_sec;      /* how long to wait for incusd to answer; 0: 60 */
        unsigned online_wait_sec;      /* how long to wait for the member to be Online; 0: 60 */
        unsigned connect_timeout_sec;  /* TLS connect timeout per cluster address; 0: 5 */
        const char *guest_images_dir;  /* built-in guest images to import (standalone, bootstrap); NULL: GUEST_IMAGES_DIR */
        /* Progress lines for the front end (may be NULL). */
        void (*progress)(void *userdata, const char *message);
        void *userdata;
} ClusterJoinOptions;

typedef struct ClusterJoinResult {
        bool already_done;             /* nothing had to change */
        char *server_name;
        char *cluster_address;         /* join: the member address that answered */
        unsigned attempts;             /* join: how many PUT /1.0/cluster were sent */
} ClusterJoinResult;

void cluster_join_result_done(ClusterJoinResult *r);

/* Errors as -errno with a message in *ret_error:
 *   -EBADMSG/-EKEYEXPIRED/-ESRCH/-EINVAL  bad token or settings (nothing changed)
 *   -EKEYREJECTED/-EHOSTUNREACH/-EPROTO   the token's cluster did not verify
 *   -ENOTCONN                             the local incusd did not answer
 *   -EIO/-ETIMEDOUT/...                   a step failed (the message says which) */
int cluster_join_run(const ClusterSettings *s, const ClusterJoinOptions *o, ClusterJoinResult *ret,
                     char **ret_error);

/* True for errors worth retrying. */
bool cluster_error_is_transient(int r);
