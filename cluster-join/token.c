/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Incus join tokens: decoding, encoding and validation (expiry, name). */

#include <ctype.h>
#include <openssl/evp.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster.h"
#include "cluster-internal.h"
#include "json-out.h"

#define TOKEN_ADVICE "make a new one on a cluster member with 'forja cluster token NAME' or 'incus cluster add NAME'"
#define TOKEN_EXPIRY_NOTE "join tokens expire (cluster.join_token_expiry on the cluster, 3 hours by default)"

void cluster_token_done(ClusterToken *t) {
        if (!t)
                return;
        free(t->server_name);
        free(t->fingerprint);
        strv_free(t->addresses);
        if (t->secret)
                explicit_bzero(t->secret, strlen(t->secret));
        free(t->secret);
        *t = (ClusterToken) {};
}

int parse_rfc3339(const char *s, time_t *ret) {
        struct tm tm = {};
        const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!p)
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                while (isdigit((unsigned char) *p))
                        p++;
        }
        long offset = 0;
        if (*p == 'Z' || *p == 'z')
                p++;
        else if (*p == '+' || *p == '-') {
                int sign = *p == '-' ? -1 : 1;
                unsigned hh, mm;
                int n = 0;
                if (sscanf(p + 1, "%2u:%2u%n", &hh, &mm, &n) != 2 || n != 5 || hh > 23 || mm > 59)
                        return -EINVAL;
                offset = sign * (long) (hh * 3600 + mm * 60);
                p += 1 + n;
        } else
                return -EINVAL;
        if (*p)
                return -EINVAL;
        time_t t = timegm(&tm);
        if (t == (time_t) -1)
                return -EINVAL;
        *ret = t - offset;
        return 0;
}

/* Standard base64 with padding (Go's base64.StdEncoding), whitespace ignored. */
static int base64_decode(const char *text, char **ret, size_t *ret_size) {
        size_t n = strlen(text);
        _cleanup_free_ char *clean = malloc(n + 1);
        if (!clean)
                return -ENOMEM;
        size_t k = 0;
        for (const char *p = text; *p; p++)
                if (!isspace((unsigned char) *p))
                        clean[k++] = *p;
        clean[k] = 0;
        if (k == 0 || k % 4 != 0)
                return -EBADMSG;
        _cleanup_free_ unsigned char *out = malloc(k / 4 * 3 + 1);
        if (!out)
                return -ENOMEM;
        int m = EVP_DecodeBlock(out, (const unsigned char *) clean, (int) k);
        if (m < 0)
                return -EBADMSG;
        /* EVP_DecodeBlock counts the padding as zero bytes. */
        size_t pad = (clean[k - 1] == '=') + (clean[k - 2] == '=');
        m -= (int) pad;
        out[m] = 0;
        if (memchr(out, 0, m))
                return -EBADMSG;
        *ret = (char *) TAKE_PTR(out);
        *ret_size = (size_t) m;
        return 0;
}

static bool is_hex_fingerprint(const char *s) {
        if (strlen(s) != 64)
                return false;
        for (const char *p = s; *p; p++)
                if (!isxdigit((unsigned char) *p))
                        return false;
        return true;
}

