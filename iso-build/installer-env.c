/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The installer environment: a trixie userland (mmdebstrap --variant=essential
 * with data/installer.packages and the forja .deb's dependencies) turned into
 * a kernel and a zstd cpio initramfs by data/installer-customize.sh, which
 * drops the kernel modules an installer never needs; then forja's layer (the
 * .deb, /init, the network scripts) appended by data/installer-layer.sh. */

#include "log.h"
#include "pkglist.h"
#include "steps.h"

/* The base layer: everything but forja. */
static const BaseStep installer_base = {
        .kind = "installerbase",
        .label = "installer environment base",
        .package_list = "installer.packages",
        .customize_script = "installer-customize.sh",
        .variant = "essential",
        .files = (const char *const[]) { "installer.packages", "installer-customize.sh", NULL },
        .outputs = (const char *const[]) { "vmlinuz", "initrd.img", NULL },
        .env = (char *const[]) { (char *) "INITRD=No", NULL },
        .zfs_packages = "zfsutils-linux",
};

int step_installer_env(BuildContext *c) {
        static const char *const files[] = { "installer-layer.sh", "init", "net-up.sh", "udhcpc.script", NULL };
        StrBuf key = {};
        int r;

        r = step_base(c, &installer_base, &c->installer_base);
        if (r < 0)
                return r;
        r = step_key_layer(c, &key, "installer", &c->installer_base, files);
        if (r >= 0)
                r = cache_lookup(c->cache_dir, "installer", key.s, &c->installer);
        strbuf_done(&key);
        if (r < 0)
                return log_error_errno(r, "Failed to use the cache %s: %m", c->cache_dir);
        if (c->installer.hit) {
                log_info("installer environment: cached (%s)", c->installer.dir);
                return 0;
        }

        double t0 = now_sec();
        _cleanup_free_ char *script = path_join(c->data_dir, "installer-layer.sh");
        if (!script)
                return log_oom();
        char *largv[] = { (char *) "sh", script, c->installer_base.dir, c->installer.tmp, c->forja_deb,
                          (char *) c->data_dir, NULL };
        r = run_visible(largv, NULL);
        if (r < 0)
                return r;
        r = cache_commit(&c->installer);
        if (r < 0)
                return log_error_errno(r, "Failed to store the installer environment in the cache: %m");
        log_info("installer environment: forja layer added in %.1f s.", now_sec() - t0);
        return 0;
}
