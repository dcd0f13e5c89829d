/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hardware_probe(): the live inventory, read below a sysroot so that tests
 * can point it at a fixture tree. */

#include <sys/stat.h>

#include "inventory-internal.h"

int hardware_probe_full(const char *sysroot, HwProbeFlags flags, Hardware **ret) {
        _cleanup_hardware_ Hardware *hw = NULL;
        _cleanup_free_ char *root = NULL, *udev = NULL;
        char **warnings = NULL;
        struct stat st;
        int r;

        /* "" is the real root: every probed path is absolute and appended. */
        root = strdup(sysroot ? sysroot : "");
        if (!root)
                return -ENOMEM;
        for (size_t l = strlen(root); l > 0 && root[l - 1] == '/'; l--)
                root[l - 1] = 0;

        ProbeContext c = {
                .sysroot = root,
                .flags = flags,
                .warnings = &warnings,
        };
        udev = probe_path(&c, "/run/udev/data");
        if (!udev)
                return -ENOMEM;
        c.have_udev_db = stat(udev, &st) == 0 && S_ISDIR(st.st_mode);

        hw = calloc(1, sizeof(Hardware));
        if (!hw)
                return -ENOMEM;
        r = probe_disks(&c, hw);
        if (r >= 0)
                r = probe_install_medium(&c, hw);
        if (r >= 0)
                r = probe_nics(&c, hw);
        if (r >= 0)
                r = probe_system(&c, hw);
        hw->warnings = warnings;
        if (r < 0)
                return r;

        *ret = TAKE_PTR(hw);
        return 0;
}

int hardware_probe(const char *sysroot, Hardware **ret) {
        return hardware_probe_full(sysroot, 0, ret);
}
