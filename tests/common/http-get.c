/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test driver for common/http.c:
 *   http-get [--pin FP] [--attempts N] [--max-size N] [--token T] [--post DATA] [--timeout S] URL
 * Prints the body on stdout and "status=N attempts=N fingerprint=..." on stderr.
 * Exit 0 on success, else 10 + the errno of the failure (so tests can tell
 * ENOENT, EPERM, EFBIG... apart), the message on stderr. */

#include <getopt.h>

#include "http.h"
#include "log.h"

int main(int argc, char *argv[]) {
        HttpRequest req = { .backoff_ms = 100 };
        static const struct option options[] = {
                { "pin", required_argument, NULL, 'p' },
                { "attempts", required_argument, NULL, 'a' },
                { "max-size", required_argument, NULL, 'm' },
                { "token", required_argument, NULL, 't' },
                { "post", required_argument, NULL, 'P' },
                { "timeout", required_argument, NULL, 'T' },
                {}
        };
        int c;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'p': req.fingerprint = optarg; break;
                case 'a': req.attempts = (unsigned) atoi(optarg); break;
                case 'm': req.max_size = (size_t) atol(optarg); break;
                case 't': req.bearer_token = optarg; log_register_secret(optarg); break;
                case 'P': req.body = optarg; req.body_size = strlen(optarg); req.content_type = "application/json"; break;
                case 'T': req.timeout_sec = (unsigned) atoi(optarg); break;
                default: return 2;
                }
        if (optind + 1 != argc)
                return 2;
        req.url = argv[optind];

        HttpResponse resp = {};
        char *error = NULL;
        int r = http_request(&req, &resp, &error);
        fprintf(stderr, "status=%ld attempts=%u fingerprint=%s\n", resp.status, resp.attempts, resp.peer_fingerprint);
        if (r < 0) {
                fprintf(stderr, "error: %s\n", error ? error : strerror(-r));
                free(error);
                http_response_done(&resp);
                return 10 + -r;
        }
        fwrite(resp.body, 1, resp.size, stdout);
        http_response_done(&resp);
        return 0;
}
