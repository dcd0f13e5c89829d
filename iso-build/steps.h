/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The cached steps of `forja iso build`. Each takes what it needs from the
 * BuildContext, keys its cache entry by content and leaves its outputs in a
 * cache entry directory. */

#include "build-cache.h"
#include "isobuild.h"
#include "mirror.h"
#include "util.h"

/* zstd level for node.tar.zst: -9 is within 8% of -19 on the node image
 * (most of it is already-compressed firmware and modules) at 1/13 of the time. */
#define NODE_ZSTD_LEVEL "-9"
/* Bytes per manifest chunk (the unit of verification when streaming). */
#define NODE_CHUNK_SIZE (4u << 20)

typedef struct BuildContext {
        const IsoBuildOptions *opts;
        const char *cache_dir;
        const char *data_dir;
        Mirror mirror;
        char **sources;               /* mmdebstrap mirror lines: main + non-free-firmware */
        char *sources_text;           /* the same, one per line, for cache keys */
        char *forja_deb;              /* path of the forja .deb (cache or --forja-deb) */
        char forja_deb_sha256[65];
        char **forja_depends;         /* package names from the .deb's Depends */
        char *zfs_deb;                /* --with-zfs: the ZFS modules .deb (in c->zfs), else NULL */
        char zfs_deb_sha256[65];
        CacheEntry deb, zfs, node_base, node, installer_base, installer;
        CacheEntry guest_ct, guest_vm;   /* empty with --no-guest-images */
} BuildContext;

/* Builds the forja .deb inside a trixie chroot (or takes --forja-deb). */
int step_forja_deb(BuildContext *c);
/* A base layer: mmdebstrap --variant=VARIANT of the packages in
 * data/PACKAGE_LIST plus the .deb's dependencies, data/CUSTOMIZE_SCRIPT as its
 * customize hook (called with the root, the entry being built and the data
 * dir), cached as KIND-KEY (the key: step_key_common() with files). */
typedef struct BaseStep {
        const char *kind;             /* cache kind: "nodebase", "installerbase" */
        const char *label;            /* for the log: "node image base" */
        const char *package_list;
        const char *customize_script;
        const char *variant;
        const char *target;           /* mmdebstrap's output, a file in the entry; NULL: /dev/null */
        const char *const *files;     /* data files in the key */
        const char *const *outputs;   /* files the hook must have made in the entry, or NULL */
        char *const *env;             /* extra environment for mmdebstrap, or NULL */
        bool without_forja_depends;   /* do not add the .deb's dependencies */
        const char *zfs_packages;     /* with --with-zfs: these (comma-separated) and the ZFS modules .deb too */
        const char *zfs_customize_script; /* with --with-zfs: a second customize hook (same arguments), or NULL */
        const char *const *extra_args;    /* more mmdebstrap arguments (in the key too), or NULL */
} BaseStep;
int step_base(BuildContext *c, const BaseStep *s, CacheEntry *e);

/* With --with-zfs: the ZFS kernel modules for the image kernel, built by
 * zfs-dkms (Debian contrib) in a throw-away chroot and packed as a .deb by
 * data/zfs-modules.sh (c->zfs_deb), which both bases then install. */
int step_zfs_modules(BuildContext *c);

/* The guest images Incus launches on an offline node (Incus's image format):
 * forja/trixie, a container (unified tarball with rootfs/), and
 * forja/trixie-vm, a VM (metadata tarball + qcow2 disk booting shim, signed
 * GRUB and the signed kernel, with incus-agent). Two cached mmdebstrap
 * --variant=minbase steps (data/guest-*.packages, data/guest-*.sh), left out
 * with --no-guest-images. The node layer carries them. */
int step_guest_images(BuildContext *c);
/* The node image directory the guest images are put in (node-layer.sh) and
 * imported from at first boot (forja join). */
#define GUEST_IMAGES_NODE_DIR "/var/lib/forja/guest-images"

/* The node image in two cached layers. The base: mmdebstrap with
 * data/node.packages and the .deb's dependencies, customized by
 * data/node-customize.sh, kept as node-base.tar with node-packages.tsv and the
 * boot files (GRUB El Torito image, boot_hybrid.img, shim and signed GRUB).
 * The image: the base with the .deb installed by dpkg (data/node-layer.sh),
 * packed as node.tar.zst with node.manifest.json, in c->node. A forja change
 * rebuilds only the second layer. */
int step_node_image(BuildContext *c);
/* The installer environment in two cached layers: the base (vmlinuz and a
 * zstd cpio initramfs without forja) and the forja layer (the .deb's files,
 * /init and the network scripts as a second cpio appended to the base's,
 * which the kernel unpacks over the first), vmlinuz and initrd.img in
 * c->installer. */
int step_installer_env(BuildContext *c);
/* Assembles the ISO from the three entries. */
int step_iso_image(BuildContext *c, const char *output);
/* Writes pxe/ beside output: kernel, initrd, node image, boot.ipxe, UEFI netboot. */
int step_pxe_artifacts(BuildContext *c, const char *output);

/* Writes the cache key text of a base (mmdebstrap) step: suite, sources,
 * packages and the content of the data files it uses. The .deb is not part of
 * it: bases only hold its dependencies. */
int step_key_common(BuildContext *c, StrBuf *b, const char *step, char **packages, const char *const *files);

/* Appends "NAME: SHA-256" of each data file (NULL-terminated) to a key text. */
int step_key_files(BuildContext *c, StrBuf *b, const char *const *files);

/* Writes the cache key text of a layer put on a base entry: the base's key,
 * the .deb's sha256 and the content of the data files the layer uses. */
int step_key_layer(BuildContext *c, StrBuf *b, const char *step, const CacheEntry *base, const char *const *files);

/* packages followed by the .deb's dependencies, joined with ",", for
 * mmdebstrap --include. */
char *step_include_list(BuildContext *c, char **packages);

/* The common mmdebstrap arguments: mode, dpkg path excludes (docs, man pages,
 * locales), and the suite. Appended to a. */
int mmdebstrap_common_args(ArgV *a);

/* "FORJA_VERSION" as an ISO 9660 volume label: FORJA_0_1_0. */
char *iso_volume_label(void);
