/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The forja .deb for the target suite. A package built on the host would link
 * the host's sonames (bookworm's libparted2 is trixie's libparted2t64), so it
 * is built inside a throwaway chroot of the target suite: mmdebstrap
 * --variant=buildd with the Build-Depends of debian/control, the source tree
 * copied in as a tar, dpkg-buildpackage -b, the .deb synced out. */

#include <dirent.h>

#include "fileio.h"
#include "log.h"
#include "pkglist.h"
#include "source-tree.h"
#include "spawn.h"
#include "steps.h"

static int find_deb(const char *dir, char **ret) {
        DIR *d = opendir(dir);
        if (!d)
                return negative_errno();
        struct dirent *de;
        char *found = NULL;
        while ((de = readdir(d)))
                if (startswith(de->d_name, "forja_") && strstr(de->d_name, ".deb") &&
                    streq(de->d_name + strlen(de->d_name) - 4, ".deb")) {
                        free(found);
                        found = path_join(dir, de->d_name);
                }
        closedir(d);
        if (!found)
                return -ENOENT;
        *ret = found;
        return 0;
}

static int build_in_chroot(BuildContext *c, char **build_deps, const char *src_tar) {
        _cleanup_free_ char *include = pkglist_join(build_deps, ",");
        _cleanup_free_ char *out = path_join(c->deb.tmp, "out");
        if (!include || !out)
                return log_oom();
        if (!path_is_hook_safe(src_tar) || !path_is_hook_safe(out))
                return log_error_errno(EINVAL, "The cache directory '%s' contains characters mmdebstrap hooks cannot take.", c->cache_dir);

        ArgV a = {};
        int r = 0;
        r = r ?: argv_add(&a, "mmdebstrap");
        r = r ?: argv_add(&a, "--variant=buildd");
        r = r ?: argv_addf(&a, "--include=%s", include);
        r = r ?: mmdebstrap_common_args(&a);
        r = r ?: argv_add(&a, "--customize-hook=mkdir -p \"$1/build/src\"");
        r = r ?: argv_addf(&a, "--customize-hook=tar-in %s /build/src", src_tar);
        r = r ?: argv_add(&a, "--customize-hook=chroot \"$1\" sh -c 'cd /build/src && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -uc -us'");
        r = r ?: argv_addf(&a, "--customize-hook=sync-out /build %s", out);
        r = r ?: argv_add(&a, c->opts->suite);
        r = r ?: argv_add(&a, "/dev/null");
        for (char **s = c->sources; r == 0 && *s; s++)
                r = argv_add(&a, *s);
        if (r < 0) {
                argv_done(&a);
                return log_oom();
        }
        r = mkdir_p(out, 0755);
        if (r >= 0)
                r = run_visible(a.v, NULL);
        argv_done(&a);
        if (r < 0)
                return r;

        _cleanup_free_ char *built = NULL;
        r = find_deb(out, &built);
        if (r < 0)
                return log_error_errno(r, "dpkg-buildpackage made no forja_*.deb in %s.", out);
        const char *base = strrchr(built, '/') + 1;
        _cleanup_free_ char *dest = path_join(c->deb.tmp, base);
        if (!dest)
                return log_oom();
        if (rename(built, dest) < 0)
                return log_error_errno(errno, "Failed to move %s: %m", built);
        return rm_rf(out);
}

/* The .deb's Depends: the base images install these by name, so the .deb
 * itself can be laid onto them later without a dependency resolver. */
static int read_depends(BuildContext *c) {
        char *argv[] = { (char *) "dpkg-deb", (char *) "--field", c->forja_deb, (char *) "Depends", NULL };
        SpawnOptions o = { .capture_stdout = true, .quiet = true };
        _cleanup_free_ char *out = NULL;
        int r = spawn_checked(argv, &o, &out);
        if (r < 0)
                return log_error_errno(r, "Cannot read the Depends of %s.", c->forja_deb);
        c->forja_depends = calloc(1, sizeof(char *));
        if (!c->forja_depends)
                return log_oom();
        r = pkglist_add_depends(&c->forja_depends, out ?: "");
        if (r < 0)
                return log_error_errno(r, "%s: cannot parse its Depends '%s'.", c->forja_deb, out ?: "");
        return 0;
}

int step_forja_deb(BuildContext *c) {
        int r;
        if (c->opts->forja_deb) {
                c->forja_deb = realpath(c->opts->forja_deb, NULL);
                if (!c->forja_deb)
                        return log_error_errno(errno, "Cannot use --forja-deb '%s': %m", c->opts->forja_deb);
                log_info("forja .deb: %s (given)", c->forja_deb);
        } else {
                const char *src = c->opts->source_dir;
                if (!src)
                        return log_error_errno(EINVAL, "No forja source tree known: pass --source DIR or --forja-deb FILE.");
                _cleanup_free_ char *control_path = path_join(src, "debian/control");
                _cleanup_free_ char *control = NULL;
                if (!control_path)
                        return log_oom();
                r = read_full_file(control_path, 1 << 20, &control, NULL);
                if (r < 0)
                        return log_error_errno(r, "Failed to read %s: %m", control_path);
                _cleanup_strv_free_ char **deps = NULL;
                r = pkglist_build_depends(control, &deps);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot read Build-Depends: %m", control_path);

                char tree[65];
                r = source_tree_pack(src, NULL, tree);
                if (r < 0)
                        return log_error_errno(r, "Failed to hash the source tree %s: %m", src);
                _cleanup_free_ char *deps_line = pkglist_join(deps, " ");
                _cleanup_free_ char *key = NULL;
                if (!deps_line ||
                    asprintf(&key, "forja-iso-cache 1\nstep: deb\nsuite: %s\n%sbuild-depends: %s\nsource-tree: %s\n",
                             c->opts->suite, c->sources_text, deps_line, tree) < 0)
                        return log_oom();
                r = cache_lookup(c->cache_dir, "deb", key, &c->deb);
                if (r < 0)
                        return log_error_errno(r, "Failed to use the cache %s: %m", c->cache_dir);
                if (c->deb.hit)
                        log_info("forja .deb: cached (%s)", c->deb.dir);
                else {
                        log_info("forja .deb: building in a %s chroot (about a minute)...", c->opts->suite);
                        double t0 = now_sec();
                        _cleanup_free_ char *src_tar = path_join(c->deb.tmp, "source.tar");
                        if (!src_tar)
                                return log_oom();
                        r = source_tree_pack(src, src_tar, tree);
                        if (r < 0)
                                return log_error_errno(r, "Failed to pack the source tree %s: %m", src);
                        r = build_in_chroot(c, deps, src_tar);
                        if (r < 0)
                                return r;
                        (void) unlink(src_tar);
                        r = cache_commit(&c->deb);
                        if (r < 0)
                                return log_error_errno(r, "Failed to store the .deb in the cache: %m");
                        log_info("forja .deb: built in %.0f s.", now_sec() - t0);
                }
                r = find_deb(c->deb.dir, &c->forja_deb);
                if (r < 0)
                        return log_error_errno(r, "No forja .deb in cache entry %s.", c->deb.dir);
        }
        r = sha256_file_hex(c->forja_deb, c->forja_deb_sha256);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", c->forja_deb);
        if (!path_is_hook_safe(c->forja_deb))
                return log_error_errno(EINVAL, "The .deb path '%s' contains characters mmdebstrap cannot take.", c->forja_deb);
        return read_depends(c);
}
