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
        r = step_key_common(c, &key, s->kind, packages, s->files);
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
        _cleanup_free_ char *include = step_include_list(c, packages);
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
        r = r ?: argv_add(&a, "--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount");
        r = r ?: mmdebstrap_common_args(&a);
        r = r ?: argv_addf(&a, "--customize-hook=%s \"$1\" %s %s", script, e->tmp, c->data_dir);
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
