/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Boot disk partitions, swap and LVM sizes as the Proxmox VE installer computes
 * them. The reference works in KiB with Perl numbers (doubles) and truncates
 * with int() and "& ~0xFFF" (4 MiB alignment); the same steps are kept here,
 * in the same order, so rounding matches. */

#include <errno.h>
#include <math.h>

#include "layout.h"
#include "macro.h"

#define ALIGN_4M_KIB(x) ((uint64_t) (x) & ~(uint64_t) 0xFFF)

static bool unset(double v) {
        return isnan(v);
}

/* The first sector after the last usable one of a GPT disk: the backup
 * header and its 16 KiB partition array sit at the end. */
static uint64_t gpt_usable_end_sector(uint64_t sectors, uint32_t sector_size) {
        uint64_t backup = 1 + 16384 / sector_size;
        return sectors > backup ? sectors - backup : 0;
}

int layout_boot_disk(uint64_t size_bytes, uint32_t logical_sector_size, double hdsize_gib,
                     uint64_t extra_mib, BootDiskLayout *ret) {
        uint32_t lbs = logical_sector_size ?: 512;

        if (size_bytes / lbs == 0)
                return -EINVAL;

        BootDiskLayout l = {
                .disk_kib = size_bytes / 1024,
                .sectors = size_bytes / lbs,
                .sector_size = lbs,
                .bios_boot = lbs != 4096,
                .esp_start = LAYOUT_MIB,
        };

        /* "For bigger disks default to generous ESP size": decided on the whole disk. */
        uint64_t esp_mib = l.disk_kib > 100 * LAYOUT_KIB_PER_GIB ? 1024 : 512;
        uint64_t esp_end_mib = esp_mib + 1 + extra_mib;
        l.esp_size = esp_mib * LAYOUT_MIB;
        if (extra_mib > 0) {
                l.extra_start = l.esp_start + l.esp_size;
                l.extra_size = extra_mib * LAYOUT_MIB;
        }
        l.os_start = esp_end_mib * LAYOUT_MIB;

        double hd_kib = (double) l.disk_kib;
        uint64_t usable_end = gpt_usable_end_sector(l.sectors, lbs) * lbs;
        l.os_end = usable_end;
        if (!unset(hdsize_gib) && hdsize_gib > 0) {
                double max_kib = hdsize_gib * (double) LAYOUT_KIB_PER_GIB;
                if (max_kib < hd_kib) {
                        hd_kib = max_kib;
                        l.restricted = true;
                        /* The reference's "sgdisk -n3:...:NM" (N = whole MiB of
                         * hdsize) ends the partition on the sector at N MiB,
                         * inclusive. Where that sector is past the last usable
                         * one (N MiB in the disk's last 17 KiB, 24 KiB on 4Kn) sgdisk
                         * refuses; the partition then ends at the disk end. */
                        uint64_t end = (uint64_t) (max_kib / 1024) * LAYOUT_MIB + lbs;
                        if (end <= usable_end)
                                l.os_end = end;
                }
        }
        l.hd_kib = (uint64_t) hd_kib;
        l.hd_gib = (unsigned) (hd_kib / (double) LAYOUT_KIB_PER_GIB);

        double os = hd_kib - (double) (esp_end_mib * 1024);
        l.os_size_kib = os > 0 ? (uint64_t) os : 0;
        if (l.os_end < l.os_start)
                l.os_end = l.os_start;

        *ret = l;
        return 0;
}

uint64_t layout_swap_kib(uint64_t os_size_kib, uint64_t memory_mib, double swapsize_gib) {
        double hdgb = floor((double) os_size_kib / (double) LAYOUT_KIB_PER_GIB);

        if (!unset(swapsize_gib)) {
                double kib = swapsize_gib * (double) LAYOUT_KIB_PER_GIB;
                return kib > 0 ? (uint64_t) kib : 0;
        }

        double ss = (double) memory_mib;
        if (ss < 4096 && hdgb >= 64)
                ss = 4096;
        if (ss < 2048 && hdgb >= 32)
                ss = 2048;
        if (ss >= 2048 && hdgb <= 16)
                ss = 1024;
        if (ss < 512)
                ss = 512;
        if (ss > hdgb * 128)
                ss = floor(hdgb * 128);
        if (ss > 8192)
                ss = 8192;
        return ALIGN_4M_KIB(ss * 1024);
}

uint64_t layout_thin_metadata_kib(uint64_t requested_kib, uint64_t extent_kib) {
        uint64_t kib = MIN(requested_kib, LAYOUT_THIN_METADATA_MAX_KIB);
        return extent_kib ? (kib + extent_kib - 1) / extent_kib * extent_kib : kib;
}

