/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Answer sources 4 and 5, as Proxmox's proxmox-fetch-answer finds them: the
 * URL from DHCP option 250 (fingerprint option 251), else from DNS TXT
 * proxmox-auto-installer.DOMAIN (fingerprint TXT
 * proxmox-auto-installer-cert-fingerprint.DOMAIN). Like Proxmox, a
 * fingerprint is only taken from the method that gave the URL, unless the
 * owner (kernel command line, medium) gives one, which wins. The URL is sent a
 * POST of the system info (machine_identity_json), and the owner's token
 * only where source-trust.h allows it. */

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "http.h"
#include "json-out.h"
#include "log.h"
#include "strutil.h"
#include "source-internal.h"

static int check_fingerprint(const char *fp, const char *where, char **ret_error) {
        char norm[96];
        if (fp && http_normalize_fingerprint(fp, norm) < 0) {
                error_setf(ret_error, "%s: '%s' is not a SHA-256 fingerprint (64 hex digits, colons allowed)", where, fp);
                return -EINVAL;
        }
        return 0;
}

int answer_system_info_body(const char *url, const Hardware *hw, char **ret_body) {
        _cleanup_json_ json_object *info = answer_system_info_for(url, hw);
        const char *body = info ? json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN) : NULL;
        if (!body || !(*ret_body = strdup(body)))
                return -ENOMEM;
        if (http_url_is_plain(url))
                log_warning("Sending the system information (serial numbers, MAC addresses) unencrypted to %s.", url);
        return 0;
}

static int post_system_info(const char *url, const char *fingerprint, const char *token, const Hardware *hw,
                            const AnswerFetchOptions *o, AnswerFetched *ret, char **ret_error) {
        ret->location = strdup(url);
        if (!ret->location)
                return -ENOMEM;
        if (o->dry_run)
                return 0;
        _cleanup_free_ char *body = NULL;
        int r = answer_system_info_body(url, hw, &body);
        return r < 0 ? r : answer_fetch_http(url, fingerprint, token, body, o, ret, ret_error);
}

/* The nameservers of every interface, for asking the DHCP-offered servers. */
static char **all_nameservers(const NetInfo *net) {
        size_t n = 0;
        for (size_t i = 0; i < net->n; i++)
                for (char **d = net->ifaces[i].dns; d && *d; d++)
                        n++;
        char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return NULL;
        n = 0;
        for (size_t i = 0; i < net->n; i++)
                for (char **d = net->ifaces[i].dns; d && *d; d++)
                        l[n++] = *d;            /* borrowed */
        return l;
}

/* The pin for a found URL: the owner's when given (the network's is then
 * not used), else the network's own (Proxmox's behaviour). */
static const AnswerSetting *pick_pin(const AnswerCredentials *cred, const AnswerSetting *network) {
        if (cred->fingerprint.value && answer_origin_trusted(cred->fingerprint.origin)) {
                if (network->value)
                        log_notice("%s is not used: %s pins the server.", network->name, cred->fingerprint.name);
                return &cred->fingerprint;
        }
        return network;
}

static int pinned_by(char **source, const AnswerSetting *pin) {
        if (!pin->value)
                return 0;
        return strextendf_with_separator(source, "", " (certificate pinned by %s%s)",
                                         pin->origin == ANSWER_ORIGIN_DHCP ? "option 251" :
                                         pin->origin == ANSWER_ORIGIN_DNS ? "TXT " : "the ",
                                         pin->origin == ANSWER_ORIGIN_DNS ? pin->name + strlen("DNS TXT ") :
                                         pin->origin == ANSWER_ORIGIN_DHCP ? "" : pin->name);
}

