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
static int step_installer_base(BuildContext *c) {
        static const char *const files[] = { "installer.packages", "installer-customize.sh", NULL };
        _cleanup_free_ char *list_path = path_join(c->data_dir, "installer.packages");
        _cleanup_strv_free_ char **packages = NULL;
        StrBuf key = {};
        int r;

        if (!list_path)
                return log_oom();
        r = pkglist_read(list_path, &packages);
        if (r < 0)
                return log_error_errno(r, "Failed to read the package list %s: %m", list_path);
        r = step_key_common(c, &key, "installerbase", packages, files);
        if (r >= 0)
                r = cache_lookup(c->cache_dir, "installerbase", key.s, &c->installer_base);
        strbuf_done(&key);
        if (r < 0)
                return log_error_errno(r, "Failed to use the cache %s: %m", c->cache_dir);
        if (c->installer_base.hit) {
                log_info("installer environment base: cached (%s)", c->installer_base.dir);
                return 0;
        }

        log_info("installer environment base: mmdebstrap %s with %zu packages (a few minutes)...", c->opts->suite,
                 pkglist_length(packages));
        double t0 = now_sec();
        _cleanup_free_ char *include = step_include_list(c, packages);
        _cleanup_free_ char *script = path_join(c->data_dir, "installer-customize.sh");
        if (!include || !script)
                return log_oom();
        if (!path_is_hook_safe(script) || !path_is_hook_safe(c->installer_base.tmp) || !path_is_hook_safe(c->data_dir))
                return log_error_errno(EINVAL, "Paths for mmdebstrap hooks must not contain blanks or quotes: %s, %s.",
                                       c->data_dir, c->installer_base.tmp);
        ArgV a = {};
        r = 0;
        r = r ?: argv_add(&a, "mmdebstrap");
        r = r ?: argv_add(&a, "--variant=essential");
        r = r ?: argv_addf(&a, "--include=%s", include);
        r = r ?: argv_add(&a, "--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount");
        r = r ?: mmdebstrap_common_args(&a);
        r = r ?: argv_addf(&a, "--customize-hook=%s \"$1\" %s %s", script, c->installer_base.tmp, c->data_dir);
        r = r ?: argv_add(&a, c->opts->suite);
        r = r ?: argv_add(&a, "/dev/null");
        for (char **s = c->sources; r == 0 && *s; s++)
                r = argv_add(&a, *s);
        if (r < 0) {
                argv_done(&a);
                return log_oom();
        }
        char *env[] = { (char *) "INITRD=No", NULL };
        r = run_visible(a.v, env);
        argv_done(&a);
        if (r < 0)
                return r;
        static const char *const outputs[] = { "vmlinuz", "initrd.img" };
        for (size_t i = 0; i < ELEMENTSOF(outputs); i++) {
                _cleanup_free_ char *p = path_join(c->installer_base.tmp, outputs[i]);
                if (!p)
                        return log_oom();
                if (!file_exists(p))
                        return log_error_errno(ENOENT, "installer-customize.sh made no %s.", outputs[i]);
        }
        r = cache_commit(&c->installer_base);
        if (r < 0)
                return log_error_errno(r, "Failed to store the installer environment base in the cache: %m");
        log_info("installer environment base: done in %.0f s.", now_sec() - t0);
        return 0;
}

int step_installer_env(BuildContext *c) {
        static const char *const files[] = { "installer-layer.sh", "init", "net-up.sh", "udhcpc.script", NULL };
        StrBuf key = {};
        int r;

        r = step_installer_base(c);
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
