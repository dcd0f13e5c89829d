/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for cluster-join: join token decoding and validation with
 * hand-made tokens (base64 made with `printf '%s' JSON | base64 -w0`), token
 * encoding against a token printed by `incus cluster add` (Incus 6.0.4), RFC
 * 3339 times, and the settings file. No network, no root. */

#include <sys/stat.h>
#include <unistd.h>

#include "cluster.h"
#include "macro.h"
#include "testlib.h"

#define FP "99387122c62ebcdfad9ea0eab3530df221a25690924f2a25e882377ee5fd906d"

/* {"server_name":"n2","fingerprint":FP,"addresses":["198.18.100.11:8443","[fd00::1]:8443"],
 *  "secret":"s3cr3t","expires_at":"2030-01-02T03:04:05.123456789Z"} */
#define TOKEN_VALID \
        "eyJzZXJ2ZXJfbmFtZSI6Im4yIiwiZmluZ2VycHJpbnQiOiI5OTM4NzEyMmM2MmViY2RmYWQ5ZWEwZWFiMzUzMGRmMjIxYTI1NjkwOTI0ZjJh" \
        "MjVlODgyMzc3ZWU1ZmQ5MDZkIiwiYWRkcmVzc2VzIjpbIjE5OC4xOC4xMDAuMTE6ODQ0MyIsIltmZDAwOjoxXTo4NDQzIl0sInNlY3JldCI6" \
        "InMzY3IzdCIsImV4cGlyZXNfYXQiOiIyMDMwLTAxLTAyVDAzOjA0OjA1LjEyMzQ1Njc4OVoifQ=="
/* same, one address, "expires_at":"2020-01-01T00:00:00Z" */
#define TOKEN_EXPIRED \
        "eyJzZXJ2ZXJfbmFtZSI6Im4yIiwiZmluZ2VycHJpbnQiOiI5OTM4NzEyMmM2MmViY2RmYWQ5ZWEwZWFiMzUzMGRmMjIxYTI1NjkwOTI0ZjJh" \
        "MjVlODgyMzc3ZWU1ZmQ5MDZkIiwiYWRkcmVzc2VzIjpbIjE5OC4xOC4xMDAuMTE6ODQ0MyJdLCJzZWNyZXQiOiJzM2NyM3QiLCJleHBpcmVz" \
        "X2F0IjoiMjAyMC0wMS0wMVQwMDowMDowMFoifQ=="
/* "expires_at":"2030-01-02T05:04:05+02:00" */
#define TOKEN_OFFSET \
        "eyJzZXJ2ZXJfbmFtZSI6Im4yIiwiZmluZ2VycHJpbnQiOiI5OTM4NzEyMmM2MmViY2RmYWQ5ZWEwZWFiMzUzMGRmMjIxYTI1NjkwOTI0ZjJh" \
        "MjVlODgyMzc3ZWU1ZmQ5MDZkIiwiYWRkcmVzc2VzIjpbIjE5OC4xOC4xMDAuMTE6ODQ0MyJdLCJzZWNyZXQiOiJzM2NyM3QiLCJleHBpcmVz" \
        "X2F0IjoiMjAzMC0wMS0wMlQwNTowNDowNSswMjowMCJ9"
/* "addresses":[] */
#define TOKEN_NO_ADDRESSES \
        "eyJzZXJ2ZXJfbmFtZSI6Im4yIiwiZmluZ2VycHJpbnQiOiI5OTM4NzEyMmM2MmViY2RmYWQ5ZWEwZWFiMzUzMGRmMjIxYTI1NjkwOTI0ZjJh" \
        "MjVlODgyMzc3ZWU1ZmQ5MDZkIiwiYWRkcmVzc2VzIjpbXSwic2VjcmV0IjoiczNjcjN0IiwiZXhwaXJlc19hdCI6IjIwMzAtMDEtMDJUMDM6" \
        "MDQ6MDVaIn0="
/* no "fingerprint" */
#define TOKEN_NO_FINGERPRINT \
        "eyJzZXJ2ZXJfbmFtZSI6Im4yIiwiYWRkcmVzc2VzIjpbIjE5OC4xOC4xMDAuMTE6ODQ0MyJdLCJzZWNyZXQiOiJzM2NyM3QiLCJleHBpcmVz" \
        "X2F0IjoiMjAzMC0wMS0wMlQwMzowNDowNVoifQ=="