int cluster_token_decode(const char *text, ClusterToken *ret, char **ret_error) {
        _cleanup_free_ char *raw = NULL;
        size_t size;
        int r;

        if (!text || !*text) {
                error_setf(ret_error, "cluster.token: no join token given; %s.", TOKEN_ADVICE);
                return -EBADMSG;
        }
        r = base64_decode(text, &raw, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                error_setf(ret_error, "cluster.token: not a join token (not base64); %s.", TOKEN_ADVICE);
                return -EBADMSG;
        }

        _cleanup_json_ json_object *o = NULL;
        enum json_tokener_error jerr;
        o = json_tokener_parse_verbose(raw, &jerr);
        explicit_bzero(raw, size);
        if (!o || !json_object_is_type(o, json_type_object)) {
                error_setf(ret_error, "cluster.token: not a join token (the decoded text is not a JSON object); %s.",
                          TOKEN_ADVICE);
                return -EBADMSG;
        }

        static const char *const required[] = { "server_name", "fingerprint", "secret" };
        for (size_t i = 0; i < ELEMENTSOF(required); i++)
                if (!json_get_string(o, required[i])) {
                        error_setf(ret_error, "cluster.token: not a join token (no \"%s\" in it); %s.", required[i],
                                  TOKEN_ADVICE);
                        return -EBADMSG;
                }
        const char *fp = json_get_string(o, "fingerprint");
        if (!is_hex_fingerprint(fp)) {
                error_setf(ret_error, "cluster.token: not a join token (\"fingerprint\" is not a SHA-256 in hex); %s.",
                          TOKEN_ADVICE);
                return -EBADMSG;
        }
        json_object *addrs = json_get(o, "addresses");
        size_t n_addr = addrs && json_object_is_type(addrs, json_type_array) ? json_object_array_length(addrs) : 0;
        if (n_addr == 0) {
                error_setf(ret_error, "cluster.token: not a join token (no cluster \"addresses\" in it); %s.",
                          TOKEN_ADVICE);
                return -EBADMSG;
        }

        _cleanup_(cluster_token_done) ClusterToken t = {};
        t.addresses = calloc(n_addr + 1, sizeof(char *));
        if (!t.addresses)
                return -ENOMEM;
        for (size_t i = 0; i < n_addr; i++) {
                json_object *a = json_object_array_get_idx(addrs, i);
                if (!json_object_is_type(a, json_type_string) || !*json_object_get_string(a)) {
                        error_setf(ret_error, "cluster.token: not a join token (address %zu is not a string); %s.",
                                  i + 1, TOKEN_ADVICE);
                        return -EBADMSG;
                }
                t.addresses[i] = strdup(json_object_get_string(a));
                if (!t.addresses[i])
                        return -ENOMEM;
        }

        const char *exp = json_get_string(o, "expires_at");
        /* Go's zero time means "never"; a token without the key is treated alike. */
        if (exp && !startswith(exp, "0001-01-01T")) {
                r = parse_rfc3339(exp, &t.expires_at);
                if (r < 0) {
                        error_setf(ret_error, "cluster.token: not a join token (\"expires_at\" '%s' is not an RFC 3339 time); %s.",
                                  exp, TOKEN_ADVICE);
                        return -EBADMSG;
                }
        }

        t.server_name = strdup(json_get_string(o, "server_name"));
        t.fingerprint = strdup(fp);
        t.secret = strdup(json_get_string(o, "secret"));
        if (!t.server_name || !t.fingerprint || !t.secret)
                return -ENOMEM;
        for (char *p = t.fingerprint; *p; p++)
                *p = (char) tolower((unsigned char) *p);

        *ret = t;
        t = (ClusterToken) {};
        return 0;
}

int cluster_token_encode(const char *server_name, const char *fingerprint, char *const *addresses,
                         const char *secret, const char *expires_at, char **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *a = json_object_new_array();
        if (!o || !a)
                return -ENOMEM;
        if (json_add_string(o, "server_name", server_name) < 0 || json_add_string(o, "fingerprint", fingerprint) < 0 ||
            json_add(o, "addresses", a) < 0)
                return -ENOMEM;
        for (char *const *i = addresses; i && *i; i++)
                if (json_object_array_add(a, json_object_new_string(*i)) < 0)
                        return -ENOMEM;
        if (json_add_string(o, "secret", secret) < 0 || json_add_string(o, "expires_at", expires_at) < 0)
                return -ENOMEM;

        const char *js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!js)
                return -ENOMEM;
        size_t n = strlen(js);
        char *out = malloc(4 * ((n + 2) / 3) + 1);
        if (!out)
                return -ENOMEM;
        EVP_EncodeBlock((unsigned char *) out, (const unsigned char *) js, (int) n);
        *ret = out;
        return 0;
}

static void format_duration(time_t d, char *buf, size_t size) {
        if (d >= 86400)
                snprintf(buf, size, "%lldd %lldh", (long long) d / 86400, (long long) (d % 86400) / 3600);
        else if (d >= 3600)
                snprintf(buf, size, "%lldh %lldmin", (long long) d / 3600, (long long) (d % 3600) / 60);
        else if (d >= 60)
                snprintf(buf, size, "%lldmin", (long long) d / 60);
        else
                snprintf(buf, size, "%llds", (long long) d);
}

int cluster_token_validate(const ClusterToken *t, const char *server_name, time_t now, char **ret_error) {
        if (t->expires_at > 0 && now >= t->expires_at) {
                char when[64], ago[32];
                struct tm tm;
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t->expires_at, &tm));
                format_duration(now - t->expires_at, ago, sizeof ago);
                error_setf(ret_error,
                          "cluster.token: the join token for '%s' expired at %s (%s ago): %s; %s.",
                          t->server_name, when, ago, TOKEN_EXPIRY_NOTE, TOKEN_ADVICE);
                return -EKEYEXPIRED;
        }
        if (server_name && !streq(t->server_name, server_name)) {
                error_setf(ret_error,
                          "cluster.token: the join token was made for server '%s', but this server is named '%s' "
                          "(cluster.server-name, default the hostname); a token only works for the name it was made for: "
                          "make one with 'forja cluster token %s' on a cluster member.",
                          t->server_name, server_name, server_name);
                return -ESRCH;
        }
        return 0;
}
