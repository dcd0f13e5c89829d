/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared by the parts of configure_target(): writing files into the target
 * tree (paths are given as on the node, "/etc/hostname"), error messages that
 * name the file, and plan lookups. Each part lives in its own configure-*.c. */

#include <stdbool.h>
#include <sys/types.h>

#include "configure.h"
#include "macro.h"
#include "strutil.h"

/* Sets *ret_error to "ROOT/PATH: reason" (reason from format, or strerror(-r)
 * when format is NULL) and returns r (negative). */
int target_error(char **ret_error, int r, const char *root, const char *path, const char *format, ...) _printf_(5, 6);

/* ROOT + PATH, malloc'd; NULL on OOM. */
char *target_path(const char *root, const char *path);

/* Creates the directory PATH in the target and its missing parents with mode. */
int target_mkdir_p(const char *root, const char *path, mode_t mode, char **ret_error);

/* Replaces PATH in the target (temporary file + rename, a symlink there is
 * replaced, not followed) with data, owned by uid:gid with mode. The parent
 * directories are created (0755) when missing. */
int target_write_full(const char *root, const char *path, const void *data, size_t size,
                      mode_t mode, uid_t uid, gid_t gid, char **ret_error);

static inline int target_write(const char *root, const char *path, const char *text, mode_t mode, char **ret_error) {
        return target_write_full(root, path, text, strlen(text), mode, 0, 0, ret_error);
}

/* Makes PATH in the target a symlink to dest, replacing what is there. */
int target_symlink(const char *root, const char *path, const char *dest, char **ret_error);

/* Appends formatted text to *s (which may be NULL). 0 or -ENOMEM. */
#define text_append(s, ...) strextendf_with_separator(s, NULL, __VA_ARGS__)

/* plan.SECTION.KEY as a string, or NULL when absent, null or not a string. */
const char *plan_string(json_object *plan, const char *section, const char *key);

/* True when s is safe to put in a configuration line: not empty, printable
 * ASCII or UTF-8, no line breaks, no quotes or backslashes. */
bool config_value_ok(const char *s);

/* The parts, in the order configure_target() runs them. */
int configure_fstab(const ConfigureInput *in, char **ret_error);
int configure_hostname(const ConfigureInput *in, char **ret_error);
int configure_network(const ConfigureInput *in, char **ret_error);
int configure_root_password(const ConfigureInput *in, char **ret_error);
int configure_root_ssh_keys(const ConfigureInput *in, char **ret_error);
int configure_timezone(const ConfigureInput *in, char **ret_error);
int configure_keyboard(const ConfigureInput *in, char **ret_error);
int configure_locale(const ConfigureInput *in, char **ret_error);
int configure_machine_id(const ConfigureInput *in, char **ret_error);
int configure_ssh_host_keys(const ConfigureInput *in, char **ret_error);
int configure_node_record(const ConfigureInput *in, char **ret_error);
int configure_answer_copy(const ConfigureInput *in, char **ret_error);
int configure_install_log(const ConfigureInput *in, char **ret_error);
int configure_grub_defaults(const ConfigureInput *in, char **ret_error);
int configure_md_degraded_unit(const ConfigureInput *in, char **ret_error);

/* Enables a systemd unit of the target the way `systemctl enable` does, from
 * the [Install] section of its unit file (WantedBy=, RequiredBy=, Alias=,
 * Also=), with symlinks under /etc/systemd/system. */
int target_enable_unit(const char *root, const char *unit, char **ret_error);
