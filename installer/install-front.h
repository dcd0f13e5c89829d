/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What both front ends of the install engine share, so the unattended
 * `forja install` and the text-mode installer (tui/) install a node the same
 * way: where the node image comes from when --image is not given, and the
 * hooks every install gets (the cluster join verification before the first
 * write, then the [post-installation-webhook] reports). */

#include "cluster-setup.h"
#include "engine.h"
#include "webhook.h"

#define INSTALL_MEDIUM_DIR "/run/forja/medium"

typedef struct InstallSource {
        const char *image;              /* resolved; point into the options or the buffers below */
        const char *manifest;
        const char *fingerprint;        /* NULL: none pinned */
        const char *fingerprint_name;   /* where it was set, for messages */
        char *image_buf, *manifest_buf, *fingerprint_buf;
} InstallSource;

/* The image, manifest and pinned fingerprint of an install. Each option
 * given (non-NULL) wins; otherwise the image is forja.image= on the kernel
 * command line cmdline (NULL: none), else medium_dir/node/node.tar.zst; the
 * fingerprint is forja.image-fingerprint=; the manifest is
 * node.manifest.json beside the image (a file or a URL). 0 or -ENOMEM. */
int install_source_resolve(InstallSource *s, const char *image, const char *manifest, const char *fingerprint,
                           const char *cmdline, const char *medium_dir);
void install_source_done(InstallSource *s);

/* A pinned fingerprint needs https:// for the image and the manifest (a pin
 * cannot be checked over plain http): -EINVAL naming the option or the
 * kernel argument and the URL, else 0. */
int install_source_check(const InstallSource *s, char **ret_error);

typedef struct InstallFrontHooks {
        ClusterHook cluster;
        Webhook webhook;
} InstallFrontHooks;

/* Installs the cluster hook, then the webhook (which chains to it) into
 * c->hooks. c->plan and c->answer must be set. */
void install_front_hooks_install(InstallFrontHooks *h, InstallContext *c);
void install_front_hooks_done(InstallFrontHooks *h);
