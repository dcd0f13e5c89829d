/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The base layer of the node image and of the installer environment: one
 * mmdebstrap run with a package list plus the forja .deb's dependencies and a
 * customize hook, cached by content. Both images share this step; they differ
 * only in what the BaseStep says. */

#include "log.h"
#include "pkglist.h"
#include "steps.h"

int step_base(BuildContext *c, const BaseStep *s, CacheEntry *e) {
        _cleanup_free_ char *list_path = path_join(c->data_dir, s->package_list);
        _cleanup_strv_free_ char **packages = NULL;
        StrBuf key = {};
        int r;

        if (!list_path)
                return log_oom();
        r = pkglist_read(list_path, &packages);
        if (r < 0)
                return log_error_errno(r, "Failed to read the package list %s: %m", list_path);
        bool zfs = c->zfs_deb && s->zfs_packages;
        r = step_key_common(c, &key, s->kind, packages, s->files);
        if (r >= 0 && zfs)
                r = strbuf_printf(&key, "zfs-packages: %s\nzfs-modules-deb: %s\n", s->zfs_packages, c->zfs_deb_sha256);
        if (r >= 0 && zfs && s->zfs_customize_script)
                r = step_key_files(c, &key, (const char *const[]) { s->zfs_customize_script, NULL });
        for (size_t i = 0; r >= 0 && s->extra_args && s->extra_args[i]; i++)
                r = strbuf_printf(&key, "arg: %s\n", s->extra_args[i]);
        if (r >= 0)
                r = cache_lookup(c->cache_dir, s->kind, key.s, e);
        strbuf_done(&key);
        if (r < 0)
                return log_error_errno(r, "Failed to use the cache %s: %m", c->cache_dir);
        if (e->hit) {
                log_info("%s: cached (%s)", s->label, e->dir);
                return 0;
        }

        log_info("%s: mmdebstrap %s with %zu packages (a few minutes)...", s->label, c->opts->suite,
                 pkglist_length(packages));
        double t0 = now_sec();
        _cleanup_free_ char *include = s->without_forja_depends ? pkglist_join(packages, ",") : step_include_list(c, packages);
        if (include && zfs) {
                char *more = NULL;
                if (asprintf(&more, "%s,%s", include, s->zfs_packages) < 0)
                        return log_oom();
                free(include);
                include = more;
        }
        _cleanup_free_ char *script = path_join(c->data_dir, s->customize_script);
        _cleanup_free_ char *target = s->target ? path_join(e->tmp, s->target) : strdup("/dev/null");
        if (!include || !script || !target)
                return log_oom();
        if (!path_is_hook_safe(script) || !path_is_hook_safe(e->tmp) || !path_is_hook_safe(c->data_dir))
                return log_error_errno(EINVAL, "Paths for mmdebstrap hooks must not contain blanks or quotes: %s, %s.",
                                       c->data_dir, e->tmp);

        ArgV a = {};
        r = 0;
        r = r ?: argv_add(&a, "mmdebstrap");
        r = r ?: argv_addf(&a, "--variant=%s", s->variant);
        r = r ?: argv_addf(&a, "--include=%s", include);
        /* a path: its own --include (mmdebstrap does not split it) */
        if (zfs)
                r = r ?: argv_addf(&a, "--include=%s", c->zfs_deb);
        r = r ?: argv_add(&a, "--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount");
        r = r ?: mmdebstrap_common_args(&a);
        for (size_t i = 0; s->extra_args && s->extra_args[i]; i++)
                r = r ?: argv_add(&a, s->extra_args[i]);
        r = r ?: argv_addf(&a, "--customize-hook=%s \"$1\" %s %s", script, e->tmp, c->data_dir);
        if (zfs && s->zfs_customize_script) {
                _cleanup_free_ char *zscript = path_join(c->data_dir, s->zfs_customize_script);
                if (!zscript)
                        return log_oom();
                r = r ?: argv_addf(&a, "--customize-hook=%s \"$1\" %s %s", zscript, e->tmp, c->data_dir);
        }
        r = r ?: argv_add(&a, c->opts->suite);
        r = r ?: argv_add(&a, target);
        for (char **src = c->sources; r == 0 && *src; src++)
                r = argv_add(&a, *src);
        if (r < 0) {
                argv_done(&a);
                return log_oom();
        }
        r = run_visible(a.v, s->env);
        argv_done(&a);
        if (r < 0)
                return r;
        for (size_t i = 0; s->outputs && s->outputs[i]; i++) {
                _cleanup_free_ char *p = path_join(e->tmp, s->outputs[i]);
                if (!p)
                        return log_oom();
                if (!file_exists(p))
                        return log_error_errno(ENOENT, "%s made no %s.", s->customize_script, s->outputs[i]);
        }
        r = cache_commit(e);
        if (r < 0)
                return log_error_errno(r, "Failed to store the %s in the cache: %m", s->label);
        log_info("%s: done in %.0f s.", s->label, now_sec() - t0);
        return 0;
}

/* The ZFS modules: a chroot with the image kernel's headers and zfs-dkms,
 * whose postinst builds the modules; the hook packs them. Nothing of forja
 * goes in. */
static const BaseStep zfs_modules = {
        .kind = "zfsmodules",
        .label = "ZFS kernel modules (zfs-dkms)",
        .package_list = "zfs-modules.packages",
        .customize_script = "zfs-modules.sh",
        .variant = "apt",
        .files = (const char *const[]) { "zfs-modules.packages", "zfs-modules.sh", NULL },
        .outputs = (const char *const[]) { "zfs-modules.deb", "zfs-modules.txt", NULL },
        .without_forja_depends = true,
};

int step_zfs_modules(BuildContext *c) {
        int r = step_base(c, &zfs_modules, &c->zfs);
        if (r < 0)
                return r;
        c->zfs_deb = cache_path(&c->zfs, "zfs-modules.deb");
        if (!c->zfs_deb)
                return log_oom();
        if (!path_is_hook_safe(c->zfs_deb))
                return log_error_errno(EINVAL, "Paths for mmdebstrap must not contain blanks or quotes: %s.", c->zfs_deb);
        r = sha256_file_hex(c->zfs_deb, c->zfs_deb_sha256);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", c->zfs_deb);
        return 0;
}