int answer_fetch_network(const NetInfo *net, const Hardware *hw, const AnswerCredentials *cred,
                         const AnswerFetchOptions *o, AnswerFetched *ret, char **ret_tried, char **ret_error) {
        int r;

        /* 4. DHCP option 250, interfaces in name order. */
        for (size_t i = 0; i < net->n; i++) {
                const NetIface *n = &net->ifaces[i];
                if (!n->opt250 || !*n->opt250)
                        continue;
                if (!startswith(n->opt250, "http://") && !startswith(n->opt250, "https://")) {
                        error_setf(ret_error, "DHCP option 250 on %s: '%s' is not an http:// or https:// URL", n->iface, n->opt250);
                        return -EINVAL;
                }
                _cleanup_free_ char *where = NULL;
                if (asprintf(&where, "DHCP option 251 on %s", n->iface) < 0)
                        return -ENOMEM;
                r = check_fingerprint(n->opt251, where, ret_error);
                if (r < 0)
                        return r;
                _cleanup_free_ char *url_name = NULL;
                if (asprintf(&url_name, "DHCP option 250 on %s: ", n->iface) < 0)
                        return -ENOMEM;
                const AnswerSetting url = { n->opt250, ANSWER_ORIGIN_DHCP, url_name };
                const AnswerSetting *pin = pick_pin(cred, &(AnswerSetting) { n->opt251, ANSWER_ORIGIN_DHCP, where });
                r = answer_request_check(&url, pin, &cred->token, ret_error);
                if (r < 0)
                        return r;
                if (asprintf(&ret->source, "DHCP option 250 on %s: %s", n->iface, n->opt250) < 0 ||
                    pinned_by(&ret->source, pin) < 0)
                        return -ENOMEM;
                return post_system_info(n->opt250, pin->value, cred->token.value, hw, o, ret, ret_error);
        }

        /* 5. DNS TXT, for each search domain then each DHCP domain name. */
        _cleanup_strv_free_ char **domains = netinfo_domains(net);
        _cleanup_free_ char **servers = all_nameservers(net);
        if (!domains || !servers)
                return -ENOMEM;
        for (char **d = domains; *d; d++) {
                _cleanup_free_ char *name = NULL, *url = NULL, *why = NULL;
                if (dns_txt_name(DNS_TXT_URL_PREFIX, *d, &name) < 0)
                        continue;
                r = dns_txt_lookup(name, servers, &url, &why);
                if (r < 0) {
                        log_debug("%s", strempty(why));
                        (void) strextendf_with_separator(ret_tried, ", ", "no DNS TXT %s", name);
                        continue;
                }
                if (!startswith(url, "http://") && !startswith(url, "https://")) {
                        error_setf(ret_error, "DNS TXT %s: '%s' is not an http:// or https:// URL", name, url);
                        return -EINVAL;
                }
                /* The fingerprint from the same method (and domain) as the URL. */
                _cleanup_free_ char *fp_name = NULL, *fp = NULL, *fp_why = NULL;
                if (dns_txt_name(DNS_TXT_FINGERPRINT_PREFIX, *d, &fp_name) >= 0 &&
                    dns_txt_lookup(fp_name, servers, &fp, &fp_why) >= 0) {
                        r = check_fingerprint(fp, fp_name, ret_error);
                        if (r < 0)
                                return r;
                }
                _cleanup_free_ char *url_name = NULL, *fp_where = NULL;
                if (asprintf(&url_name, "DNS TXT %s: ", name) < 0 || asprintf(&fp_where, "DNS TXT %s", strempty(fp_name)) < 0)
                        return -ENOMEM;
                const AnswerSetting url_setting = { url, ANSWER_ORIGIN_DNS, url_name };
                const AnswerSetting *pin = pick_pin(cred, &(AnswerSetting) { fp, ANSWER_ORIGIN_DNS, fp_where });
                r = answer_request_check(&url_setting, pin, &cred->token, ret_error);
                if (r < 0)
                        return r;
                if (asprintf(&ret->source, "DNS TXT %s: %s", name, url) < 0 || pinned_by(&ret->source, pin) < 0)
                        return -ENOMEM;
                return post_system_info(url, pin->value, cred->token.value, hw, o, ret, ret_error);
        }
        if (!*ret_tried)
                (void) strextendf_with_separator(ret_tried, "", "no DHCP option 250%s",
                                                 domains[0] ? "" : " and no search domain for DNS TXT " DNS_TXT_URL_PREFIX ".DOMAIN");
        else {
                _cleanup_free_ char *t = TAKE_PTR(*ret_tried);
                (void) strextendf_with_separator(ret_tried, "", "no DHCP option 250, %s", t);
        }
        return 0;
}
