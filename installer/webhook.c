/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sending the webhook bodies (webhook-body.c) from the engine's hooks. */

#include "json-out.h"
#include "log.h"
#include "strutil.h"
#include "webhook.h"

int webhook_send(const Webhook *w, json_object *body, char **ret_error) {
        /* The error text and the log tail may quote a secret: webhook_post masks them all. */
        WebhookTarget t = {
                .url = w->url,
                .fingerprint = w->fingerprint,
                .token = w->token,
                .attempts = w->attempts,
                .backoff_ms = w->backoff_ms,
        };
        return webhook_post(&t, body, ret_error);
}

static void deliver(Webhook *w, json_object *body, const char *event) {
        _cleanup_free_ char *error = NULL;
        int r = body ? webhook_send(w, body, &error) : -ENOMEM;
        if (r < 0) {
                w->undelivered++;
                log_warning("Webhook: the %s report was not delivered (the install goes on): %s", event,
                            error ?: strerror(-r));
        } else {
                w->delivered++;
                log_info("Webhook: %s report delivered to %s.", event, w->url);
        }
}

static int webhook_before_write(void *userdata, const InstallContext *c, char **ret_error) {
        Webhook *w = userdata;
        return w->chained.before_write ? w->chained.before_write(w->chained.userdata, c, ret_error) : 0;
}

static void webhook_before_finish(void *userdata, const InstallContext *c) {
        Webhook *w = userdata;
        if (w->chained.before_finish)
                w->chained.before_finish(w->chained.userdata, c);
        json_object_put(w->installed);
        w->installed = webhook_installed_body(c, c->target, w->cpuinfo_path);
}

static void webhook_event(void *userdata, const InstallContext *c, InstallEvent e, InstallStage stage, const char *error) {
        Webhook *w = userdata;
        if (w->chained.event)
                w->chained.event(w->chained.userdata, c, e, stage, error);

        json_object *body = NULL;
        switch (e) {
        case INSTALL_EVENT_STARTED:
                body = webhook_event_body(c, e, stage, NULL, NULL);
                deliver(w, body, "started");
                break;
        case INSTALL_EVENT_FAILED: {
                _cleanup_strv_free_ char **tail = log_get_tail();
                body = webhook_event_body(c, e, stage, error, tail);
                deliver(w, body, "failed");
                break;
        }
        case INSTALL_EVENT_SUCCEEDED:
                /* Gathered while the target was mounted; without it, what the plan and hardware tell. */
                body = TAKE_PTR(w->installed) ?: webhook_installed_body(c, "/nonexistent", w->cpuinfo_path);
                /* The LUKS recovery key, for the fleet server to escrow: only
                 * to a pinned https server (also checked by the validation). */
                if (c->recovery_key && c->recovery_key_webhook && w->fingerprint && startswith(w->url, "https://"))
                        json_add_string(json_get(body, "forja"), "recovery-key", c->recovery_key);
                deliver(w, body, "succeeded");
                break;
        }
        json_object_put(body);
}

void webhook_hook_install(Webhook *w, InstallContext *c) {
        if (!c->answer || !c->answer->webhook.set || !c->answer->webhook.url)
                return;
        w->url = c->answer->webhook.url;
        w->fingerprint = c->answer->webhook.cert_fingerprint;
        w->token = c->answer->webhook.auth_token;
        w->chained = c->hooks;
        c->hooks = (InstallHooks) {
                .userdata = w,
                .before_write = webhook_before_write,
                .event = webhook_event,
                .before_finish = webhook_before_finish,
        };
        (void) log_keep_tail(WEBHOOK_LOG_LINES);
}

void webhook_done(Webhook *w) {
        json_object_put(w->installed);
        w->installed = NULL;
}
