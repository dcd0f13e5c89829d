/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the cluster-join sources: error messages, curl buffers, clock. */

#include <stdarg.h>
#include <time.h>

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

size_t cluster_curl_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        CurlBuffer *b = userdata;
        size_t n = size * nmemb;
        if (b->size + n > b->max)
                return 0;   /* libcurl fails the transfer */
        char *d = realloc(b->data, b->size + n + 1);
        if (!d)
                return 0;
        memcpy(d + b->size, ptr, n);
        b->data = d;
        b->size += n;
        d[b->size] = 0;
        return n;
}

double cluster_monotonic_sec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}
