/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "macro.h"
#include "mount-ro.h"

const char *mount_no_replay_options(const char *fstype) {
        if (!fstype)
                return NULL;
        if (streq(fstype, "ext3") || streq(fstype, "ext4"))
                return "noload";
        if (streq(fstype, "xfs"))
                return "norecovery";
        if (streq(fstype, "btrfs"))
                return "rescue=nologreplay";
        return NULL;
}

/* Whether the block device is mounted somewhere already (its journal is then
 * replayed anyway, and setting it read-only would fail the writes of that
 * mount): /proc/self/mountinfo's third field is MAJOR:MINOR. */
static bool device_is_mounted(dev_t rdev) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return false;
        char line[4096];
        while (fgets(line, sizeof line, f)) {
                unsigned maj, min;
                if (sscanf(line, "%*s %*s %u:%u", &maj, &min) == 2 && makedev(maj, min) == rdev)
                        return true;
        }
        return false;
}

static void give_flag_back(int fd, bool set_ro) {
        int zero = 0;
        if (set_ro)
                (void) ioctl(fd, BLKROSET, &zero);
        close(fd);
}

int mount_read_only(const char *dev, const char *fstype, const char *dir, ReadOnlyMount *ret) {
        int fd = open(dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        struct stat st;
        int ro = 0, one = 1;
        if (fstat(fd, &st) < 0 || ioctl(fd, BLKROGET, &ro) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        if (device_is_mounted(st.st_rdev))
                ro = 1;         /* leave its flag alone */
        if (!ro && ioctl(fd, BLKROSET, &one) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        const unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        const char *opts = mount_no_replay_options(fstype);
        int r = mount(dev, dir, fstype, flags, opts);
        /* Kernels before 5.9 spell Btrfs's option without "rescue=". */
        if (r < 0 && errno == EINVAL && fstype && streq(fstype, "btrfs"))
                r = mount(dev, dir, fstype, flags, "nologreplay");
        if (r < 0) {
                r = negative_errno();
                give_flag_back(fd, !ro);
                return r;
        }
        char *d = strdup(dir);
        if (!d) {
                (void) umount2(dir, MNT_DETACH);
                give_flag_back(fd, !ro);
                return -ENOMEM;
        }
        *ret = (ReadOnlyMount) { .dir = d, .fd = fd, .set_ro = !ro };
        return 0;
}

void mount_read_only_undo(ReadOnlyMount *m) {
        if (!m || !m->dir)
                return;
        if (umount2(m->dir, 0) < 0)
                (void) umount2(m->dir, MNT_DETACH);
        give_flag_back(m->fd, m->set_ro);
        free(m->dir);
        *m = (ReadOnlyMount) { .fd = -1 };
}