uint64_t layout_thin_chunk_kib(uint64_t data_kib) {
        uint64_t chunk = LAYOUT_THIN_CHUNK_MIN_KIB;
        while (data_kib >= LAYOUT_THIN_MAX_CHUNKS * chunk)
                chunk *= 2;
        return chunk;
}

int layout_lvm(uint64_t os_size_kib, uint64_t swap_kib, double maxroot_gib, double minfree_gib,
               double maxvz_gib, LvmLayout *ret) {
        double os = (double) os_size_kib;
        double hdgb = floor(os / (double) LAYOUT_KIB_PER_GIB);

        /* Some space stays free for LVM's rounding to 4 MiB extents and snapshots. */
        double space = hdgb <= 32 ? 4 * 1024 : (hdgb > 128 ? 16 : hdgb / 8) * (double) LAYOUT_KIB_PER_GIB;

        double maxroot_mb = (!unset(maxroot_gib) && maxroot_gib != 0) ? maxroot_gib * 1024 : 96 * 1024;

        double rest = os - (double) swap_kib;
        double rest_mb = floor(rest / 1024);
        double rootsize_mb;
        if (rest_mb < 12 * 1024)
                rootsize_mb = rest_mb - 4 > 0 ? (double) ((uint64_t) (rest_mb - 4) & ~(uint64_t) 3) : 0;
        else if (rest_mb < 48 * 1024)
                rootsize_mb = (double) ((uint64_t) floor(rest_mb / 2) & ~(uint64_t) 3);
        else
                rootsize_mb = rest_mb / 4 + 12 * 1024;
        if (rootsize_mb > maxroot_mb)
                rootsize_mb = maxroot_mb;

        uint64_t rootsize = ALIGN_4M_KIB(floor(rootsize_mb * 1024));
        if (rootsize == 0)
                return -ENOSPC;
        rest -= (double) rootsize;

        double minfree = space;
        if (!unset(minfree_gib)) {
                double cfg = minfree_gib * (double) LAYOUT_KIB_PER_GIB;
                minfree = cfg >= rest ? space : cfg;
        }

        double left = floor(rest - minfree);
        rest = left > 0 ? (double) ALIGN_4M_KIB(left) : 0;

        if (!unset(maxvz_gib)) {
                double maxvz = maxvz_gib * (double) LAYOUT_KIB_PER_GIB;
                if (maxvz <= rest)
                        rest = maxvz > 0 ? maxvz : 0;
        }

        LvmLayout l = {
                .swap_kib = swap_kib,
                .root_kib = rootsize,
                .minfree_kib = (uint64_t) minfree,
        };

        double datasize = floor(rest);
        if (datasize > 4.0 * LAYOUT_KIB_PER_GIB) {
                uint64_t meta = (uint64_t) (datasize / 100);
                if (meta < LAYOUT_KIB_PER_GIB)
                        meta = LAYOUT_KIB_PER_GIB;
                if (meta > 16 * LAYOUT_KIB_PER_GIB)
                        meta = 16 * LAYOUT_KIB_PER_GIB;
                meta = ALIGN_4M_KIB(meta);
                /* the pool's metadata and its spare come out of the data share, plus one extent */
                l.data_kib = (uint64_t) datasize - 2 * meta - 4096;
                l.data_metadata_request_kib = meta;
                l.data_metadata_kib = layout_thin_metadata_kib(meta, LAYOUT_LVM_EXTENT_KIB);
                l.data_chunk_kib = layout_thin_chunk_kib(l.data_kib);
                l.data = true;
        }

        *ret = l;
        return 0;
}

static uint64_t extents_bytes(uint64_t kib) {
        uint64_t extent = LAYOUT_LVM_EXTENT_KIB * 1024;
        return (kib * 1024 + extent - 1) / extent * extent;
}

void layout_vg(uint64_t pv_bytes, const LvmLayout *lvm, VgLayout *ret) {
        uint64_t extent = LAYOUT_LVM_EXTENT_KIB * 1024;
        VgLayout v = {
                .size_bytes = pv_bytes > LAYOUT_LVM_PE_START_BYTES ? (pv_bytes - LAYOUT_LVM_PE_START_BYTES) / extent * extent : 0,
                .used_bytes = extents_bytes(lvm->swap_kib) + extents_bytes(lvm->root_kib),
        };
        if (lvm->data)
                v.used_bytes += extents_bytes(lvm->data_kib) + 2 * extents_bytes(lvm->data_metadata_kib);
        v.free_bytes = v.used_bytes <= v.size_bytes ? v.size_bytes - v.used_bytes : 0;
        *ret = v;
}

uint64_t layout_zfs_arc_max_default_mib(uint64_t memory_mib) {
        uint64_t mib = (uint64_t) llround((double) memory_mib * 0.1);
        if (mib > 16 * 1024)
                return 16 * 1024;
        if (mib < 64)
                return 64;
        return mib;
}
