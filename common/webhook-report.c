/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Delivery shared by every webhook report (webhook-report.h). */

#include "config.h"
#include "fileio.h"
#include "http.h"
#include "json-out.h"
#include "log.h"
#include "strutil.h"
#include "webhook-report.h"

/* Masks registered secrets in every string below o, in place. */
static int redact_strings(json_object *o) {
        switch (json_object_get_type(o)) {
        case json_type_string: {
                _cleanup_free_ char *r = log_redact(json_object_get_string(o));
                if (!r)
                        return -ENOMEM;
                if (!streq(r, json_object_get_string(o)) && !json_object_set_string(o, r))
                        return -ENOMEM;
                return 0;
        }
        case json_type_object: {
                json_object_object_foreach(o, k, v) {
                        (void) k;
                        if (redact_strings(v) < 0)
                                return -ENOMEM;
                }
                return 0;
        }
        case json_type_array:
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        if (redact_strings(json_object_array_get_idx(o, i)) < 0)
                                return -ENOMEM;
                return 0;
        default:
                return 0;
        }
}

/* The body as sent to t: secrets masked; then, as Proxmox's post-hook does,
 * the token in the body ("token"), and for a Proxmox API server nothing but
 * the fields its schema lists (forja's own object left out). */
static char *body_text_for(const WebhookTarget *t, json_object *body) {
        json_object *copy = NULL;
        if (json_object_deep_copy(body, &copy, NULL) < 0 || !copy)
                return NULL;
        char *text = NULL;
        /* Every string is redacted of the registered secrets, except the
         * one secret a succeeded webhook exists to deliver: the LUKS
         * recovery key (only ever added for a pinned https server). */
        json_object *f = json_get(copy, "forja"), *key = json_get(f, "recovery-key");
        if (key)
                json_object_get(key), json_object_object_del(f, "recovery-key");
        int r = redact_strings(copy);
        if (key)
                json_object_object_add(f, "recovery-key", key);
        if (r == 0) {
                if (t && http_url_is_proxmox_api(t->url))
                        json_object_object_del(copy, "forja");
                if (t && t->token)
                        json_add_string(copy, "token", t->token);
                const char *s = json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN |
                                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
                text = s ? strdup(s) : NULL;
        }
        json_object_put(copy);
        return text;
}

char *webhook_body_text(json_object *body) {
        return body_text_for(NULL, body);
}

int webhook_post(const WebhookTarget *t, json_object *body, char **ret_error) {
        bool proxmox_api = http_url_is_proxmox_api(t->url);
        /* Proxmox's installer sends one report, the post-installation body
         * (the one with "$schema"); a Proxmox API server has no place for
         * forja's started, failed and cluster reports. */
        if (proxmox_api && !json_get(body, "$schema")) {
                log_debug("Webhook: %s is a Proxmox API server; only the post-installation report goes there.",
                          t->url);
                return 0;
        }
        _cleanup_free_ char *text = body_text_for(t, body);
        if (!text)
                return -ENOMEM;
        HttpRequest req = {
                .url = t->url,
                .method = "POST",
                .body = text,
                .body_size = strlen(text),
                .content_type = "application/json",
                /* Proxmox's post-hook sends the token in the body only. */
                .bearer_token = proxmox_api ? NULL : t->token,
                .fingerprint = t->fingerprint,
                .timeout_sec = 30,
                .attempts = t->attempts ?: 5,
                .backoff_ms = t->backoff_ms,
        };
        HttpResponse resp = {};
        int r = http_request(&req, &resp, ret_error);
        http_response_done(&resp);
        return r;
}

json_object *webhook_forja_object(const char *event) {
        json_object *f = json_object_new_object();
        json_add_string(f, "event", event);
        json_add_string(f, "version", FORJA_VERSION);
        return f;
}

char *webhook_read_file(const char *root, const char *rel) {
        _cleanup_free_ char *path = NULL, *data = NULL;
        if (asprintf(&path, "%s/%s", root, rel) < 0 || read_full_file(path, 1u << 20, &data, NULL) < 0)
                return NULL;
        char *s = data + strspn(data, " \t\r\n");
        size_t n = strlen(s);
        while (n > 0 && strchr(" \t\r\n", s[n - 1]))
                n--;
        return n > 0 ? strndup(s, n) : NULL;
}

void webhook_add_file(json_object *o, const char *key, const char *root, const char *rel) {
        _cleanup_free_ char *v = webhook_read_file(root, rel);
        if (v)
                json_add_string(o, key, v);
}
