/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The install target directory (--target, default /run/forja/target) and
 * what lies inside it: stage check lets mounts inside the target (an earlier
 * run's, which stage disks releases) pass its "disk in use" test. */

#include <stdbool.h>

/* 0 when target can hold the new system; -EINVAL for a relative path, a
 * ".." component, or the root directory itself ("/", "//", "/./"): with
 * "/" every mount would count as the target's. */
int target_path_check(const char *target);

/* Whether path is dir or lies inside it, compared by path components:
 * "/run/forja/target-foo" is not inside "/run/forja/target", "//a/./b/" is
 * "/a/b". */
bool path_is_inside(const char *path, const char *dir);
