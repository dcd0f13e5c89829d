/* SPDX-License-Identifier: GPL-2.0-or-later */
/* configure_target(): runs the parts of the configure stage in order. Each
 * part is small and lives in its own file; docs/node-config.md lists what
 * each one writes and why. */

#include <sys/stat.h>

#include "configure-internal.h"
#include "strutil.h"

typedef int (*ConfigurePart)(const ConfigureInput *in, char **ret_error);

int configure_target(const ConfigureInput *in, char **ret_error) {
        static const ConfigurePart parts[] = {
                configure_fstab,
                configure_hostname,
                configure_network,
                configure_root_password,
                configure_root_ssh_keys,
                configure_timezone,
                configure_keyboard,
                configure_locale,
                configure_machine_id,
                configure_ssh_host_keys,
                configure_node_record,
                configure_answer_copy,
                configure_install_log,
                configure_grub_defaults,
                configure_md_degraded_unit,
        };

        if (!in || !in->root || !in->plan || !in->answer) {
                error_setf(ret_error, "configure: the target, the plan and the answer are required");
                return -EINVAL;
        }
        struct stat st;
        if (stat(in->root, &st) < 0)
                return target_error(ret_error, negative_errno(), in->root, "", NULL);
        if (!S_ISDIR(st.st_mode))
                return target_error(ret_error, -ENOTDIR, in->root, "", "the target is not a directory");

        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                int r = parts[i](in, ret_error);
                if (r == -ENOMEM && ret_error && !*ret_error)
                        error_setf(ret_error, "configure: out of memory");
                if (r < 0)
                        return r;
        }
        return 0;
}
