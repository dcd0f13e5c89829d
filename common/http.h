/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The HTTP(S) client every network-facing part of forja uses (answer
 * fetching, image streaming, webhooks, first-boot hooks): libcurl with
 * bounded timeouts, bounded retries with backoff, a size limit, and TLS
 * pinning by the SHA-256 fingerprint of the server certificate (the form
 * Proxmox answer files and `openssl x509 -fingerprint -sha256` use), which
 * replaces CA verification when given. Secrets (bearer tokens) never reach
 * the log. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct HttpRequest {
        const char *url;
        const char *method;             /* NULL: GET, or POST when body is set */
        const char *body;               /* request body, or NULL */
        size_t body_size;
        const char *content_type;       /* of the body */
        const char *bearer_token;       /* Authorization: Bearer ..., or NULL */
        const char *fingerprint;        /* pinned certificate SHA-256 (hex, colons allowed), or NULL */
        const char *unix_socket;        /* talk HTTP over this unix socket (url host is ignored) */
        unsigned connect_timeout_sec;   /* 0: 10 s */
        unsigned timeout_sec;           /* whole transfer; 0: 60 s */
        unsigned attempts;              /* 0: 1 attempt; retries only transient failures */
        unsigned backoff_ms;            /* first retry delay, doubled each time; 0: 1000 */
        size_t max_size;                /* response size limit; 0: 1 MiB */
        /* Streaming: called with each piece of the body instead of collecting
         * it; return <0 to abort. Only used with attempts <= 1. Only the body
         * of an accepted reply is passed on (never an error page). */
        int (*on_data)(const void *data, size_t size, void *userdata);
        void *userdata;
        /* Streaming only: ask for the body from this offset on (Range:
         * bytes=N-); only a 206 reply is then accepted. */
        uint64_t resume_from;
        /* Streaming only: abort when fewer than 1 byte/s arrive for this many
         * seconds (a stalled server); 0: no such limit. */
        unsigned stall_timeout_sec;
} HttpRequest;

typedef struct HttpResponse {
        long status;                    /* HTTP status of the last attempt, 0 when none */
        char *body;                     /* NUL terminated; NULL when streamed */
        size_t size;
        char *content_type;             /* NULL when absent */
        unsigned attempts;              /* how many were made */
        char peer_fingerprint[96];      /* of the certificate seen, "AA:BB:..", when TLS */
} HttpResponse;

void http_response_done(HttpResponse *r);

/* Performs the request. Returns 0 on a 200/201 reply (206 with resume_from). Otherwise a negative
 * errno and a message naming the URL and the reason in *ret_error:
 *   -ENOENT      404 (not retried: callers may fall back)
 *   -EPROTO      another HTTP status, or a truncated or malformed reply
 *   -EINVAL      a pin or a bearer token with a plain http URL (nothing sent)
 *   -EPERM       the certificate did not match the pinned fingerprint, or TLS verification failed
 *   -EFBIG       the reply exceeded max_size
 *   -EHOSTUNREACH, -ECONNREFUSED, -ETIMEDOUT   network failures
 * Transient failures (connection errors, timeouts, 5xx, 408, 429, truncated
 * bodies) are retried up to attempts times with exponential backoff, each
 * retry logged. *ret is filled in either case when non-NULL. */
int http_request(const HttpRequest *req, HttpResponse *ret, char **ret_error);

/* Whether a URL goes without TLS: anything but https:// (any letter case).
 * A pin or a bearer token is refused with such a URL (-EINVAL). */
bool http_url_is_plain(const char *url);

/* Normalises a fingerprint to upper-case colon-separated form; -EINVAL if it
 * is not 32 hex bytes. */
int http_normalize_fingerprint(const char *in, char ret[96]);

/* Whether url names a Proxmox API server: its path starts with /api2/json/
 * (Proxmox Datacenter Manager's answer and post-hook endpoints are under
 * /api2/json/auto-install/). Such a server checks request bodies against its
 * schema and refuses any field the schema does not list. */
bool http_url_is_proxmox_api(const char *url);
