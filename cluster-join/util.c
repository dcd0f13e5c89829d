/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error message helpers for cluster-join. */

#include <stdarg.h>

#include "cluster-internal.h"

int cluster_set_error(char **ret_error, const char *format, ...) {
        if (!ret_error)
                return 0;
        char *m = NULL;
        va_list ap;
        va_start(ap, format);
        if (vasprintf(&m, format, ap) < 0)
                m = NULL;
        va_end(ap);
        free(*ret_error);
        *ret_error = m;
        return 0;
}

int cluster_append(char **buf, const char *format, ...) {
        _cleanup_free_ char *part = NULL;
        va_list ap;
        va_start(ap, format);
        int k = vasprintf(&part, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        char *n = NULL;
        if (asprintf(&n, "%s%s%s", strempty(*buf), *buf && **buf ? "; " : "", part) < 0)
                return -ENOMEM;
        free(*buf);
        *buf = n;
        return 0;
}
