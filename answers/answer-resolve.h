/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Resolution: an answer applied to a machine's hardware inventory. Disk
 * filters and disk-list names become disks, network filters and the DHCP
 * lease become the management interface and its addresses, from-dhcp FQDNs
 * become host and domain names, and defaults that depend on the machine
 * (hdsize, ZFS ARC maximum, interface pin names) are filled in, the way the
 * Proxmox auto-installer does. Findings name the answer key they are about. */

#include "answer.h"
#include "hardware.h"

typedef struct ResolvedPin {
        char *mac;
        char *name;
} ResolvedPin;

typedef struct Resolved {
        const Answer *answer;
        const Hardware *hw;

        size_t *disks;                  /* indices into hw->disks, in install order */
        size_t n_disks;
        double hdsize;                  /* GiB: the answer's hdsize or the first disk's size */

        char *hostname;
        char *domain;

        const HwNic *nic;               /* management interface */
        char *ifname;                   /* its name on the installed system (pinned name with pinning) */
        char *cidr;
        char *gateway;
        char *dns;
        bool net_from_dhcp;             /* addresses taken from the DHCP lease */
        bool net_fallback;              /* no lease: the installer's fallback addresses */
        ResolvedPin *pins;              /* every NIC's pinned name, when pinning is enabled */
        size_t n_pins;

        uint64_t memory_mib;
        int zfs_ashift;
        uint64_t zfs_arc_max;           /* MiB, 0: ZFS default */
        int zfs_copies;
        const char *zfs_checksum;
        const char *zfs_compress;
        const char *btrfs_compress;
} Resolved;

/* Returns 0 with *ret set, -EINVAL when there were errors (in *diags), -ENOMEM. */
int answer_resolve(const Answer *a, const Hardware *hw, Resolved **ret, AnswerDiags *diags);
void resolved_free(Resolved *r);

/* The Proxmox low-level installer's file system string: "ext4", "zfs (RAID10)". */
int resolved_filesys(const Resolved *r, char **ret);

/* Disk selection by answer rules, for `forja device-match` as well: indices of
 * the disks (or NICs) whose udev properties match, in inventory order. */
int hw_match_disks(const Hardware *hw, const AnswerFilters *f, AnswerFilterMatch how, size_t **ret, size_t *ret_n);
int hw_match_nics(const Hardware *hw, const AnswerFilters *f, AnswerFilterMatch how, size_t **ret, size_t *ret_n);

static inline void resolved_freep(Resolved **r) {
        resolved_free(*r);
}
#define _cleanup_resolved_ _cleanup_(resolved_freep)
