/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "strutil.h"

int strextendf_with_separator(char **list, const char *separator, const char *format, ...) {
        _cleanup_free_ char *item = NULL;
        va_list ap;
        va_start(ap, format);
        int k = vasprintf(&item, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        char *n;
        if (asprintf(&n, "%s%s%s", strempty(*list), *list && **list ? strempty(separator) : "", item) < 0)
                return -ENOMEM;
        free(*list);
        *list = n;
        return 0;
}

int error_setf(char **ret_error, const char *format, ...) {
        if (!ret_error)
                return 0;
        char *m;
        va_list ap;
        va_start(ap, format);
        if (vasprintf(&m, format, ap) < 0)
                m = NULL;
        va_end(ap);
        free(*ret_error);
        *ret_error = m;
        return 0;
}
