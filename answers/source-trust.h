/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Where a pin and a token may be sent when the answer is fetched. Each of
 * the answer URL, the certificate pin and the bearer token carries its
 * origin: the kernel command line and the install medium (`forja iso
 * prepare`) are the owner's choice; a DHCP option or a DNS TXT record comes
 * over a network anyone on the segment can answer. The rules
 * (docs/answer-file.md):
 *   - a pin or a token never goes with a plain http:// URL;
 *   - a token from the command line or the medium goes to a URL found by
 *     DHCP or DNS only when the pin also comes from the command line or the
 *     medium (so the server is the one the owner named), never to an
 *     unpinned or DHCP/DNS-pinned one.
 * Refusals are -EINVAL (bad input, exit 2) naming the settings, before any
 * request. */

#include <stdbool.h>

typedef enum AnswerOrigin {
        ANSWER_ORIGIN_NONE,
        ANSWER_ORIGIN_CMDLINE,          /* forja.answer*= on the kernel command line */
        ANSWER_ORIGIN_MEDIUM,           /* baked into the install medium by forja iso prepare */
        ANSWER_ORIGIN_DHCP,             /* DHCP options 250/251 */
        ANSWER_ORIGIN_DNS,              /* DNS TXT records */
} AnswerOrigin;

/* The command line and the medium: set by whoever owns the machine. */
bool answer_origin_trusted(AnswerOrigin o);

typedef struct AnswerSetting {
        const char *value;              /* NULL: not set */
        AnswerOrigin origin;
        const char *name;               /* for messages: "kernel command line: forja.answer-token=" */
} AnswerSetting;

/* The owner's pin and token for URLs found by DHCP or DNS (the kernel
 * command line's forja.answer-fingerprint= / forja.answer-token=, or the
 * medium's). A trusted pin replaces the one of option 251 or the TXT record. */
typedef struct AnswerCredentials {
        AnswerSetting fingerprint;
        AnswerSetting token;
} AnswerCredentials;

/* Applies the rules above to a request to url with the pin fingerprint and
 * the token token (either may be unset). 0 or -EINVAL with a message. */
int answer_request_check(const AnswerSetting *url, const AnswerSetting *fingerprint, const AnswerSetting *token,
                         char **ret_error);
