/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the cluster-join sources (not part of its interface). */

#include <stdbool.h>
#include "macro.h"

/* Error messages (error_setf) and "; "-joined lists come from common/strutil.h. */
#include "strutil.h"

/* A response body collected by libcurl (CURLOPT_WRITEFUNCTION = cluster_curl_write,
 * CURLOPT_WRITEDATA = the buffer); NUL-terminated, at most max bytes. */
typedef struct CurlBuffer {
        char *data;
        size_t size;
        size_t max;
} CurlBuffer;
size_t cluster_curl_write(char *ptr, size_t size, size_t nmemb, void *userdata);

/* CLOCK_MONOTONIC in seconds. */
double cluster_monotonic_sec(void);

