/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The node image: a base made by mmdebstrap --variant=apt with
 * data/node.packages and the forja .deb's dependencies, customized by
 * data/node-customize.sh (which also exports the boot files the ISO needs from
 * the same packages); then the .deb installed into it by data/node-layer.sh,
 * packed as a pax tar with xattrs, compressed with zstd and described by a
 * manifest. Only the second layer is rebuilt when forja changes. */

#include "log.h"
#include "manifest.h"
#include "pkglist.h"
#include "steps.h"

int mmdebstrap_common_args(ArgV *a) {
        /* Minimal means minimal: no documentation, man pages, info or
         * translations; copyright files and locale.alias stay. */
        static const char *const args[] = {
                "--mode=root",
                "--dpkgopt=path-exclude=/usr/share/man/*",
                "--dpkgopt=path-exclude=/usr/share/info/*",
                "--dpkgopt=path-exclude=/usr/share/doc/*",
                "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                "--dpkgopt=path-exclude=/usr/share/locale/*",
                "--dpkgopt=path-include=/usr/share/locale/locale.alias",
                "--dpkgopt=path-exclude=/usr/share/lintian/*",
                "--aptopt=Acquire::Languages \"none\"",
        };
        for (size_t i = 0; i < ELEMENTSOF(args); i++) {
                int r = argv_add(a, args[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A key text part naming a data file by its content. */
static int key_file_line(StrBuf *b, const char *data_dir, const char *name) {
        _cleanup_free_ char *p = path_join(data_dir, name);
        char hex[65];
        if (!p)
                return -ENOMEM;
        int r = sha256_file_hex(p, hex);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", p);
        return strbuf_printf(b, "%s: %s\n", name, hex);
}

int step_key_files(BuildContext *c, StrBuf *b, const char *const *files) {
        for (size_t i = 0; files[i]; i++) {
                int r = key_file_line(b, c->data_dir, files[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int step_key_common(BuildContext *c, StrBuf *b, const char *step, char **packages, const char *const *files) {
        _cleanup_free_ char *pk = pkglist_join(packages, " ");
        _cleanup_free_ char *deps = pkglist_join(c->forja_depends, " ");
        if (!pk || !deps ||
            strbuf_printf(b, "forja-iso-cache 1\nstep: %s\nsuite: %s\n%spackages: %s\nforja-depends: %s\n", step,
                          c->opts->suite, c->sources_text, pk, deps) < 0)
                return log_oom();
        return step_key_files(c, b, files);
}

int step_key_layer(BuildContext *c, StrBuf *b, const char *step, const CacheEntry *base, const char *const *files) {
        if (strbuf_printf(b, "forja-iso-cache 1\nstep: %s\nbase: %s\nforja-deb: %s\n", step, base->key,
                          c->forja_deb_sha256) < 0)
                return log_oom();
        return step_key_files(c, b, files);
}

char *step_include_list(BuildContext *c, char **packages) {
        _cleanup_free_ char *pk = pkglist_join(packages, ",");
        _cleanup_free_ char *deps = pkglist_join(c->forja_depends, ",");
        char *s = NULL;
        if (!pk || !deps || asprintf(&s, "%s%s%s", pk, *deps ? "," : "", deps) < 0)
                return NULL;
        return s;
}

/* The base layer: everything but forja. The kernel's postinst makes a
 * generic initramfs (MODULES=most, LVM and cryptsetup hooks): the node boots
 * on any hardware even when the engine has nothing to change in it; the engine
 * adds crypttab and mdadm.conf to it when it writes them. */
static const BaseStep node_base = {
        .kind = "nodebase",
        .label = "node image base",
        .package_list = "node.packages",
        .customize_script = "node-customize.sh",
        .variant = "apt",
        .target = "node-base.tar",
        .files = (const char *const[]) { "node.packages", "node-customize.sh", "grub-bios-early.cfg", NULL },
        .zfs_packages = "zfsutils-linux,zfs-initramfs,zfs-zed",
        .zfs_customize_script = "node-zfs.sh",
};

int step_node_image(BuildContext *c) {
        static const char *const files[] = { "node-layer.sh", NULL };
        StrBuf key = {};
        int r;

        r = step_base(c, &node_base, &c->node_base);
        if (r < 0)
                return r;
        r = step_key_layer(c, &key, "node", &c->node_base, files);
        /* the guest images it carries (none: --no-guest-images) */
        if (r >= 0)
                r = strbuf_printf(&key, "guest-images: %s %s\n", c->guest_ct.dir ? c->guest_ct.key : "-",
                                  c->guest_vm.dir ? c->guest_vm.key : "-");
        if (r >= 0)
                r = cache_lookup(c->cache_dir, "node", key.s, &c->node);
        strbuf_done(&key);
        if (r < 0)
                return log_error_errno(r, "Failed to use the cache %s: %m", c->cache_dir);
        if (c->node.hit) {
                log_info("node image: cached (%s)", c->node.dir);
                return 0;
        }

        log_info("node image: installing the forja .deb into the base and packing it (zstd %s)...", NODE_ZSTD_LEVEL);
        double t0 = now_sec();
        _cleanup_free_ char *script = path_join(c->data_dir, "node-layer.sh");
        _cleanup_free_ char *zst = path_join(c->node.tmp, "node.tar.zst");
        _cleanup_free_ char *tsv = path_join(c->node.tmp, "node-packages.tsv");
        _cleanup_free_ char *json = path_join(c->node.tmp, "node.manifest.json");
        if (!script || !zst || !tsv || !json)
                return log_oom();
        char *largv[] = { (char *) "sh", script, c->node_base.dir, c->node.tmp, c->forja_deb, (char *) NODE_ZSTD_LEVEL,
                          c->guest_ct.dir ?: (char *) "-", c->guest_vm.dir ?: (char *) "-", NULL };
        r = run_visible(largv, NULL);
        if (r < 0)
                return r;
        log_info("node image: writing the manifest...");
        ManifestInput mi = { .tarball = zst, .packages_tsv = tsv, .suite = c->opts->suite, .chunk_size = NODE_CHUNK_SIZE };
        r = manifest_write(&mi, json);
        if (r < 0)
                return log_error_errno(r, "Failed to write the manifest of %s: %m", zst);
        r = cache_commit(&c->node);
        if (r < 0)
                return log_error_errno(r, "Failed to store the node image in the cache: %m");
        log_info("node image: done in %.0f s.", now_sec() - t0);
        return 0;
}
