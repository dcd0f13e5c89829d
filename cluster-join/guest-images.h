/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The built-in guest images the node image carries (forja iso build puts
 * them in GUEST_IMAGES_DIR): imported once into the standalone server or the
 * bootstrap member by forja join, each under its alias, skipped when the
 * alias already exists (a cluster copies images to members as needed). The
 * files are removed once imported: they only took disk space. */

#include "incus.h"

#define GUEST_IMAGES_DIR "/var/lib/forja/guest-images"

typedef struct GuestImageFile {
        const char *alias;             /* "forja/trixie" */
        const char *metadata;          /* the unified tarball, or the metadata tarball of a split image */
        const char *rootfs;            /* the split image's disk (qcow2), or NULL */
} GuestImageFile;

/* The images forja iso build makes, in the order they are imported. */
extern const GuestImageFile guest_image_files[];
extern const size_t guest_image_files_n;

/* Imports those of dir (NULL: GUEST_IMAGES_DIR) whose files exist and whose
 * alias does not; *ret_imported counts them. progress (may be NULL) gets a
 * line per image. -errno with *ret_error on the first failure. */
int guest_images_import(IncusClient *c, const char *dir, unsigned *ret_imported,
                        void (*progress)(void *userdata, const char *message), void *userdata, char **ret_error);