/* "fingerprint":"abc" */
#define TOKEN_SHORT_FINGERPRINT \
        "eyJzZXJ2ZXJfbmFtZSI6Im4yIiwiZmluZ2VycHJpbnQiOiJhYmMiLCJhZGRyZXNzZXMiOlsiMTk4LjE4LjEwMC4xMTo4NDQzIl0sInNlY3Jl" \
        "dCI6InMzY3IzdCJ9"
/* "expires_at":"0001-01-01T00:00:00Z" (Go's zero time: no expiry) */
#define TOKEN_ZERO_TIME \
        "eyJzZXJ2ZXJfbmFtZSI6Im4yIiwiZmluZ2VycHJpbnQiOiI5OTM4NzEyMmM2MmViY2RmYWQ5ZWEwZWFiMzUzMGRmMjIxYTI1NjkwOTI0ZjJh" \
        "MjVlODgyMzc3ZWU1ZmQ5MDZkIiwiYWRkcmVzc2VzIjpbIjE5OC4xOC4xMDAuMTE6ODQ0MyJdLCJzZWNyZXQiOiJzM2NyM3QiLCJleHBpcmVz" \
        "X2F0IjoiMDAwMS0wMS0wMVQwMDowMDowMFoifQ=="
/* ["not","an","object"] */
#define TOKEN_ARRAY "WyJub3QiLCJhbiIsIm9iamVjdCJd"
/* "expires_at":"tomorrow" */
#define TOKEN_BAD_TIME \
        "eyJzZXJ2ZXJfbmFtZSI6Im4yIiwiZmluZ2VycHJpbnQiOiI5OTM4NzEyMmM2MmViY2RmYWQ5ZWEwZWFiMzUzMGRmMjIxYTI1NjkwOTI0ZjJh" \
        "MjVlODgyMzc3ZWU1ZmQ5MDZkIiwiYWRkcmVzc2VzIjpbIjE5OC4xOC4xMDAuMTE6ODQ0MyJdLCJzZWNyZXQiOiJzM2NyM3QiLCJleHBpcmVz" \
        "X2F0IjoidG9tb3Jyb3cifQ=="
/* Printed by `incus cluster add n3` on Incus 6.0.4 (a throwaway test cluster). */
#define TOKEN_FROM_INCUS \
        "eyJzZXJ2ZXJfbmFtZSI6Im4zIiwiZmluZ2VycHJpbnQiOiI5OTM4NzEyMmM2MmViY2RmYWQ5ZWEwZWFiMzUzMGRmMjIxYTI1NjkwOTI0ZjJh" \
        "MjVlODgyMzc3ZWU1ZmQ5MDZkIiwiYWRkcmVzc2VzIjpbIjE5OC4xOC4xMDAuMTE6ODQ0MyJdLCJzZWNyZXQiOiI0MTM5NGQyMTJlYTQ4MGRi" \
        "Y2MzN2EyZTg1YzE3YTZmYjM5MGNlYTkwMWI4NWFkOGM5NzAyNTBlNzUzZjdmN2IyIiwiZXhwaXJlc19hdCI6IjIwMjYtMTEtMjZUMDk6NDA6" \
        "NTQuMzA1MjE0NDIyWiJ9"

/* `date -u -d 2030-01-02T03:04:05Z +%s` and `date -u -d 2020-01-01T00:00:00Z +%s` */
#define T_2030 ((time_t) 1893553445)
#define T_2020 ((time_t) 1577836800)

static void check_bad(const char *token, const char *want_in_error) {
        ClusterToken t = {};
        char *err = NULL;
        int r = cluster_token_decode(token, &t, &err);
        CHECK_INTEQ(r, -EBADMSG);
        CHECK(err && startswith(err, "cluster.token: "));
        CHECK(err && strstr(err, want_in_error));
        if (err && !strstr(err, want_in_error))
                fprintf(stderr, "  error was: %s\n", err);
        CHECK(t.server_name == NULL);
        free(err);
}

