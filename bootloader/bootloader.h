/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* GRUB on the installed node, as Debian installs it: grub-install for BIOS on
 * every selected disk; for UEFI always shim-signed + grub-efi-amd64-signed,
 * with an NVRAM entry when efivars exist and the removable fallback path
 * EFI/BOOT/BOOTX64.EFI (shim) as well, and the first ESP copied to the ESP of
 * every other disk, so a RAID or Btrfs raid1 node boots from any of them.
 * Runs inside the mounted target (with /dev, /proc, /sys, /run bound in),
 * through common/spawn.h. */

#include <stdbool.h>

typedef struct BootloaderInput {
        const char *root;               /* the mounted target, with /boot/efi mounted on UEFI */
        bool uefi;
        char *const *disks;             /* every target disk (/dev/vda...), NULL-terminated */
        char *const *extra_esps;        /* ESP devices of the other disks, NULL-terminated (UEFI) */
        bool initramfs_mdadm;           /* /etc/mdadm/mdadm.conf goes into the initramfs */
        bool initramfs_crypttab;        /* /etc/crypttab goes into the initramfs (cryptroot/crypttab) */
        const char *initramfs_keyscript; /* a crypttab keyscript of the target to add (same path), or NULL */
        bool initramfs_zfs;             /* /etc/hostid and /etc/modprobe.d/zfs.conf (if any) go into the initramfs */
} BootloaderInput;

/* Returns 0, or -errno with a message naming the step and the tool's stderr. */
int bootloader_install(const BootloaderInput *in, char **ret_error);

/* Puts the node's mdadm.conf, crypttab and ZFS settings into every /boot/initrd.img-* of
 * the target (initramfs.c); 0 or -errno with a message. */
int initramfs_add_storage_config(const BootloaderInput *in, char **ret_error);
