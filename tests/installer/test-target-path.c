/* SPDX-License-Identifier: GPL-2.0-or-later */
/* installer/target-path.c: the "disk in use" test of stage check lets only
 * mounts inside the install target pass; inside means by path components,
 * and the root directory is no target. */

#include <errno.h>

#include "macro.h"
#include "target-path.h"
#include "testlib.h"

int main(void) {
        const char *t = "/run/forja/target";

        CHECK(path_is_inside("/run/forja/target", t));
        CHECK(path_is_inside("/run/forja/target/boot/efi", t));
        CHECK(path_is_inside("/run/forja/target/", t));
        CHECK(path_is_inside("/run/forja/target/boot", "/run/forja/target/"));
        CHECK(path_is_inside("/run/forja/target/boot", "//run/forja/./target"));
        /* A sibling that shares the prefix is not inside. */
        CHECK(!path_is_inside("/run/forja/target-foo", t));
        CHECK(!path_is_inside("/run/forja/target-foo/boot", t));
        CHECK(!path_is_inside("/run/forja/targetx", t));
        CHECK(!path_is_inside("/run/forja", t));
        CHECK(!path_is_inside("/", t));
        CHECK(!path_is_inside("/srv/data", t));
        /* ".." is never resolved: such a path is not inside. */
        CHECK(!path_is_inside("/run/forja/target/../other", t));

        CHECK_INTEQ(target_path_check("/run/forja/target"), 0);
        CHECK_INTEQ(target_path_check("/mnt/"), 0);
        CHECK_INTEQ(target_path_check("/"), -EINVAL);
        CHECK_INTEQ(target_path_check("//"), -EINVAL);
        CHECK_INTEQ(target_path_check("/./"), -EINVAL);
        CHECK_INTEQ(target_path_check("/.."), -EINVAL);
        CHECK_INTEQ(target_path_check("/mnt/../"), -EINVAL);
        CHECK_INTEQ(target_path_check("target"), -EINVAL);
        CHECK_INTEQ(target_path_check(""), -EINVAL);
        return test_result();
}