static void test_decode(void) {
        ClusterToken t = {};
        char *err = NULL;

        CHECK_INTEQ(cluster_token_decode(TOKEN_VALID, &t, &err), 0);
        CHECK_STREQ(t.server_name, "n2");
        CHECK_STREQ(t.fingerprint, FP);
        CHECK_STREQ(t.secret, "s3cr3t");
        CHECK(t.addresses && t.addresses[0] && t.addresses[1] && !t.addresses[2]);
        CHECK_STREQ(t.addresses[0], "198.18.100.11:8443");
        CHECK_STREQ(t.addresses[1], "[fd00::1]:8443");
        CHECK_INTEQ(t.expires_at, T_2030);
        CHECK(err == NULL);
        cluster_token_done(&t);

        /* Line breaks and spaces around a pasted token are ignored. */
        CHECK_INTEQ(cluster_token_decode("  " TOKEN_EXPIRED "\n", &t, NULL), 0);
        CHECK_INTEQ(t.expires_at, T_2020);
        cluster_token_done(&t);

        CHECK_INTEQ(cluster_token_decode(TOKEN_OFFSET, &t, NULL), 0);
        CHECK_INTEQ(t.expires_at, T_2030 + 3600 - 3600);   /* 05:04:05+02:00 is 03:04:05Z */
        cluster_token_done(&t);

        CHECK_INTEQ(cluster_token_decode(TOKEN_ZERO_TIME, &t, NULL), 0);
        CHECK_INTEQ(t.expires_at, 0);
        cluster_token_done(&t);

        check_bad("", "no join token given");
        check_bad("not base64!", "not base64");
        check_bad("abc", "not base64");                 /* length not a multiple of 4 */
        check_bad(TOKEN_ARRAY, "not a JSON object");
        check_bad(TOKEN_NO_FINGERPRINT, "no \"fingerprint\"");
        check_bad(TOKEN_SHORT_FINGERPRINT, "\"fingerprint\" is not a SHA-256");
        check_bad(TOKEN_NO_ADDRESSES, "no cluster \"addresses\"");
        check_bad(TOKEN_BAD_TIME, "\"expires_at\" 'tomorrow' is not an RFC 3339 time");
        /* Every error says how to get a good token. */
        char *e2 = NULL;
        cluster_token_decode("x", &t, &e2);
        CHECK(e2 && strstr(e2, "forja cluster token NAME"));
        free(e2);
}

static void test_validate(void) {
        ClusterToken t = {};
        char *err = NULL;

        CHECK_INTEQ(cluster_token_decode(TOKEN_VALID, &t, NULL), 0);
        CHECK_INTEQ(cluster_token_validate(&t, "n2", T_2030 - 1, &err), 0);
        CHECK(err == NULL);
        CHECK_INTEQ(cluster_token_validate(&t, NULL, T_2030 - 1, &err), 0);

        CHECK_INTEQ(cluster_token_validate(&t, "n2", T_2030, &err), -EKEYEXPIRED);
        CHECK(err && strstr(err, "cluster.token: the join token for 'n2' expired at 2030-01-02 03:04:05 UTC (0s ago)"));
        CHECK(err && strstr(err, "join tokens expire (cluster.join_token_expiry on the cluster, 3 hours by default)"));
        free(err);
        err = NULL;
        CHECK_INTEQ(cluster_token_validate(&t, "n2", T_2030 + 2 * 3600 + 5 * 60, &err), -EKEYEXPIRED);
        CHECK(err && strstr(err, "(2h 5min ago)"));
        free(err);
        err = NULL;

        CHECK_INTEQ(cluster_token_validate(&t, "n9", T_2030 - 1, &err), -ESRCH);
        CHECK(err && strstr(err, "cluster.token: the join token was made for server 'n2', but this server is named 'n9' "
                                 "(cluster.server-name"));
        free(err);
        err = NULL;
        /* Expiry is reported first: a new token is needed either way. */
        CHECK_INTEQ(cluster_token_validate(&t, "n9", T_2030 + 1, &err), -EKEYEXPIRED);
        free(err);
        cluster_token_done(&t);

        CHECK_INTEQ(cluster_token_decode(TOKEN_ZERO_TIME, &t, NULL), 0);
        CHECK_INTEQ(cluster_token_validate(&t, "n2", T_2030 * 2, NULL), 0);
        cluster_token_done(&t);
}

static void test_encode(void) {
        char *tok = NULL;
        char *addrs[] = { (char *) "198.18.100.11:8443", NULL };
        CHECK_INTEQ(cluster_token_encode("n3", FP, addrs,
                                         "41394d212ea480dbcc37a2e85c17a6fb390cea901b85ad8c970250e753f7f7b2",
                                         "2026-11-26T09:40:54.305214422Z", &tok), 0);
        CHECK_STREQ(tok, TOKEN_FROM_INCUS);
        free(tok);
}

