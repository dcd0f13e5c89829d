/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the cluster-join sources: curl buffers, clock. */

#include <time.h>

#include "cluster-internal.h"

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
