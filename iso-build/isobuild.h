/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* iso-build: makes forja's boot media from Debian packages.
 *
 *   forja .deb      built inside a trixie chroot (mmdebstrap + dpkg-buildpackage)
 *   node image      node.tar.zst + node.manifest.json (mmdebstrap --variant=apt)
 *   installer env   vmlinuz + initrd.img whose /init finds the medium and starts forja
 *   hybrid ISO      BIOS El Torito + UEFI (shim, signed GRUB) + GPT/MBR hybrid
 *
 * Every step is cached under the cache directory by a key hashed from what
 * goes into it (suite, mirror, package list, forja source or .deb, scripts),
 * so an unchanged second build only assembles the ISO. See docs/iso-build.md. */

#include <stdbool.h>

#include <json-c/json.h>

#define ISOBUILD_DEFAULT_SUITE "trixie"
#define ISOBUILD_DEFAULT_CACHE_DIR "/var/cache/forja"
#define ISOBUILD_DEFAULT_SOURCES "/etc/apt/sources.list.d/debian.sources"

typedef struct IsoBuildOptions {
        const char *suite;         /* Debian suite, "trixie" */
        const char *mirror;        /* URL, or a sources file (deb822 or one-line); NULL: the host's */
        const char *answer;        /* answer file embedded as /answer.toml, or NULL */
        const char *cache_dir;     /* NULL: ISOBUILD_DEFAULT_CACHE_DIR */
        const char *source_dir;    /* forja source tree the .deb is built from */
        const char *forja_deb;     /* a prebuilt forja .deb instead of source_dir */
        const char *data_dir;      /* package lists, /init, GRUB templates */
        const char *output;        /* the ISO to write */
        const char *pxe_url;       /* PXE: where pxe/ is served over HTTP; NULL: the boot server */
        const char *pxe_answer;    /* PXE: the forja.answer= URL; NULL: PXE_URL/answers/{mac}.toml */
        bool with_zfs;             /* ZFS modules (zfs-dkms from contrib) and tools in the node and installer */
        bool no_guest_images;      /* leave the built-in guest images (forja/trixie, forja/trixie-vm) out */
} IsoBuildOptions;

/* Builds (or takes from the cache) every part and writes the ISO, and the
 * PXE artifacts into pxe/ beside it (docs/pxe.md). */
int iso_build(const IsoBuildOptions *opts);

/* Copies in_iso to out_iso keeping the boot setup (xorriso -boot_image any
 * replay), with fetch_text (the answer source, answer_medium_fetch_format())
 * as /forja-fetch.toml, answer (when non-NULL; else an earlier one is
 * removed) as /answer.toml and first_boot as /forja-first-boot. No rebuild. */
int iso_prepare(const char *in_iso, const char *answer, const char *fetch_text, const char *first_boot,
                const char *out_iso);

/* What a forja ISO carries (forja iso inspect), as JSON: "medium" (its
 * /.disk/info), "answer_source" (/forja-fetch.toml, the token as
 * "<redacted>"), "answer" (/answer.toml with every secret value masked),
 * "first_boot_hook", "node_image" (the manifest's versions, package count and
 * sizes), "forja_version" (this forja). -EBADMSG: not a forja ISO; another
 * -errno: unreadable; both with *ret_error. */
int iso_inspect(const char *iso, struct json_object **ret, char **ret_error);

/* Removes every cache entry under cache_dir (only forja's own entries). */
int iso_cache_clean(const char *cache_dir);

/* The data directory: the source tree's iso-build/data when this binary runs
 * from its build tree, the installed one otherwise. */
const char *isobuild_default_data_dir(void);
/* The source tree this binary was built from, when it runs from its build tree. */
const char *isobuild_default_source_dir(void);
