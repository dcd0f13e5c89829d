/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image defaults and the hooks both front ends of the engine use
 * (install-front.h). */

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "image-http.h"
#include "install-front.h"
#include "kernel-cmdline.h"
#include "macro.h"
#include "strutil.h"

int install_source_resolve(InstallSource *s, const char *image, const char *manifest, const char *fingerprint,
                           const char *cmdline, const char *medium_dir) {
        *s = (InstallSource) {};
        if (!image) {
                /* A network boot names the image on the kernel command line. */
                if (kernel_cmdline_get(cmdline, "forja.image", &s->image_buf) < 0)
                        return -ENOMEM;
                if (!s->image_buf && asprintf(&s->image_buf, "%s/node/node.tar.zst", medium_dir) < 0) {
                        s->image_buf = NULL;
                        return -ENOMEM;
                }
                image = s->image_buf;
        }
        s->fingerprint_name = "--image-fingerprint";
        if (!fingerprint) {
                if (kernel_cmdline_get(cmdline, "forja.image-fingerprint", &s->fingerprint_buf) < 0) {
                        install_source_done(s);
                        return -ENOMEM;
                }
                fingerprint = s->fingerprint_buf;
                s->fingerprint_name = "kernel command line: forja.image-fingerprint=";
        }
        if (!manifest) {
                /* node.tar.zst -> node.manifest.json beside it. */
                if (image_manifest_url(image, &s->manifest_buf) < 0) {
                        install_source_done(s);
                        return -ENOMEM;
                }
                manifest = s->manifest_buf;
        }
        s->image = image;
        s->manifest = manifest;
        s->fingerprint = fingerprint;
        return 0;
}

int install_source_check(const InstallSource *s, char **ret_error) {
        if (!s->fingerprint)
                return 0;
        const char *const urls[] = { s->image, s->manifest };
        for (size_t i = 0; i < ELEMENTSOF(urls); i++)
                if (image_is_url(urls[i]) && http_url_is_plain(urls[i])) {
                        error_setf(ret_error, "%s pins a certificate, which cannot be checked over plain http:// (%s %s): "
                                   "use an https:// URL", s->fingerprint_name, i == 0 ? "image" : "manifest", urls[i]);
                        return -EINVAL;
                }
        return 0;
}

void install_source_done(InstallSource *s) {
        free(s->image_buf);
        free(s->manifest_buf);
        free(s->fingerprint_buf);
        *s = (InstallSource) {};
}

void install_front_hooks_install(InstallFrontHooks *h, InstallContext *c) {
        *h = (InstallFrontHooks) {};
        cluster_hook_install(&h->cluster, c);
        webhook_hook_install(&h->webhook, c);
}

void install_front_hooks_done(InstallFrontHooks *h) {
        webhook_done(&h->webhook);
        cluster_hook_done(&h->cluster);
}
