/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The answer's [first-boot] hook: fetched (from-url, pinned) or read from the
 * install medium (from-iso: /forja-first-boot, put there by `forja iso
 * prepare --on-first-boot FILE`) before anything is written, then installed
 * on the node as a oneshot unit ordered as the answer says, which runs it
 * once with its output in the journal and on the console, and removes it. */

#include <stddef.h>

#include <json-c/json.h>

#define FIRST_BOOT_MEDIUM_FILE "forja-first-boot"
#define FIRST_BOOT_HOOK "/var/lib/forja/first-boot/hook"
#define FIRST_BOOT_UNIT "forja-first-boot.service"

/* Loads the hook the plan's first-boot section names; *ret_data NULL when the
 * plan has none. -errno with a message naming the URL or file otherwise. */
int first_boot_load(json_object *first_boot, const char *medium_dir, char **ret_data, size_t *ret_size, char **ret_error);

/* Writes the hook and its unit into the target and enables the unit. */
int first_boot_install(json_object *first_boot, const char *target, const char *data, size_t size, char **ret_error);
