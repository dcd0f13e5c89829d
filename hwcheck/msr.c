/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Model-specific registers through the kernel's msr device: 8 bytes at file
 * offset = MSR index. A fixture uses a plain sparse file the same way. */

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "hwcheck-internal.h"

static int set_reason(char **ret_reason, int r, const char *format, ...) _printf_(3, 4);
static int set_reason(char **ret_reason, int r, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        if (vasprintf(ret_reason, format, ap) < 0)
                *ret_reason = NULL;
        va_end(ap);
        return r;
}

int hwc_msr_read(const Sysroot *s, uint32_t index, uint64_t *ret_value, char **ret_path, char **ret_reason) {
        static const char dev[] = "/dev/cpu/0/msr";
        _cleanup_free_ char *path = hwc_sysroot_path(s, dev);
        if (!path)
                return -ENOMEM;
        *ret_reason = NULL;

        bool loaded = false;
        if (s->live && !hwc_sysroot_exists(s, dev)) {
                int r = hwc_load_module(s, "msr");
                if (r == -EOPNOTSUPP)
                        return set_reason(ret_reason, -ENOENT,
                                          "%s is missing and the kernel has no module support (no /proc/modules) to load msr",
                                          dev);
                if (r == -EPERM)
                        return set_reason(ret_reason, -ENOENT,
                                          "%s is missing; loading the msr module needs root", dev);
                if (r < 0)
                        return set_reason(ret_reason, -ENOENT,
                                          "%s is missing and 'modprobe msr' failed (kernel built without CONFIG_X86_MSR?)",
                                          dev);
                loaded = true;
        }

        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                int r = negative_errno();
                if (r == -ENOENT)
                        return set_reason(ret_reason, r, "%s is missing", path);
                return set_reason(ret_reason, r, "cannot open %s: %s", path, strerror(-r));
        }
        uint8_t b[8];
        ssize_t k = pread(fd, b, sizeof(b), (off_t) index);
        if (k < 0) {
                int r = negative_errno();
                return set_reason(ret_reason, r, "reading MSR 0x%" PRIx32 " from %s failed: %s", index, path,
                                  r == -EIO ? "not implemented by this CPU (EIO)" : strerror(-r));
        }
        if (k != sizeof(b))
                return set_reason(ret_reason, -EIO, "MSR 0x%" PRIx32 " is beyond the end of %s", index, path);

        uint64_t v = 0;
        for (size_t i = 0; i < sizeof(b); i++)
                v |= (uint64_t) b[i] << (8 * i);
        *ret_value = v;
        if (loaded)
                (void) set_reason(ret_reason, 0, "loaded the msr module");
        *ret_path = TAKE_PTR(path);
        return 0;
}
