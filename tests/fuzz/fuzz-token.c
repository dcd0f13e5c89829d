/* SPDX-License-Identifier: GPL-2.0-or-later */

/* libFuzzer target for the Incus join token decoder (cluster-join/token.c).
 * An input that starts with '{' is taken as the token's JSON and base64
 * encoded first, so the fuzzer reaches the JSON checks directly; any other
 * input is decoded as token text. Besides what the sanitizers catch, it
 * aborts when a decoded token breaks the decoder's promises (the three
 * strings set, a lower-case 64 hex digit fingerprint, at least one
 * address), when an error comes without a message, or when the token does
 * not survive cluster_token_encode() and a second decode unchanged. */

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "cluster.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_token(const ClusterToken *t) {
        if (!t->server_name || !t->secret || !t->fingerprint || strlen(t->fingerprint) != 64 ||
            !t->addresses || !t->addresses[0])
                abort();
        for (const char *p = t->fingerprint; *p; p++)
                if (!isdigit((unsigned char) *p) && !(*p >= 'a' && *p <= 'f'))
                        abort();
}

static bool strv_same(char **a, char **b) {
        for (; *a && *b; a++, b++)
                if (strcmp(*a, *b) != 0)
                        return false;
        return !*a && !*b;
}

static void round_trip(const ClusterToken *t) {
        char when[64] = "0001-01-01T00:00:00Z";
        struct tm tm;
        ClusterToken back = {};
        char *text = NULL, *error = NULL;

        if (t->expires_at != 0) {
                if (!gmtime_r(&t->expires_at, &tm))
                        return;         /* not representable as a date: nothing to compare */
                if (tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
                        return;
                strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        if (cluster_token_encode(t->server_name, t->fingerprint, t->addresses, t->secret, when, &text) < 0)
                abort();
        if (cluster_token_decode(text, &back, &error) < 0) {
                fprintf(stderr, "fuzz-token: encoded token not decoded: %s\n", error);
                abort();
        }
        if (strcmp(back.server_name, t->server_name) != 0 || strcmp(back.fingerprint, t->fingerprint) != 0 ||
            strcmp(back.secret, t->secret) != 0 || back.expires_at != t->expires_at ||
            !strv_same(back.addresses, t->addresses)) {
                fprintf(stderr, "fuzz-token: round trip changed the token\n");
                abort();
        }
        cluster_token_done(&back);
        free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ClusterToken t = {};
        char *text, *error = NULL;
        int r;

        if (size > 64 * 1024)
                return 0;
        if (size > 0 && data[0] == '{') {
                text = malloc(4 * ((size + 2) / 3) + 1);
                if (!text)
                        abort();
                EVP_EncodeBlock((unsigned char *) text, data, (int) size);
        } else {
                text = strndup((const char *) data, size);
                if (!text)
                        abort();
        }

        r = cluster_token_decode(text, &t, &error);
        free(text);
        if (r < 0) {
                if (r != -EBADMSG && r != -ENOMEM)
                        abort();
                if (r == -EBADMSG && (!error || !*error))
                        abort();
                free(error);
                return 0;
        }
        check_token(&t);

        /* Validation must answer for any clock and name without crashing. */
        static const time_t clocks[] = { 0, 1795000000, INT32_MAX, (time_t) 1 << 40 };
        for (size_t i = 0; i < ELEMENTSOF(clocks); i++) {
                r = cluster_token_validate(&t, i % 2 ? t.server_name : "node-7", clocks[i], &error);
                if (r < 0 && (!error || (r != -EKEYEXPIRED && r != -ESRCH)))
                        abort();
                free(error);
                error = NULL;
        }
        round_trip(&t);
        cluster_token_done(&t);
        return 0;
}
