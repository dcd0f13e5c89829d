/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Helpers shared by the cluster-join sources (not part of its interface). */

#include <stdbool.h>
#include "macro.h"

/* Sets *ret_error (when ret_error is not NULL) to a formatted message,
 * replacing any earlier one; returns 0 so callers can `return error, -E...`. */
int cluster_set_error(char **ret_error, const char *format, ...) _printf_(2, 3);

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

/* Appends "; " (when not empty) and a formatted part to *buf. */
int cluster_append(char **buf, const char *format, ...) _printf_(2, 3);

