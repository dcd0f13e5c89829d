/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Builds a Hardware from the Proxmox auto-installer test environment
 * (run-env-info.json + run-env-udev.json, see the anchors' README): disks in
 * index order with their udev properties, NICs in pinned-id order, the DHCP
 * lease from the default route, the DNS list and the DHCP host name. */

#include "hardware.h"

int pve_fixture_hardware(const char *resources_dir, const char *run_env_path, Hardware **ret);
