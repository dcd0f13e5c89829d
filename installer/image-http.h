/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The node image over HTTP(S) (forja.image=URL, forja install --image URL):
 * the manifest is fetched into memory, the image is streamed by a download
 * thread into a socket whose other end feeds image_extract_fd(), which
 * checks every chunk's SHA-256 before libarchive sees a byte of it. The
 * image is never held whole in memory or on disk.
 *
 * A transfer that breaks is resumed with a range request from the byte it
 * stopped at (bounded retries with backoff), so nothing already extracted is
 * read twice; a server without range support gets retries only while no
 * byte was consumed. Every failure names the URL, the status and the reason. */

#include <stdbool.h>
#include <stdint.h>

#include "extract.h"

typedef struct ImageHttpOptions {
        const char *fingerprint;        /* pinned certificate SHA-256, or NULL */
        unsigned attempts;              /* per request; 0: 5 */
        unsigned backoff_ms;            /* first retry delay; 0: 1000 */
} ImageHttpOptions;

bool image_is_url(const char *s);

/* The manifest URL beside an image URL: .../node.tar.zst -> .../node.manifest.json */
int image_manifest_url(const char *image_url, char **ret);

/* GETs a manifest (at most 16 MiB) into memory. */
int image_http_get_manifest(const char *url, const ImageHttpOptions *o, char **ret_text, char **ret_error);

/* Checks that the image is there, has the manifest's size and can be
 * resumed (a range request for its last byte), before any disk is touched. */
int image_http_probe(const char *url, uint64_t size, const ImageHttpOptions *o, char **ret_error);

/* Streams url into image_extract_fd(). Returns what extraction returns, or
 * the transfer's error (-EPROTO, -EPERM, -ENOENT, -ETIMEDOUT, ...). */
int image_http_extract(const char *url, const ImageHttpOptions *o, const char *target, const ExtractOptions *eo,
                       ExtractStats *ret_stats, char **ret_error);
