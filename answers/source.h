/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Where an unattended install finds its answer file, first hit wins:
 *   1. the kernel command line: forja.answer=URL (http, https, file:PATH on
 *      the install medium, partition:LABEL), with {mac} {serial} {uuid}
 *      {hostname} filled from the hardware, forja.answer-fingerprint= pinning
 *      the server certificate, forja.answer-token= sent as a bearer token and
 *      forja.answer-fallback=default retrying a 404 with "default" in place of
 *      the placeholders;
 *   2. answer.toml on the install medium (embedded by `forja iso prepare`);
 *   3. answer.toml on a partition labelled FORJA-AIS (any letter case);
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

typedef struct AnswerCmdline {
        char *url;                      /* forja.answer= */
        char *fingerprint;              /* forja.answer-fingerprint= */
        char *token;                    /* forja.answer-token= (secret) */
        bool fallback_default;          /* forja.answer-fallback=default */
} AnswerCmdline;

void answer_cmdline_done(AnswerCmdline *c);

/* Reads the forja.answer* parameters of a kernel command line (quotes as the
 * kernel accepts them). Unknown forja.answer-* parameters and a bad fallback
 * value are -EINVAL with a message. */
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
        bool scan_partitions;           /* look for a FORJA-AIS partition (needs root) */
        char *const *scan_devices;      /* probe only these (NULL-terminated; tests), NULL: all */
        unsigned attempts;              /* HTTP attempts (0: 5) */
        unsigned backoff_ms;            /* first retry delay (0: 1000) */
        unsigned timeout_sec;           /* per HTTP attempt (0: 60) */
        bool dry_run;                   /* only say where the answer would come from */
        const char *net_dir;            /* the net files (NULL: $FORJA_NET_DIR or /run/forja/net) */
} AnswerFetchOptions;

typedef struct AnswerFetched {
        char *data;                     /* the answer file, NUL terminated (NULL on dry run) */
        size_t size;
        char *source;                   /* human readable: "kernel command line: https://..." */
        char *location;                 /* URL or path it was read from */
        bool json;                      /* the server answered JSON; data is its TOML rewrite */
} AnswerFetched;

void answer_fetched_done(AnswerFetched *f);

/* Runs the discovery in the documented order. -ENOENT when no source has an
 * answer (ret_error lists what was tried), another -errno when a source that
 * was named (kernel command line) failed: a named source never falls through
 * to a later one, so a typo cannot install from the wrong answer. */
int answer_fetch(const AnswerFetchOptions *o, const Hardware *hw, AnswerFetched *ret, char **ret_error);

/* The JSON body POSTed to an answer server: the fields Proxmox's
 * proxmox-fetch-answer sends (product, iso, dmi, network_interfaces), so
 * servers written for it work unchanged, plus forja's hardware JSON under
 * "forja". */
json_object *answer_system_info_json(const Hardware *hw);
