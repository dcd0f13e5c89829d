/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For test-disk-identity.sh: the identity of a block device from an open
 * descriptor (hw_disk_identify_fd), and the difference with an expected one.
 *   disk-identify PATH                       prints diskseq=N size=N serial=S wwn=W
 *   disk-identify PATH SEQ SIZE [SERIAL]     prints the difference (or "same");
 *                                            exit 0 same, 1 changed */

#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>

#include "hardware.h"
#include "macro.h"

int main(int argc, char *argv[]) {
        if (argc != 2 && argc != 4 && argc != 5) {
                fprintf(stderr, "usage: disk-identify PATH [SEQ SIZE [SERIAL]]\n");
                return 2;
        }
        _cleanup_close_ int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "%s: %m\n", argv[1]);
                return 2;
        }
        HwDiskIdentity now = {};
        int r = hw_disk_identify_fd(fd, NULL, &now);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", argv[1], strerror(-r));
                return 2;
        }
        if (argc == 2) {
                printf("diskseq=%" PRIu64 " size=%" PRIu64 " serial=%s wwn=%s\n", now.diskseq, now.size_bytes,
                       now.serial ?: "-", now.wwn ?: "-");
                hw_disk_identity_done(&now);
                return 0;
        }
        HwDiskIdentity was = {
                .diskseq = strtoull(argv[2], NULL, 10),
                .size_bytes = strtoull(argv[3], NULL, 10),
                .serial = argc == 5 ? argv[4] : NULL,
                .wwn = now.wwn,
        };
        char *diff = NULL;
        r = hw_disk_identity_diff(&was, &now, &diff);
        hw_disk_identity_done(&now);
        if (r < 0)
                return 2;
        printf("%s\n", diff ?: "same");
        r = diff ? 1 : 0;
        free(diff);
        return r;
}
