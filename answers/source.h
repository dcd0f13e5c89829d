/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Where an unattended install finds its answer file, first hit wins:
 *   1. the kernel command line: forja.answer=URL (http, https, file:PATH on
 *      the install medium, partition:LABEL), with {mac} {serial} {uuid}
 *      {hostname} filled from the hardware, forja.answer-fingerprint= pinning
 *      the server certificate, forja.answer-token= sent as a bearer token and
 *      forja.answer-fallback=default retrying a 404 with "default" in place of
 *      the placeholders;
 *   2. the install medium: the URL it was prepared with (`forja iso prepare
 *      --fetch-from http --url`, kept in /forja-fetch.toml, fetched like
 *      forja.answer=), or answer.toml on the partition it names (`--fetch-from
 *      partition`, label tried as given, upper, lower case), else its
 *      answer.toml (`forja iso prepare --answer`);
 *   3. (no source: a partition is read only when the command line or the
 *      medium names it, so a stick with a well-known label never makes a
 *      stock medium's boot unattended; forja's old FORJA-AIS scan is gone);
 * and only where network discovery was enabled (forja.fetch-from=http on
 * the kernel command line, or a medium prepared --fetch-from http without
 * --url; a stock medium never installs from what a DHCP or DNS server says):
 *   4. the URL a DHCP server offered in option 250 (Proxmox's
 *      proxmox-auto-installer-manifest-url; fingerprint in option 251), read
 *      from the installer environment's net files (netinfo.h), POSTed the
 *      system info;
 *   5. the URL in DNS TXT proxmox-auto-installer.DOMAIN for each search
 *      domain (fingerprint in TXT proxmox-auto-installer-cert-fingerprint.DOMAIN),
 *      POSTed the system info.
 * An HTTP reply may be TOML or JSON (converted to TOML, answer-json.h). A
 * pin or a token never goes with an http:// URL, and the command line's
 * token goes to a URL of 4 or 5 only when the command line's pin pins it
 * (source-trust.h): refused with -EINVAL before any request.
 * The order and the formats are documented in docs/answer-file.md. */

#include <stdbool.h>
#include <stddef.h>

#include "hardware.h"
#include "machine-identity.h"

typedef struct AnswerCmdline {
        char *url;                      /* forja.answer= */
        char *fingerprint;              /* forja.answer-fingerprint= */
        char *token;                    /* forja.answer-token= (secret) */
        bool fallback_default;          /* forja.answer-fallback=default */
        bool fetch_from_http;           /* forja.fetch-from=http: network discovery enabled */
} AnswerCmdline;

void answer_cmdline_done(AnswerCmdline *c);

/* Reads the forja.answer* and forja.fetch-from parameters of a kernel command
 * line (quotes as the kernel accepts them). Unknown forja.answer-* parameters,
 * a bad fallback value and a forja.fetch-from other than http are -EINVAL
 * with a message. */
int answer_cmdline_parse(const char *cmdline, AnswerCmdline *ret, char **ret_error);

/* Fills the placeholders of a URL template from the hardware ({hostname}:
 * hw->dhcp.hostname; answer_fetch() prefers the net files' HOSTNAME). *ret_fallback
 * (when non-NULL) gets the same URL with each placeholder replaced by
 * "default", or NULL when the template has none. A placeholder without a
 * value (no NIC, no DMI serial...) is -ENXIO naming it; an unknown one -EINVAL. */
int answer_url_expand(const char *templ, const Hardware *hw, char **ret_url, char **ret_fallback, char **ret_error);

/* The MAC {mac} stands for: the NIC of the DHCP lease, else the first NIC with
 * link, else the first NIC; NULL when there is none. */
const char *answer_management_mac(const Hardware *hw);

