/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stage "configure": the node's own settings (installer/configure.h) from
 * the plan, the answer's secrets and the file systems just made. */

#include "cluster-setup.h"
#include "configure.h"
#include "engine-internal.h"
#include "first-boot.h"
#include "json-out.h"

int stage_configure(Engine *e) {
        _cleanup_free_ TargetMount *mounts = calloc(e->n_mounts ?: 1, sizeof(TargetMount));
        if (!mounts)
                return -ENOMEM;
        for (size_t i = 0; i < e->n_mounts; i++)
                mounts[i] = (TargetMount) {
                        .mountpoint = e->mounts[i].mountpoint,
                        .fstype = e->mounts[i].fstype,
                        .device = e->mounts[i].device,
                        .uuid = e->mounts[i].uuid,
                        .options = e->mounts[i].options,
                        .pass = e->mounts[i].pass,
                };
        ConfigureInput in = {
                .root = e->c->target,
                .plan = e->c->plan,
                .answer = e->c->answer,
                .answer_text = e->c->answer_text,
                .answer_size = e->c->answer_size,
                .mounts = mounts,
                .n_mounts = e->n_mounts,
                .log_path = e->c->log_path,
                .serial_console = e->c->serial_console,
        };
        _cleanup_free_ char *error = NULL;
        int r = configure_target(&in, &error);
        if (r < 0)
                return engine_fail(e, r, "configuring the node: %s", error ?: strerror(-r));
        r = first_boot_install(json_get(e->c->plan, "first-boot"), e->c->target, e->first_boot, e->first_boot_size, &error);
        if (r < 0)
                return engine_fail(e, r, "installing the first-boot hook: %s", error ?: strerror(-r));
        if (!e->c->cluster)
                return 0;

        /* The Incus storage pool goes on the install's thin pool, if it has one. */
        const char *vg = NULL, *thin = NULL, *root_fstype = NULL;
        json_object *vgs = json_get(e->storage, "volume-groups");
        for (size_t i = 0; i < json_array_len(vgs) && !thin; i++) {
                json_object *lvs = json_get(json_array_at(vgs, i), "logical-volumes");
                for (size_t j = 0; j < json_array_len(lvs); j++)
                        if (streq_ptr(json_get_string(json_array_at(lvs, j), "type"), "thin-pool")) {
                                vg = engine_lookup_id(e, strempty(json_get_string(json_array_at(vgs, i), "id")));
                                thin = json_get_string(json_array_at(lvs, j), "name");
                        }
        }
        for (size_t i = 0; i < e->n_mounts; i++)
                if (streq(e->mounts[i].mountpoint, "/"))
                        root_fstype = e->mounts[i].fstype;
        /* forja join reports its result to the answer's webhook too. */
        const Answer *a = e->c->answer;
        _cleanup_free_ char *fqdn = NULL;
        ClusterWebhook hook = {};
        bool has_hook = a && a->webhook.set && a->webhook.url;
        if (has_hook) {
                const char *f = json_get_string(json_get(e->c->plan, "system"), "fqdn");
                if (f && !(fqdn = strdup(f)))
                        return engine_fail(e, -ENOMEM, "writing the cluster settings: out of memory");
                hook = (ClusterWebhook) {
                        .url = a->webhook.url,
                        .cert_fingerprint = a->webhook.cert_fingerprint,
                        .auth_token = a->webhook.auth_token,
                        .fqdn = fqdn,
                };
        }
        _cleanup_free_ char *zfs_data = NULL;
        if (streq_ptr(root_fstype, "zfs") && e->n_zpools > 0 && asprintf(&zfs_data, "%s/data", e->zpools[0]) < 0)
                return engine_fail(e, -ENOMEM, "writing the cluster settings: out of memory");
        r = cluster_write_target(e->c->cluster, has_hook ? &hook : NULL, e->c->target, vg, thin, root_fstype, zfs_data,
                                 &error);
        if (r < 0)
                return engine_fail(e, r, "writing the cluster settings: %s", error ?: strerror(-r));
        return 0;
}
