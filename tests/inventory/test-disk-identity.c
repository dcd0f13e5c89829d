/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hw_disk_identity_diff(): what the installer says when a disk of the plan
 * is not the disk it was (the disks on loop devices: test-disk-identity.sh). */

#include "hardware.h"
#include "macro.h"
#include "testlib.h"

static char *diff(const HwDiskIdentity *was, const HwDiskIdentity *now) {
        char *d = NULL;
        CHECK(hw_disk_identity_diff(was, now, &d) == 0);
        return d;
}

int main(void) {
        HwDiskIdentity was = { .diskseq = 5, .size_bytes = 4096, .serial = "S1", .wwn = "0x5000c500a1b2c3d4" };
        HwDiskIdentity now = was;
        char *d;

        /* The same disk. */
        CHECK(diff(&was, &now) == NULL);

        /* Swapped for another without a serial (QEMU's default) of the same size:
         * only the sequence number tells. */
        HwDiskIdentity plain_was = { .diskseq = 6, .size_bytes = 4096 }, plain_now = { .diskseq = 10, .size_bytes = 4096 };
        d = diff(&plain_was, &plain_now);
        CHECK_STREQ(d, "disk sequence number 6 at the start, 10 now");
        free(d);

        /* Everything changed, each named once, in a fixed order. */
        now = (HwDiskIdentity) { .diskseq = 9, .size_bytes = 8192, .serial = "S2", .wwn = NULL };
        d = diff(&was, &now);
        CHECK_STREQ(d, "serial S1 in the plan, S2 now; WWN 0x5000c500a1b2c3d4 in the plan, (none) now; "
                       "4096 bytes in the plan, 8192 now; disk sequence number 5 at the start, 9 now");
        free(d);

        /* A serial that appeared is a change too. */
        now = plain_was;
        now.serial = "NEW";
        d = diff(&plain_was, &now);
        CHECK_STREQ(d, "serial (none) in the plan, NEW now");
        free(d);

        /* Unknown sequence numbers (a kernel before 5.15, hardware JSON without
         * diskseq) and an unknown planned size are not compared. */
        HwDiskIdentity old_kernel = { .diskseq = 0, .size_bytes = 0, .serial = "S1", .wwn = "0x5000c500a1b2c3d4" };
        now = was;
        now.diskseq = 77;
        CHECK(diff(&old_kernel, &now) == NULL);
        now.diskseq = 0;
        CHECK(diff(&was, &now) == NULL);

        return test_result();
}
