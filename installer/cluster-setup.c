/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/stat.h>
#include <unistd.h>

#include "cluster-setup.h"
#include "json-out.h"
#include "log.h"
#include "strutil.h"

static char *dup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

static int verify_before_write(void *userdata, const InstallContext *c, char **ret_error) {
        const ClusterHook *h = userdata;
        log_info("Verifying the cluster of the join token before anything is written.");
        int r;
        /* The installer's link may have come up a moment ago: an unreachable
         * cluster gets two more passes, a wrong certificate none. */
        for (unsigned pass = 1;; pass++) {
                _cleanup_free_ char *err = NULL;
                r = cluster_verify(&h->settings, &err);
                if (r != -EHOSTUNREACH || pass >= 3) {
                        if (r < 0)
                                *ret_error = TAKE_PTR(err);
                        break;
                }
                log_info("Cluster unreachable (pass %u of 3), trying again in 5 s: %s", pass, strempty(err));
                sleep(5);
        }
        if (r >= 0)
                log_info("The cluster answered with the certificate the token names.");
        return r;
}

void cluster_hook_install(ClusterHook *h, InstallContext *c) {
        json_object *cl = json_get(c->plan, "cluster");
        const char *mode = json_get_string(cl, "mode");

        cluster_settings_init(&h->settings);
        h->settings.mode = cluster_mode_from_string(mode ?: "standalone");
        if (h->settings.mode < 0)
                h->settings.mode = CLUSTER_MODE_STANDALONE;
        h->settings.server_name = dup_or_null(json_get_string(cl, "server-name"));
        h->settings.address = dup_or_null(json_get_string(cl, "address"));
        h->settings.verify = json_get(cl, "verify") ? json_get_bool(cl, "verify") : true;
        if (c->answer && c->answer->cluster.token)
                h->settings.token = strdup(c->answer->cluster.token);
        /* From the answer as the token is: the plan JSON does not carry it. */
        h->settings.check_guests = c->answer && c->answer->cluster.check_guests;
        json_object *st = json_get(cl, "storage");
        h->settings.storage_pool = dup_or_null(json_get_string(st, "pool"));
        h->settings.storage_driver = dup_or_null(json_get_string(st, "driver"));
        h->settings.storage_source = dup_or_null(json_get_string(st, "source"));
        json_object *net = json_get(cl, "network");
        const char *netmode = json_get_string(net, "mode");
        if (netmode && cluster_network_mode_from_string(netmode) >= 0)
                h->settings.network_mode = cluster_network_mode_from_string(netmode);
        else {
                /* Instances bridged onto the management bridge, like Proxmox's vmbr0. */
                h->settings.network_mode = CLUSTER_NETWORK_BRIDGE;
                h->settings.network_name = strdup("vmbr0");
        }
        if (!h->settings.network_name)
                h->settings.network_name = dup_or_null(json_get_string(net, "name"));
        h->settings.network_profile = dup_or_null(json_get_string(net, "profile"));
        h->settings.network_device = dup_or_null(json_get_string(net, "device"));
        h->set = true;

        c->cluster = &h->settings;
        if (h->settings.mode == CLUSTER_MODE_JOIN && h->settings.verify) {
                c->hooks.userdata = h;
                c->hooks.before_write = verify_before_write;
        }
}

void cluster_hook_done(ClusterHook *h) {
        if (h->set)
                cluster_settings_done(&h->settings);
        h->set = false;
}

static int strv_push_pair(char ***l, const char *k, const char *v) {
        size_t n = 0;
        while (*l && (*l)[n])
                n++;
        char **x = realloc(*l, (n + 3) * sizeof(char *));
        if (!x)
                return -ENOMEM;
        x[n] = strdup(k);
        x[n + 1] = strdup(v);
        x[n + 2] = NULL;
        *l = x;
        return x[n] && x[n + 1] ? 0 : -ENOMEM;
}

int cluster_write_target(const ClusterSettings *in, const ClusterWebhook *webhook, const char *target,
                         const char *vg_name, const char *thin_pool, const char *root_fstype,
                         const char *zfs_dataset, char **ret_error) {
        ClusterSettings s = *in;
        _cleanup_free_ char *dir = NULL, *path = NULL, *wants = NULL, *link = NULL, *hook = NULL;
        _cleanup_strv_free_ char **config = NULL;
        int r;

        /* The default pool lives on the install's own storage. */
        if (!s.storage_driver) {
                if (vg_name && thin_pool) {
                        s.storage_driver = "lvm";
                        if (strv_push_pair(&config, "lvm.vg_name", vg_name) < 0 ||
                            strv_push_pair(&config, "lvm.thinpool_name", thin_pool) < 0 ||
                            strv_push_pair(&config, "lvm.vg.force_reuse", "true") < 0)
                                return -ENOMEM;
                        s.storage_source = (char *) vg_name;
                } else if (streq_ptr(root_fstype, "btrfs"))
                        s.storage_driver = "btrfs";
                else if (zfs_dataset) {
                        /* POOL/data, made empty for the guests by the install */
                        s.storage_driver = "zfs";
                        s.storage_source = (char *) zfs_dataset;
                }
                else
                        s.storage_driver = "dir";
                s.storage_config = config;
        }

        if (asprintf(&dir, "%s/etc/forja", target) < 0 || asprintf(&path, "%s/cluster.json", dir) < 0 ||
            asprintf(&wants, "%s/etc/systemd/system/multi-user.target.wants", target) < 0 ||
            asprintf(&link, "%s/forja-join.service", wants) < 0 ||
            asprintf(&hook, "%s" CLUSTER_WEBHOOK_PATH, target) < 0)
                return -ENOMEM;
        (void) mkdir(dir, 0755);
        if (webhook) {
                r = cluster_webhook_write(webhook, hook);
                if (r < 0) {
                        error_setf(ret_error, "writing %s: %s", hook, strerror(-r));
                        return r;
                }
                s.webhook_file = (char *) CLUSTER_WEBHOOK_PATH;
        }
        r = cluster_settings_write(&s, path);
        if (r < 0) {
                error_setf(ret_error, "writing %s: %s", path, strerror(-r));
                return r;
        }
        (void) mkdir(wants, 0755);
        (void) unlink(link);
        if (symlink("/usr/lib/systemd/system/forja-join.service", link) < 0) {
                r = negative_errno();
                error_setf(ret_error, "enabling forja-join.service: %s", strerror(-r));
                return r;
        }
        return 0;
}
