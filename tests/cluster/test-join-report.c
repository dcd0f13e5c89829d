/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for forja join's webhook report: the body (cluster-join/report.c)
 * for a join, a bootstrap and a failure, built from hand-made Incus status
 * JSON and a directory standing in for the node's root; the webhook file
 * (round trip, mode 0600, errors); the settings' webhook_file and
 * check_guests keys; the guest check's verdict in the body; and the
 * shared delivery's masking of secrets (common/webhook-report.c), also of
 * secrets with characters JSON escapes. No network, no root. */

#include <sys/stat.h>
#include <unistd.h>

#include "cluster.h"
#include "json-out.h"
#include "log.h"
#include "macro.h"
#include "report.h"
#include "testlib.h"
#include "webhook-report.h"

static char tmpdir[] = "/tmp/forja-join-report.XXXXXX";

static void write_text(const char *rel, const char *text) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

static json_object *parse(const char *text) {
        json_object *o = json_tokener_parse(text);
        CHECK(o != NULL);
        return o;
}

/* The canonical text of o (json-c's plain form, keys in insertion order). */
static const char *plain(json_object *o) {
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void test_join_body(void) {
        /* As cluster_status_get() gives it for n2 after its join. */
        json_object *status = parse(
                "{\"server_name\":\"n2\",\"clustered\":true,\"members\":["
                "{\"server_name\":\"n1\",\"url\":\"https://10.0.0.1:8443\",\"status\":\"Online\",\"message\":\"Fully operational\",\"roles\":[\"database\"]},"
                "{\"server_name\":\"n2\",\"url\":\"https://10.0.0.2:8443\",\"status\":\"Online\",\"message\":\"Fully operational\",\"roles\":[]}]}");
        ClusterReport r = {
                .mode = CLUSTER_MODE_JOIN,
                .server_name = "n2",
                .cluster_address = "10.0.0.2:8443",
                .joined_through = "10.0.0.1:8443",
                .status = status,
                .fqdn = "n2.example.com",
                .root = tmpdir,
                .ready_s = "23.4",   /* as forja join recorded it in this boot */
        };
        json_object *b = cluster_report_body(&r);
        json_object *f = json_get(b, "forja");
        json_object_object_del(f, "version");   /* FORJA_VERSION: checked below on its own */
        CHECK_STREQ(plain(f), "{\"event\":\"cluster-joined\",\"mode\":\"join\",\"server-name\":\"n2\","
                              "\"cluster-address\":\"10.0.0.2:8443\",\"joined-through\":\"10.0.0.1:8443\","
                              "\"members\":[{\"name\":\"n1\",\"status\":\"Online\"},{\"name\":\"n2\",\"status\":\"Online\"}],"
                              "\"ready-s\":23.4}");
        CHECK_STREQ(json_get_string(b, "fqdn"), "n2.example.com");
        CHECK_STREQ(json_get_string(b, "machine-id"), "0123456789abcdef0123456789abcdef");
        CHECK(startswith(json_get_string(json_get(b, "product"), "fullname"), "forja "));
        CHECK_STREQ(json_get_string(json_get(b, "product"), "short"), "pve");
        CHECK(json_get(b, "dmi") == NULL);   /* no hardware given */
        json_object_put(b);

        /* A failure: the error, no members and no ready time even when they are at hand. */
        r.error = "cluster.token: the join token was made for server 'n9', but this server is named 'n2'";
        r.joined_through = NULL;
        r.cluster_address = NULL;
        b = cluster_report_body(&r);
        f = json_get(b, "forja");
        CHECK_STREQ(json_get_string(f, "event"), "cluster-join-failed");
        CHECK(json_get_string(f, "version") && *json_get_string(f, "version"));
        json_object_object_del(f, "version");
        CHECK_STREQ(plain(f), "{\"event\":\"cluster-join-failed\",\"mode\":\"join\",\"server-name\":\"n2\","
                              "\"error\":\"cluster.token: the join token was made for server 'n9', but this server is named 'n2'\"}");
        json_object_put(b);

        /* Bootstrap, with the dmi of a described machine; no machine-id file. */
        Hardware hw = { .dmi = { .system_product = (char *) "Rack 1U", .system_serial = (char *) "SN-4711",
                                 .system_uuid = (char *) "4c4c4544-0042-3310-8057-b4c04f4d3332" } };
        json_object_put(status);
        status = parse("{\"server_name\":\"n1\",\"clustered\":true,\"members\":[{\"server_name\":\"n1\",\"status\":\"Online\"}]}");
        r = (ClusterReport) { .mode = CLUSTER_MODE_BOOTSTRAP, .server_name = "n1", .cluster_address = "10.0.0.1:8443",
                              .status = status, .root = "/nonexistent", .hw = &hw };
        b = cluster_report_body(&r);
        f = json_get(b, "forja");
        json_object_object_del(f, "version");
        CHECK_STREQ(plain(f), "{\"event\":\"cluster-joined\",\"mode\":\"bootstrap\",\"server-name\":\"n1\","
                              "\"cluster-address\":\"10.0.0.1:8443\",\"members\":[{\"name\":\"n1\",\"status\":\"Online\"}]}");
        CHECK_STREQ(plain(json_get(json_get(b, "dmi"), "system")),
                    "{\"name\":\"Rack 1U\",\"serial\":\"SN-4711\",\"uuid\":\"4c4c4544-0042-3310-8057-b4c04f4d3332\",\"sku\":\"\"}");
        CHECK(json_get(b, "machine-id") == NULL);
        CHECK(json_object_is_type(json_get(b, "fqdn"), json_type_null) || json_get(b, "fqdn") == NULL);
        json_object_put(b);
        json_object_put(status);
}

/* The guest check's verdict in the cluster-joined body (settings'
 * check_guests): pass only when every step passed, each step with its
 * result and reason, the start times (null: did not start); a check that
 * could not run is a fail with its reason; a failed join carries none. */
static void test_guests_body(void) {
        json_object *status = parse("{\"server_name\":\"n2\",\"clustered\":true,\"members\":["
                                    "{\"server_name\":\"n2\",\"status\":\"Online\"}]}");
        GuestCheckResult steps[] = {
                { .id = "incus", .title = "Incus API on this node", .status = GUEST_CHECK_PASS,
                  .message = (char *) "Incus 6.0.4 on n2 (cluster member)", .seconds = 0.04 },
                { .id = "ct-start", .title = "Container starts and runs exec", .status = GUEST_CHECK_PASS,
                  .message = (char *) "started, exec answered", .seconds = 4.44 },
                { .id = "vm-start", .title = "VM starts and its agent answers exec", .status = GUEST_CHECK_FAIL,
                  .message = (char *) "the agent did not answer within 600 s", .seconds = 600.02 },
                { .id = "vm-snapshot", .title = "VM snapshot and restore", .status = GUEST_CHECK_NOT_RUN,
                  .message = (char *) "the VM did not start", .seconds = 0 },
        };
        GuestCheckReport g = { .results = steps, .n_results = ELEMENTSOF(steps), .server_name = (char *) "n2",
                               .container_start_s = 4.44, .vm_start_s = -1 };
        ClusterReport r = { .mode = CLUSTER_MODE_JOIN, .server_name = "n2", .status = status, .root = tmpdir,
                            .ready_s = "23.4", .guests = &g };
        json_object *b = cluster_report_body(&r);
        json_object *f = json_get(b, "forja");
        CHECK_STREQ(json_get_string(f, "event"), "cluster-joined");
        CHECK_STREQ(plain(json_get(f, "guests")),
                    "{\"verdict\":\"fail\",\"container-start-s\":4.4,\"vm-start-s\":null,\"checks\":["
                    "{\"id\":\"incus\",\"title\":\"Incus API on this node\",\"status\":\"pass\","
                    "\"message\":\"Incus 6.0.4 on n2 (cluster member)\",\"seconds\":0.0},"
                    "{\"id\":\"ct-start\",\"title\":\"Container starts and runs exec\",\"status\":\"pass\","
                    "\"message\":\"started, exec answered\",\"seconds\":4.4},"
                    "{\"id\":\"vm-start\",\"title\":\"VM starts and its agent answers exec\",\"status\":\"fail\","
                    "\"message\":\"the agent did not answer within 600 s\",\"seconds\":600.0},"
                    "{\"id\":\"vm-snapshot\",\"title\":\"VM snapshot and restore\",\"status\":\"not-run\","
                    "\"message\":\"the VM did not start\",\"seconds\":0.0}]}");
        json_object_put(b);

        /* Every step passed: the verdict is pass, both start times given. */
        steps[2].status = steps[3].status = GUEST_CHECK_PASS;
        g.vm_start_s = 71.25;
        b = cluster_report_body(&r);
        f = json_get(json_get(b, "forja"), "guests");
        CHECK_STREQ(json_get_string(f, "verdict"), "pass");
        CHECK_STREQ(plain(json_get(f, "vm-start-s")), "71.2");
        CHECK(json_get(f, "error") == NULL);
        json_object_put(b);

        /* The check could not run at all: fail, with the reason, no steps. */
        r.guests = NULL;
        r.guests_error = "cannot reach Incus at /var/lib/incus/unix.socket";
        b = cluster_report_body(&r);
        CHECK_STREQ(plain(json_get(json_get(b, "forja"), "guests")),
                    "{\"verdict\":\"fail\",\"error\":\"cannot reach Incus at /var/lib/incus/unix.socket\"}");
        json_object_put(b);

        /* A failed join reports no guests; neither does a run without the check. */
        r.guests = &g;
        r.guests_error = NULL;
        r.error = "joining: Incus refused";
        b = cluster_report_body(&r);
        CHECK(json_get(json_get(b, "forja"), "guests") == NULL);
        json_object_put(b);
        r.error = NULL;
        r.guests = NULL;
        b = cluster_report_body(&r);
        CHECK(json_get(json_get(b, "forja"), "guests") == NULL);
        json_object_put(b);
        json_object_put(status);
}

static void test_redaction(void) {
        /* A secret JSON writes as "a\/b\"c\\d": masking the serialised text
         * would miss it; the body's strings are masked before escaping. */
        const char *secret = "a/b\"c\\d-T0ken";
        CHECK_INTEQ(log_register_secret(secret), 0);
        json_object *b = json_object_new_object();
        json_object *f = json_object_new_object();
        json_object *tail = json_object_new_array();
        json_add_string(f, "error", "join failed: token a/b\"c\\d-T0ken rejected");
        json_object_array_add(tail, json_object_new_string("line with a/b\"c\\d-T0ken"));
        json_add(f, "log-tail", tail);
        json_add(b, "forja", f);
        char *text = webhook_body_text(b);
        CHECK_STREQ(text, "{\"forja\":{\"error\":\"join failed: token <redacted> rejected\","
                          "\"log-tail\":[\"line with <redacted>\"]}}");
        free(text);
        /* The caller's body is not changed. */
        CHECK_STREQ(json_get_string(f, "error"), "join failed: token a/b\"c\\d-T0ken rejected");
        json_object_put(b);
        log_forget_secrets();
}

static void test_webhook_file(void) {
        char path[512], *err = NULL;
        struct stat st;
        snprintf(path, sizeof path, "%s/sub/cluster-webhook.json", tmpdir);

        ClusterWebhook w = { .url = (char *) "https://hooks.example.com/forja", .cert_fingerprint = (char *) "AA:BB",
                             .auth_token = (char *) "tok/1\"x", .fqdn = (char *) "n2.example.com" };
        CHECK_INTEQ(cluster_webhook_write(&w, path), 0);
        CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
        ClusterWebhook r = {};
        CHECK_INTEQ(cluster_webhook_load(path, &r, &err), 0);
        CHECK_STREQ(r.url, "https://hooks.example.com/forja");
        CHECK_STREQ(r.cert_fingerprint, "AA:BB");
        CHECK_STREQ(r.auth_token, "tok/1\"x");
        CHECK_STREQ(r.fqdn, "n2.example.com");
        cluster_webhook_done(&r);
        CHECK(r.url == NULL && r.auth_token == NULL);

        CHECK_INTEQ(cluster_webhook_load("/nonexistent/cluster-webhook.json", &r, NULL), -ENOENT);
        write_text("bad-url.json", "{\"url\":\"ftp://x\"}");
        snprintf(path, sizeof path, "%s/bad-url.json", tmpdir);
        CHECK_INTEQ(cluster_webhook_load(path, &r, &err), -EINVAL);
        CHECK(err && strstr(err, "bad-url.json: key 'url' must be an http:// or https:// URL."));
        free(err);
        err = NULL;
        write_text("unknown.json", "{\"url\":\"http://x/\",\"auth-token\":\"t\"}");
        snprintf(path, sizeof path, "%s/unknown.json", tmpdir);
        CHECK_INTEQ(cluster_webhook_load(path, &r, &err), -EINVAL);
        CHECK(err && strstr(err, "unknown.json: unknown key 'auth-token'."));
        free(err);
}

static void test_settings_webhook_file(void) {
        char path[512], *err = NULL;
        ClusterSettings s, s2;
        snprintf(path, sizeof path, "%s/cluster.json", tmpdir);
        write_text("cluster.json", "{\"mode\":\"bootstrap\",\"address\":\"10.0.0.1:8443\","
                                   "\"webhook_file\":\"/etc/forja/cluster-webhook.json\"}");
        CHECK_INTEQ(cluster_settings_load(path, &s, &err), 0);
        CHECK_STREQ(s.webhook_file, "/etc/forja/cluster-webhook.json");
        CHECK_INTEQ(cluster_settings_write(&s, path), 0);
        CHECK_INTEQ(cluster_settings_load(path, &s2, &err), 0);
        CHECK_STREQ(s2.webhook_file, "/etc/forja/cluster-webhook.json");
        CHECK(!s2.check_guests);   /* off unless asked for: the check takes minutes */
        cluster_settings_done(&s);
        cluster_settings_done(&s2);

        /* check_guests: read, written back, and only a boolean. */
        write_text("cluster.json", "{\"mode\":\"standalone\",\"check_guests\":true}");
        CHECK_INTEQ(cluster_settings_load(path, &s, &err), 0);
        CHECK(s.check_guests);
        CHECK_INTEQ(cluster_settings_write(&s, path), 0);
        CHECK_INTEQ(cluster_settings_load(path, &s2, &err), 0);
        CHECK(s2.check_guests);
        cluster_settings_done(&s);
        cluster_settings_done(&s2);
        write_text("cluster.json", "{\"mode\":\"standalone\",\"check_guests\":\"yes\"}");
        free(err);
        err = NULL;
        CHECK_INTEQ(cluster_settings_load(path, &s, &err), -EINVAL);
        CHECK(err && strstr(err, "cluster.json: key 'check_guests' must be true or false."));
        free(err);
}

int main(void) {
        if (!mkdtemp(tmpdir))
                return 1;
        char etc[600];
        snprintf(etc, sizeof etc, "%s/etc", tmpdir);
        mkdir(etc, 0755);
        write_text("etc/machine-id", "0123456789abcdef0123456789abcdef\n");

        test_join_body();
        test_guests_body();
        test_redaction();
        test_webhook_file();
        test_settings_webhook_file();

        static const char *const names[] = { "etc/machine-id", "etc", "sub/cluster-webhook.json", "sub",
                                             "bad-url.json", "unknown.json", "cluster.json", NULL };
        for (size_t i = 0; names[i]; i++) {
                char p[600];
                snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
                if (unlink(p) < 0)
                        rmdir(p);
        }
        if (rmdir(tmpdir) < 0)
                fprintf(stderr, "could not remove %s\n", tmpdir);
        return test_result();
}