static void test_rfc3339(void) {
        time_t t = 0;
        CHECK_INTEQ(parse_rfc3339("2030-01-02T03:04:05Z", &t), 0);
        CHECK_INTEQ(t, T_2030);
        CHECK_INTEQ(parse_rfc3339("2030-01-02T03:04:05.5Z", &t), 0);
        CHECK_INTEQ(t, T_2030);
        CHECK_INTEQ(parse_rfc3339("2030-01-01T22:04:05-05:00", &t), 0);
        CHECK_INTEQ(t, T_2030);
        CHECK_INTEQ(parse_rfc3339("2030-01-02T03:04:05", &t), -EINVAL);      /* no zone */
        CHECK_INTEQ(parse_rfc3339("2030-01-02T03:04:05.Z", &t), -EINVAL);
        CHECK_INTEQ(parse_rfc3339("2030-01-02T03:04:05+2:00", &t), -EINVAL);
        CHECK_INTEQ(parse_rfc3339("2030-01-02T03:04:05Zjunk", &t), -EINVAL);
        CHECK_INTEQ(parse_rfc3339("yesterday", &t), -EINVAL);
}

static char tmpdir[] = "/tmp/forja-test-cluster.XXXXXX";

static char *write_tmp(const char *name, const char *content) {
        char *p = NULL;
        if (asprintf(&p, "%s/%s", tmpdir, name) < 0)
                abort();
        FILE *f = fopen(p, "we");
        if (!f)
                abort();
        fputs(content, f);
        fclose(f);
        return p;
}

static void check_settings_error(const char *content, const char *want) {
        char *p = write_tmp("bad.json", content);
        ClusterSettings s;
        char *err = NULL;
        int r = cluster_settings_load(p, &s, &err);
        CHECK_INTEQ(r, -EINVAL);
        CHECK(err && strstr(err, want));
        if (err && !strstr(err, want))
                fprintf(stderr, "  error was: %s\n  wanted: %s\n", err, want);
        free(err);
        free(p);
}

