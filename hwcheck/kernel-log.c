/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's "disabled by BIOS" message: evidence that firmware turned
 * VT-x/AMD-V off when the control MSR cannot be read. */

#include <ctype.h>
#include <sys/klog.h>

#include "hwcheck-internal.h"

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

static int read_live_log(char **ret) {
        int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
        if (size < 0)
                return negative_errno();
        if (size < 4096)
                size = 4096;
        _cleanup_free_ char *buf = malloc((size_t) size + 1);
        if (!buf)
                return -ENOMEM;
        int n = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
        if (n < 0)
                return negative_errno();
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

static bool contains_ci(const char *hay, size_t len, const char *needle) {
        size_t nl = strlen(needle);
        for (size_t i = 0; i + nl <= len; i++)
                if (strncasecmp(hay + i, needle, nl) == 0)
                        return true;
        return false;
}

bool hwc_kernel_log_line_says_disabled(const char *line, size_t len) {
        return contains_ci(line, len, "by bios") &&
               (contains_ci(line, len, "vmx") || contains_ci(line, len, "svm") || contains_ci(line, len, "kvm"));
}

int hwc_kernel_log_find_disabled(const Sysroot *s, char **ret_line, const char **ret_source) {
        _cleanup_free_ char *log = NULL;
        int r;

        if (s->live) {
                *ret_source = "the kernel log (syslog(2))";
                r = read_live_log(&log);
        } else {
                *ret_source = "dmesg.txt";
                r = hwc_sysroot_read(s, "/dmesg.txt", &log);
        }
        if (r < 0)
                return r;

        for (const char *line = log; *line;) {
                size_t len = strcspn(line, "\n");
                if (hwc_kernel_log_line_says_disabled(line, len)) {
                        /* Drop the "<4>[    1.234567] " prefix for the report. */
                        const char *p = line, *end = line + len;
                        if (*p == '<' && (p = memchr(p, '>', len)))
                                p++;
                        else
                                p = line;
                        if (*p == '[') {
                                const char *q = memchr(p, ']', (size_t) (end - p));
                                if (q)
                                        p = q + 1;
                        }
                        while (p < end && isspace((unsigned char) *p))
                                p++;
                        char *copy = strndup(p, (size_t) (end - p));
                        if (!copy)
                                return -ENOMEM;
                        *ret_line = copy;
                        return 1;
                }
                line += len;
                if (*line == '\n')
                        line++;
        }
        *ret_line = NULL;
        return 0;
}
