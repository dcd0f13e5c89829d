/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Mounting a filesystem without changing one byte of its device (the answer
 * partition, a medium someone else owns). MS_RDONLY alone is not enough:
 * ext3/4, XFS and Btrfs replay their journal (log tree) on a read-only mount.
 * The block device is set read-only first (BLKROSET), so the kernel refuses
 * any write to it, and the filesystem is told not to replay. A device that is
 * mounted somewhere already keeps its flag (its journal was replayed by that
 * mount, and a read-only flag would fail that mount's writes). */

#include <stdbool.h>

typedef struct ReadOnlyMount {
        char *dir;              /* where it is mounted; NULL when not */
        int fd;                 /* the block device, held open to give the flag back */
        bool set_ro;            /* forja set the device's read-only flag */
} ReadOnlyMount;

/* The mount options that stop the filesystem type from replaying its journal,
 * or NULL when it has none to replay. */
const char *mount_no_replay_options(const char *fstype);

/* Mounts dev (of type fstype) on dir, read-only, with MS_NOSUID|MS_NODEV|MS_NOEXEC.
 * On failure the device's read-only flag is as it was. */
int mount_read_only(const char *dev, const char *fstype, const char *dir, ReadOnlyMount *ret);

/* Unmounts and gives the device its read-only flag back; accepts an unmounted one. */
void mount_read_only_undo(ReadOnlyMount *m);
