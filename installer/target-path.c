/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "macro.h"
#include "target-path.h"

int target_path_check(const char *target) {
        return target ? 0 : -EINVAL;
}

bool path_is_inside(const char *path, const char *dir) {
        return startswith(path, dir);
}