static void test_settings(void) {
        ClusterSettings s;
        char *err = NULL;
        char *p = write_tmp("join.json",
                            "{\n"
                            "  \"mode\": \"join\",\n"
                            "  \"server_name\": \"node-7\",\n"
                            "  \"address\": \"10.0.0.7:8443\",\n"
                            "  \"verify\": false,\n"
                            "  \"token\": \"" TOKEN_VALID "\",\n"
                            "  \"storage\": { \"driver\": \"lvm\", \"source\": \"forja\",\n"
                            "    \"config\": { \"lvm.vg_name\": \"forja\", \"lvm.thinpool_name\": \"data\" } },\n"
                            "  \"network\": { \"name\": \"vmbr0\" }\n"
                            "}\n");
        CHECK_INTEQ(cluster_settings_load(p, &s, &err), 0);
        CHECK(err == NULL);
        CHECK_INTEQ(s.mode, CLUSTER_MODE_JOIN);
        CHECK_STREQ(s.server_name, "node-7");
        CHECK_STREQ(s.address, "10.0.0.7:8443");
        CHECK(!s.verify);
        CHECK_STREQ(s.token, TOKEN_VALID);
        CHECK(s.storage_pool == NULL);
        CHECK_STREQ(s.storage_driver, "lvm");
        CHECK_STREQ(s.storage_source, "forja");
        CHECK(s.storage_config && s.storage_config[0] && s.storage_config[2] && !s.storage_config[4]);
        CHECK_STREQ(s.storage_config[0], "lvm.vg_name");
        CHECK_STREQ(s.storage_config[1], "forja");
        CHECK_STREQ(s.storage_config[3], "data");
        CHECK_INTEQ(s.network_mode, CLUSTER_NETWORK_BRIDGE);   /* a name alone means bridge */
        CHECK_STREQ(s.network_name, "vmbr0");

        /* The token names n2, this node is node-7: verify stops before the network. */
        CHECK_INTEQ(cluster_verify(&s, &err), -ESRCH);
        CHECK(err && strstr(err, "this server is named 'node-7'"));
        free(err);
        err = NULL;

        /* Written back with mode 0600 and read again the same. */
        char *w = NULL;
        CHECK(asprintf(&w, "%s/etc/forja/written.json", tmpdir) > 0);   /* parents made */
        CHECK_INTEQ(cluster_settings_write(&s, w), 0);
        struct stat st;
        CHECK_INTEQ(stat(w, &st), 0);
        CHECK_INTEQ(st.st_mode & 07777, 0600);
        ClusterSettings s2;
        CHECK_INTEQ(cluster_settings_load(w, &s2, &err), 0);
        CHECK_INTEQ(s2.mode, CLUSTER_MODE_JOIN);
        CHECK_STREQ(s2.token, TOKEN_VALID);
        CHECK_STREQ(s2.storage_config[3], "data");
        CHECK_INTEQ(s2.network_mode, CLUSTER_NETWORK_BRIDGE);
        CHECK(!s2.verify);
        cluster_settings_done(&s2);
        cluster_settings_done(&s);
        free(w);
        free(p);

        /* A missing file means standalone is not assumed: it is an error. */
        CHECK(cluster_settings_load("/nonexistent/cluster.json", &s, &err) == -ENOENT);
        free(err);
        err = NULL;

        /* Expired token with verify = false: still refused, without network. */
        p = write_tmp("expired.json", "{\"mode\":\"join\",\"server_name\":\"n2\",\"address\":\"10.0.0.2\","
                                      "\"verify\":false,\"token\":\"" TOKEN_EXPIRED "\"}");
        CHECK_INTEQ(cluster_settings_load(p, &s, NULL), 0);
        CHECK_INTEQ(cluster_verify(&s, &err), -EKEYEXPIRED);
        CHECK(err && strstr(err, "expired at 2020-01-01 00:00:00 UTC"));
        free(err);
        err = NULL;
        cluster_settings_done(&s);
        free(p);

        /* Token from a file, trailing newline trimmed. */
        char *tf = write_tmp("token", TOKEN_VALID "\n");
        char *json = NULL;
        CHECK(asprintf(&json, "{\"mode\":\"join\",\"server_name\":\"n2\",\"address\":\"10.0.0.2:8443\","
                              "\"verify\":false,\"token_file\":\"%s\"}", tf) > 0);
        p = write_tmp("tokenfile.json", json);
        CHECK_INTEQ(cluster_settings_load(p, &s, NULL), 0);
        char *tok = NULL;
        CHECK_INTEQ(cluster_settings_token(&s, &tok, NULL), 0);
        CHECK_STREQ(tok, TOKEN_VALID);
        CHECK_INTEQ(cluster_verify(&s, &err), 0);              /* valid, verify off */
        free(tok);
        free(json);
        free(tf);
        free(p);
        cluster_settings_done(&s);

        /* Standalone (the default) has nothing to verify. */
        p = write_tmp("empty.json", "{}");
        CHECK_INTEQ(cluster_settings_load(p, &s, NULL), 0);
        CHECK_INTEQ(s.mode, CLUSTER_MODE_STANDALONE);
        CHECK(s.verify);
        CHECK_INTEQ(cluster_verify(&s, NULL), 0);
        cluster_settings_done(&s);
        free(p);

        check_settings_error("{\"mode\":\"cluster\"}", "key 'mode': 'cluster' is not standalone, bootstrap or join");
        check_settings_error("{\"tokn\":\"x\"}", "unknown key 'tokn'");
        check_settings_error("{\"storage\":{\"drvier\":\"dir\"}}", "unknown key 'storage.drvier'");
        check_settings_error("{\"storage\":{\"config\":{\"size\":5}}}", "key 'storage.config.size' must be a string");
        check_settings_error("{\"verify\":\"yes\"}", "key 'verify' must be true or false");
        check_settings_error("{\"mode\":\"join\"}", "cluster.address: mode join needs this node's cluster address");
        check_settings_error("{\"server_name\":\"bad_name\"}", "cluster.server-name: 'bad_name' is not a valid server name");
        check_settings_error("{\"network\":{\"mode\":\"managed\"}}", "network.name: network mode managed needs a name");
        check_settings_error("{\n  \"mode\": \"join\",\n  oops\n}", "bad.json:3:");
}

int main(void) {
        if (!mkdtemp(tmpdir))
                return 1;
        test_decode();
        test_validate();
        test_encode();
        test_rfc3339();
        test_settings();
        /* Remove the scratch files (a few known names). */
        const char *names[] = { "join.json", "etc/forja/written.json", "etc/forja", "etc", "expired.json", "token", "tokenfile.json", "empty.json",
                                "bad.json" };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                char *f = NULL;
                if (asprintf(&f, "%s/%s", tmpdir, names[i]) > 0 && unlink(f) < 0)
                        rmdir(f);
                free(f);
        }
        rmdir(tmpdir);
        return test_result();
}