typedef struct AnswerFetchOptions {
        const char *medium_dir;         /* the mounted install medium, or NULL */
        const char *cmdline;            /* NULL: /proc/cmdline (or hw->kernel_cmdline) */
        char *const *scan_devices;      /* partition:LABEL probes only these (NULL-terminated; tests), NULL: all */
        unsigned attempts;              /* HTTP attempts (0: 5) */
        unsigned backoff_ms;            /* first retry delay (0: 1000) */
        unsigned timeout_sec;           /* per HTTP attempt (0: 60) */
        bool dry_run;                   /* only say where the answer would come from */
        const char *net_dir;            /* the net files (NULL: $FORJA_NET_DIR or /run/forja/net) */
        bool no_network_discovery;      /* never DHCP/DNS, even where enabled (a person at the TUI) */
} AnswerFetchOptions;

typedef struct AnswerFetched {
        char *data;                     /* the answer file, NUL terminated (NULL on dry run) */
        size_t size;
        char *source;                   /* human readable: "kernel command line: https://..." */
        char *location;                 /* URL or path it was read from */
        bool json;                      /* the server answered JSON; data is its TOML rewrite */
        bool discovered;                /* the URL came from DHCP or DNS (sources 4, 5) */
} AnswerFetched;

void answer_fetched_done(AnswerFetched *f);

/* Runs the discovery in the documented order. -ENOENT when no source has an
 * answer (ret_error lists what was tried), another -errno when a source that
 * was named (kernel command line) failed: a named source never falls through
 * to a later one, so a typo cannot install from the wrong answer. */
int answer_fetch(const AnswerFetchOptions *o, const Hardware *hw, AnswerFetched *ret, char **ret_error);

/* The answer source a medium was prepared with (`forja iso prepare
 * --fetch-from iso|http|partition`, Proxmox's option names), kept on the
 * medium as /forja-fetch.toml: fetch-from = "iso" | "http" | "partition", for
 * http an optional url, cert-fingerprint and answer-auth-token (secret), for
 * partition the partition-label (Proxmox's default "proxmox-ais"). */
#define ANSWER_MEDIUM_FETCH_FILE "forja-fetch.toml"

typedef enum AnswerFetchFrom {
        ANSWER_FETCH_FROM_NONE,         /* a stock medium (no /forja-fetch.toml) */
        ANSWER_FETCH_FROM_ISO,          /* the answer is /answer.toml on the medium */
        ANSWER_FETCH_FROM_HTTP,         /* url, or DHCP/DNS discovery without one */
        ANSWER_FETCH_FROM_PARTITION,    /* answer.toml on the partition labelled partition_label */
} AnswerFetchFrom;

/* Proxmox's default --partition-label. */
#define ANSWER_PARTITION_LABEL_DEFAULT "proxmox-ais"

typedef struct AnswerMediumFetch {
        AnswerFetchFrom from;
        char *url;
        char *fingerprint;
        char *token;                    /* secret */
        char *partition_label;          /* partition: the label (tried as given, upper, lower case) */
} AnswerMediumFetch;

void answer_medium_fetch_done(AnswerMediumFetch *m);
const char *answer_fetch_from_to_string(AnswerFetchFrom f);     /* "iso", "http", "partition"; NULL for NONE */
int answer_fetch_from_from_string(const char *s, AnswerFetchFrom *ret);

/* A label forja looks up: 1 to 255 bytes, no control character, no '/'. */
bool answer_partition_label_valid(const char *label);

/* Parses the file's text (path names it in messages); on error *m may hold
 * parts, to be freed with answer_medium_fetch_done(). */
int answer_medium_fetch_parse(const char *path, const char *data, size_t size, AnswerMediumFetch *m, char **ret_error);

/* The file's text (TOML), for `forja iso prepare`. */
int answer_medium_fetch_format(const AnswerMediumFetch *m, char **ret_text);

/* Reads medium_dir/forja-fetch.toml; a medium without it (or medium_dir NULL)
 * is from = NONE. A malformed file is -EINVAL naming file:line:col and key. */
int answer_medium_fetch_load(const char *medium_dir, AnswerMediumFetch *ret, char **ret_error);
/* The system info POSTed to an answer server (machine_identity_json(),
 * inventory/machine-identity.h), without forja's fields for a Proxmox API
 * server, which refuses fields its schema does not list. */
json_object *answer_system_info_for(const char *url, const Hardware *hw);
