/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The plan's static management address, brought up in the installer
 * environment before anything is written, so that what runs before the first
 * write (the cluster verification of a join token) can reach the network.
 * Only for [network] source = "from-answer", and only when the management
 * NIC has no address yet (DHCP or ip= on the kernel command line came first:
 * those are left alone). Uses `ip` (iproute2, or busybox's applet). */

#include <json-c/json.h>

/* Returns 1 when the address was added, 0 when there was nothing to do,
 * -errno with *ret_error set when the address could not be added. */
int netup_management(json_object *plan, char **ret_error);
