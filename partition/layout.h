/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Pure size planning for a boot disk, exactly as the Proxmox VE installer
 * computes it (Proxmox::Sys::Block::partition_bootable_disk,
 * Proxmox::Install::compute_swapsize and create_lvm_volumes), so an answer
 * file gives the same partitions and volumes under forja as under Proxmox.
 * Sizes are in KiB where the reference works in KiB; nothing here touches a
 * device. Where the tools make something else than the reference's numbers
 * (sgdisk's inclusive end, lvm2's thin-pool metadata limit), the layout is
 * what the tools make: docs/plan-json.md, "Sizes at the boundaries". */

#include <stdbool.h>
#include <stdint.h>

#define LAYOUT_KIB_PER_GIB (1024ULL * 1024ULL)
#define LAYOUT_MIB 1048576ULL

/* The hard and soft lower limits for the root disk (GiB, rounded down). */
#define LAYOUT_HARD_MIN_GIB 2
#define LAYOUT_SOFT_MIN_GIB 8

typedef struct BootDiskLayout {
        uint64_t disk_kib;              /* the whole disk: size / 1024, rounded down */
        uint64_t sectors;               /* disk size in logical sectors */
        uint32_t sector_size;           /* logical sector size in bytes */
        bool bios_boot;                 /* partition 1, sectors 34..2047 (not on 4Kn disks) */
        uint64_t esp_start;             /* bytes: always 1 MiB */
        uint64_t esp_size;              /* bytes: 512 MiB, or 1 GiB on disks over 100 GiB */
        uint64_t extra_start, extra_size; /* bytes: optional partition after the ESP (forja's /boot), or 0 */
        uint64_t os_start;              /* bytes: after the ESP (and the extra partition) */
        uint64_t os_end;                /* bytes, exclusive: one sector past hdsize, or the last usable GPT sector */
        bool restricted;                /* hdsize is below the disk size */
        uint64_t hd_kib;                /* usable size: disk_kib, or hdsize when smaller */
        unsigned hd_gib;                /* hd_kib in GiB, rounded down (the 2 / 8 GiB checks) */
        uint64_t os_size_kib;           /* what the reference sizes LVM from: hd_kib - ESP end */
} BootDiskLayout;

/* Plans the partitions of one boot disk. hdsize_gib <= 0 or NaN means the whole
 * disk. extra_mib reserves a partition of that many MiB right after the ESP
 * (0: none). Returns -EINVAL for a disk without sectors. */
int layout_boot_disk(uint64_t size_bytes, uint32_t logical_sector_size, double hdsize_gib,
                     uint64_t extra_mib, BootDiskLayout *ret);

/* Swap size in KiB. swapsize_gib NaN: derived from RAM (MiB) and the OS size,
 * as the reference does; otherwise swapsize_gib * 1 GiB. */
uint64_t layout_swap_kib(uint64_t os_size_kib, uint64_t memory_mib, double swapsize_gib);

/* The largest thin-pool metadata device the kernel's dm-thin target uses:
 * 255 index blocks of (16384 - 64) 4 KiB blocks, <15.88 GiB. lvm2 reduces a
 * larger --poolmetadatasize to it and rounds that up to whole extents. */
#define LAYOUT_THIN_METADATA_MAX_KIB (255ULL * (16384 - 64) * 4)
#define LAYOUT_LVM_EXTENT_KIB 4096ULL

/* The thin-pool metadata size lvm2 creates (and its spare: the same) for a
 * --poolmetadatasize of requested_kib in a volume group of extent_kib
 * extents: capped at LAYOUT_THIN_METADATA_MAX_KIB, rounded up to extents. */
uint64_t layout_thin_metadata_kib(uint64_t requested_kib, uint64_t extent_kib);

/* The data blocks (chunks) a thin pool addresses at most: 64 bytes of the
 * largest metadata device per chunk (lvm2: a 64 KiB chunk "can address at
 * most <15.88 TiB of data", a 128 KiB one 31.75 TiB). Left to choose, lvm2
 * 2.03.31 picks 64 KiB for a pool of 16300 GiB and then refuses it; the plan
 * therefore names the chunk size (measured: a 64 KiB pool of 17045655552 KiB
 * is made, one of 17091788800 KiB refused). */
#define LAYOUT_THIN_MAX_CHUNKS (LAYOUT_THIN_METADATA_MAX_KIB * 1024 / 64)
#define LAYOUT_THIN_CHUNK_MIN_KIB 64ULL

/* The smallest chunk size (64 KiB, doubled as needed) that addresses data_kib
 * with room to spare (at exactly the limit the next size is taken). */
uint64_t layout_thin_chunk_kib(uint64_t data_kib);

typedef struct LvmLayout {
        uint64_t swap_kib;              /* 0: no swap volume */
        uint64_t root_kib;
        uint64_t data_kib;              /* thin pool data size; 0 when no data volume is created */
        uint64_t data_metadata_kib;     /* thin pool metadata size as lvm2 makes it (layout_thin_metadata_kib) */
        uint64_t data_metadata_request_kib; /* the reference's 1 %, 1..16 GiB: what data_kib is computed from */
        uint64_t data_chunk_kib;        /* thin pool chunk size (layout_thin_chunk_kib) */
        uint64_t minfree_kib;           /* space left free in the volume group */
        bool data;                      /* a data thin pool is created (over 4 GiB left) */
} LvmLayout;

/* Logical volume sizes for the Proxmox VE product (VG "pve"). NaN options are
 * unset. Returns -ENOSPC when the root volume would be empty. */
int layout_lvm(uint64_t os_size_kib, uint64_t swap_kib, double maxroot_gib, double minfree_gib,
               double maxvz_gib, LvmLayout *ret);

/* The volume group on one physical volume of pv_bytes: "pvcreate
 * --metadatasize 250k" puts the first extent at 1 MiB (lvm2 2.03.31), then
 * whole extents. Every volume takes whole extents, the thin pool's metadata
 * twice (the pool's and its spare). */
#define LAYOUT_LVM_PE_START_BYTES LAYOUT_MIB

typedef struct VgLayout {
        uint64_t size_bytes;
        uint64_t used_bytes;
        uint64_t free_bytes;            /* 0 when the volumes do not fit: used_bytes > size_bytes */
} VgLayout;

void layout_vg(uint64_t pv_bytes, const LvmLayout *lvm, VgLayout *ret);

/* Default ZFS ARC maximum in MiB for Proxmox VE: 10 % of RAM, 64 MiB .. 16 GiB. */
uint64_t layout_zfs_arc_max_default_mib(uint64_t memory_mib);
