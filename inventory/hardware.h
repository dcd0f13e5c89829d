/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The hardware inventory: what the installer knows about the machine it runs
 * on. It is probed from the live system (udev database, sysfs, libblkid) or
 * loaded from forja's hardware JSON (docs/hardware.md), so every decision the
 * installer makes can be tested without the hardware. Plans are resolved
 * against a Hardware. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

typedef struct HwProperty {
        char *key;                      /* udev property name, e.g. ID_SERIAL */
        char *value;
} HwProperty;

typedef struct HwDisk {
        char *name;                     /* kernel name: sda, nvme0n1, vda */
        char *path;                     /* /dev/sda */
        uint64_t size_bytes;
        uint32_t logical_sector_size;   /* bytes; 512 or 4096 */
        uint32_t physical_sector_size;
        bool rotational;
        bool removable;
        bool install_medium;            /* holds the running installer's medium */
        char *model;
        char *serial;
        char *wwn;                      /* World Wide Name (udev ID_WWN..., sysfs wwid); NULL when none */
        uint64_t diskseq;               /* the kernel's disk sequence number when probed (Linux 5.15+;
                                         * 0: unknown): every disk that appears gets a new one */
        char *pttype;                   /* "gpt", "dos" or NULL when no partition table */
        char **contents;                /* NULL-terminated: what it holds now, e.g. "sda1: ext4 \"root\"",
                                         * "LVM2_member", "linux_raid_member"; NULL or empty when blank */
        HwProperty *props;              /* udev properties, for disk filters */
        size_t n_props;
        bool contents_unknown;          /* the device could not be read (no permission, no medium):
                                         * pttype/contents say nothing; treat it as not blank */
} HwDisk;

typedef struct HwNic {
        char *name;                     /* eno1, enp1s0 */
        char *mac;                      /* lower case, colon separated */
        char *driver;
        bool link;                      /* carrier up */
        HwProperty *props;              /* udev properties, for network filters */
        size_t n_props;
} HwNic;

typedef struct HwDhcp {
        char *nic;                      /* interface that got the lease, or NULL when none */
        char *address;                  /* CIDR, e.g. 192.168.1.20/24 */
        char *gateway;
        char **dns;                     /* NULL-terminated */
        char *hostname;                 /* option 12, when offered */
        char *domain;                   /* option 15 / search domain, when offered */
} HwDhcp;

typedef struct HwCpu {
        char *vendor;                   /* GenuineIntel, AuthenticAMD */
        char *model;
        unsigned threads;
        bool x86_64;
        char *virt_verdict;             /* hwcheck's CPU verdict id, e.g. "usable",
                                         * "disabled-by-firmware", "module-not-loaded",
                                         * "absent", "guest-without-nested"; NULL if unknown */
} HwCpu;

typedef struct HwDmi {
        char *system_vendor;
        char *system_product;
        char *system_serial;
        char *system_uuid;
} HwDmi;

typedef struct Hardware {
        HwDisk *disks;
        size_t n_disks;
        HwNic *nics;
        size_t n_nics;
        bool uefi;
        bool secure_boot;
        int tpm_version;                /* 0: no TPM; 1: TPM 1.2; 2: TPM 2.0 (tpm0's tpm_version_major) */
        uint64_t memory_bytes;
        HwCpu cpu;
        HwDmi dmi;
        HwDhcp dhcp;
        char *kernel_cmdline;
        char **warnings;                /* NULL-terminated notes from probing (a device that could not
                                         * be read, a malformed DHCP lease); never in the JSON */
} Hardware;

void hardware_free(Hardware *hw);

/* forja's hardware JSON (docs/hardware.md). Errors name the JSON path of the
 * bad field in *ret_error (malloc'd) and return -EINVAL. */
int hardware_from_json(json_object *root, Hardware **ret, char **ret_error);
int hardware_load_json(const char *path, Hardware **ret, char **ret_error);
json_object *hardware_to_json(const Hardware *hw);

/* Probes the running system. sysroot redirects /sys, /proc, /run and /dev (NULL: "/").
 * Devices are opened read-only; problems that do not stop the probe (a disk
 * that cannot be read, a malformed DHCP lease) end up in hw->warnings. */
int hardware_probe(const char *sysroot, Hardware **ret);

typedef enum HwProbeFlags {
        HW_PROBE_ALL_DISKS = 1 << 0,    /* also loop, dm, md, sr, ram and zram devices (size > 0) */
        HW_PROBE_ALL_NICS  = 1 << 1,    /* also lo and virtual interfaces (no device/ link) */
} HwProbeFlags;

/* hardware_probe() with flags; hardware_probe(s, r) is hardware_probe_full(s, 0, r). */
int hardware_probe_full(const char *sysroot, HwProbeFlags flags, Hardware **ret);

/* The DHCP lease file the installer environment writes (docs/hardware.md):
 * the same object as the "dhcp" member of the hardware JSON. */
#define HW_DHCP_LEASE_PATH "/run/forja/dhcp.json"
int hw_dhcp_load_lease(const char *path, HwDhcp *ret, char **ret_error);
void hw_dhcp_done(HwDhcp *dhcp);

const HwDisk *hardware_find_disk(const Hardware *hw, const char *name);
const HwNic *hardware_find_nic(const Hardware *hw, const char *name);

const char *hw_property_get(const HwProperty *props, size_t n, const char *key);

/* Who a disk is, read from an open descriptor of it right before it is
 * written: a disk swapped or re-enumerated under the same /dev name since
 * the inventory was probed has another disk sequence number, and mostly
 * another serial, WWN or size. */
typedef struct HwDiskIdentity {
        uint64_t diskseq;               /* BLKGETDISKSEQ; 0: unknown (kernel before 5.15) */
        uint64_t size_bytes;            /* BLKGETSIZE64 */
        char *serial;                   /* as the inventory reads it, for the descriptor's device number */
        char *wwn;
} HwDiskIdentity;

/* The identity of the block device open on fd (the descriptor holds the
 * disk, so its device number cannot pass to another one meanwhile); serial
 * and WWN from the udev database and sysfs below sysroot (NULL: "/"). */
int hw_disk_identify_fd(int fd, const char *sysroot, HwDiskIdentity *ret);
void hw_disk_identity_done(HwDiskIdentity *id);

/* What differs between the disk as planned (was: a 0 diskseq or size is not
 * compared) and now, as "serial A in the plan, B now; disk sequence number N
 * at the start, M now; ..." in *ret_changes (malloc'd), or NULL when it is
 * the same disk. 0 or -ENOMEM. */
int hw_disk_identity_diff(const HwDiskIdentity *was, const HwDiskIdentity *now, char **ret_changes);
