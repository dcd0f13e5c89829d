/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "http.h"
#include "strutil.h"
#include "source-trust.h"

bool answer_origin_trusted(AnswerOrigin o) {
        return o == ANSWER_ORIGIN_CMDLINE || o == ANSWER_ORIGIN_MEDIUM;
}

int answer_request_check(const AnswerSetting *url, const AnswerSetting *fingerprint, const AnswerSetting *token,
                         char **ret_error) {
        bool has_fp = fingerprint && fingerprint->value, has_token = token && token->value;

        if (http_url_is_plain(url->value)) {
                if (has_fp) {
                        error_setf(ret_error, "%s pins a certificate, which cannot be checked over plain http:// (%s%s): "
                                   "use an https:// URL", fingerprint->name, url->name, url->value);
                        return -EINVAL;
                }
                if (has_token) {
                        error_setf(ret_error, "%s: a token is never sent over plain http:// (%s%s): use an https:// URL",
                                   token->name, url->name, url->value);
                        return -EINVAL;
                }
        }
        /* A URL from DHCP or DNS may point anywhere: the owner's token goes
         * there only when the owner's pin says which server it must be. */
        if (has_token && !answer_origin_trusted(url->origin) && !(has_fp && answer_origin_trusted(fingerprint->origin))) {
                error_setf(ret_error, "%s: not sent to a URL found by %s (%s%s) without a certificate pin from the kernel "
                           "command line or the install medium (forja.answer-fingerprint=)%s%s%s",
                           token->name, url->origin == ANSWER_ORIGIN_DNS ? "DNS" : "DHCP", url->name, url->value,
                           has_fp ? "; the pin of " : "", has_fp ? fingerprint->name : "", has_fp ? " does not count" : "");
                return -EINVAL;
        }
        return 0;
}
