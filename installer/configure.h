/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Stage 6 of the install engine: the node's own configuration, written into
 * the mounted target after the image is laid down. fstab by UUID, host name
 * and /etc/hosts, the management bridge vmbr0 for systemd-networkd (with
 * interface name pinning), root's password hash and ssh keys, time zone,
 * keyboard and locale, a fresh machine identity (empty machine-id, new SSH
 * host keys), the redacted answer file, the install log, the GRUB
 * settings the bootloader stage uses, and forja-md-degraded.service enabled
 * where the plan has md arrays. Every file and the reason for it is
 * described in docs/node-config.md. Secrets are taken from the Answer and
 * only ever written hashed (the root password) or not at all. */

#include <stddef.h>

#include <json-c/json.h>

#include "answer.h"

typedef struct TargetMount {
        const char *mountpoint;   /* "/", "/boot/efi", "none" for swap */
        const char *fstype;       /* ext4, xfs, btrfs, vfat, swap, zfs (a dataset: not in fstab) */
        const char *device;       /* zfs: the dataset, named in a comment in fstab; otherwise unused */
        const char *uuid;         /* filesystem UUID (blkid), used in fstab */
        const char *options;      /* mount options, NULL: "defaults" ("sw" for swap) */
        int pass;                 /* fsck pass: 1 for /, 2 others, 0 none */
} TargetMount;

typedef struct ConfigureInput {
        const char *root;               /* the mounted target */
        json_object *plan;              /* the plan JSON */
        const Answer *answer;           /* secrets: root password (plain or hashed), ssh keys */
        const char *answer_text;        /* the answer file as given, for the redacted copy (NULL: none) */
        size_t answer_size;
        const TargetMount *mounts;
        size_t n_mounts;
        const char *log_path;           /* the install log to copy, or NULL */
        const char *serial_console;     /* e.g. "ttyS0,115200" when the install ran on a serial console, or NULL */
} ConfigureInput;

/* Writes the node's configuration into the target. Returns 0 or -errno with a
 * message in *ret_error naming the file and the reason. */
int configure_target(const ConfigureInput *in, char **ret_error);

