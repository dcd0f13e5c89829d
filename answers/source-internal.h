/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared between the answer sources (source.c) and the Proxmox-compatible
 * network discovery (source-network.c). */

#include "dns-txt.h"
#include "netinfo.h"
#include "source-trust.h"
#include "source.h"

/* GET url (POST post_json as application/json when given) with retries,
 * pinning and a bearer token; a JSON reply is rewritten as TOML. */
int answer_fetch_http(const char *url, const char *fingerprint, const char *token, const char *post_json,
                      const AnswerFetchOptions *o, AnswerFetched *ret, char **ret_error);

/* The body of an answer request's POST to url: the system information as
 * answer_system_info_for() gives it for that URL, in *ret_body (free it).
 * Warns when it would travel unencrypted. */
int answer_system_info_body(const char *url, const Hardware *hw, char **ret_body);

int answer_url_expand_full(const char *templ, const Hardware *hw, const char *hostname,
                           char **ret_url, char **ret_fallback, char **ret_error);

/* Sources 4 and 5: DHCP option 250, then DNS TXT. The found URL is pinned by
 * cred's fingerprint when it has one, else by option 251 / the TXT record;
 * cred's token goes only where answer_request_check() allows. Returns 0 with ret->source
 * NULL when neither gave a URL (*ret_tried says what was looked at); a URL
 * that was found is final, like the kernel command line's. */
int answer_fetch_network(const NetInfo *net, const Hardware *hw, const AnswerCredentials *cred,
                         const AnswerFetchOptions *o, AnswerFetched *ret, char **ret_tried, char **ret_error);
