/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Imports the built-in guest images over the Incus REST API. */

#include <unistd.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster-internal.h"
#include "guest-images.h"
#include "json-out.h"

const GuestImageFile guest_image_files[] = {
        { "forja/trixie", "forja-trixie.tar.zst", NULL },
        { "forja/trixie-vm", "forja-trixie-vm.meta.tar.xz", "forja-trixie-vm.qcow2" },
};
const size_t guest_image_files_n = ELEMENTSOF(guest_image_files);

static int alias_exists(IncusClient *c, const char *alias, char **ret_error) {
        _cleanup_free_ char *path = NULL, *err = NULL;
        _cleanup_json_ json_object *m = NULL;
        if (asprintf(&path, "/1.0/images/aliases/%s", alias) < 0)
                return -ENOMEM;
        int r = incus_request(c, "GET", path, NULL, &m, NULL, &err);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                error_setf(ret_error, "%s", strempty(err));
                return r;
        }
        return 1;
}

static int import_one(IncusClient *c, const GuestImageFile *g, const char *meta, const char *rootfs, char **ret_error) {
        _cleanup_free_ char *op = NULL;
        _cleanup_json_ json_object *res = NULL, *alias = NULL;
        int r = incus_upload_image(c, meta, rootfs, "rootfs.img", &op, ret_error);
        if (r < 0)
                return r;
        if (op && (r = incus_wait_operation(c, op, 900, &res, ret_error)) < 0)
                return r;
        const char *fp = json_get_string(json_get(res, "metadata"), "fingerprint");
        if (!fp) {
                error_setf(ret_error, "importing %s: Incus returned no fingerprint", g->alias);
                return -EPROTO;
        }
        alias = json_object_new_object();
        if (!alias || json_add_string(alias, "name", g->alias) < 0 || json_add_string(alias, "target", fp) < 0 ||
            json_add_string(alias, "description", "built into forja's node image") < 0)
                return -ENOMEM;
        return incus_request(c, "POST", "/1.0/images/aliases", alias, NULL, NULL, ret_error);
}

int guest_images_import(IncusClient *c, const char *dir, unsigned *ret_imported,
                        void (*progress)(void *userdata, const char *message), void *userdata, char **ret_error) {
        unsigned n = 0;
        dir = dir ?: GUEST_IMAGES_DIR;
        for (size_t i = 0; i < guest_image_files_n; i++) {
                const GuestImageFile *g = &guest_image_files[i];
                _cleanup_free_ char *meta = NULL, *rootfs = NULL, *line = NULL;
                if (asprintf(&meta, "%s/%s", dir, g->metadata) < 0 ||
                    (g->rootfs && asprintf(&rootfs, "%s/%s", dir, g->rootfs) < 0))
                        return -ENOMEM;
                if (access(meta, F_OK) < 0 || (rootfs && access(rootfs, F_OK) < 0))
                        continue;      /* built with --no-guest-images, or already imported */
                int r = alias_exists(c, g->alias, ret_error);
                if (r < 0)
                        return r;
                if (r == 0) {
                        double t0 = cluster_monotonic_sec();
                        r = import_one(c, g, meta, rootfs, ret_error);
                        if (r < 0)
                                return r;
                        n++;
                        if (progress && asprintf(&line, "Imported the guest image %s in %.0f s", g->alias,
                                                 cluster_monotonic_sec() - t0) >= 0)
                                progress(userdata, line);
                } else if (progress && asprintf(&line, "The guest image %s is already there", g->alias) >= 0)
                        progress(userdata, line);
                (void) unlink(meta);
                if (rootfs)
                        (void) unlink(rootfs);
        }
        (void) rmdir(dir);
        if (ret_imported)
                *ret_imported = n;
        return 0;
}
