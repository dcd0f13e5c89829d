/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja cluster token NAME...`: join tokens for a list of future members,
 * made on a cluster member, to write per-node answer files for a fleet. */

#include <getopt.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster-verbs.h"
#include "cluster.h"
#include "incus.h"
#include "json-out.h"
#include "log.h"

static const char cluster_usage[] =
        "Usage: forja cluster token [--socket PATH] [--json] NAME...\n"
        "\n"
        "Run on a member of an Incus cluster: asks the cluster for one join token per\n"
        "NAME (POST /1.0/cluster/members, like 'incus cluster add NAME') and prints\n"
        "\"NAME TOKEN\" lines, for [cluster] token in each node's answer file. A token\n"
        "only works for the server name it was made for, once, and expires\n"
        "(cluster.join_token_expiry, 3 hours by default).\n"
        "\n"
        "Options:\n"
        "     --socket PATH   incusd socket (default $INCUS_DIR/unix.socket, else\n"
        "                     " INCUS_DEFAULT_SOCKET ")\n"
        "     --json          JSON: [{\"server_name\", \"token\", \"expires_at\"}]\n";

static int make_token(IncusClient *c, const char *name, json_object *out_list, bool json) {
        _cleanup_json_ json_object *body = json_object_new_object(), *op = NULL;
        _cleanup_free_ char *err = NULL, *token = NULL;
        int r;

        if (!body || json_add_string(body, "server_name", name) < 0)
                return log_oom();
        r = incus_request(c, "POST", "/1.0/cluster/members", body, &op, NULL, &err);
        if (r < 0)
                return log_error_errno(r, "cluster token: making a token for '%s' failed: %s", name,
                                       err ?: strerror(-r));
        /* The token is assembled from the operation's metadata, as the incus
         * client does. */
        json_object *m = json_get(op, "metadata");
        json_object *addrs = json_get(m, "addresses");
        size_t n = addrs && json_object_is_type(addrs, json_type_array) ? json_object_array_length(addrs) : 0;
        _cleanup_strv_free_ char **list = calloc(n + 1, sizeof(char *));
        if (!list)
                return log_oom();
        for (size_t i = 0; i < n; i++)
                if (!(list[i] = strdup(strempty(json_object_get_string(json_object_array_get_idx(addrs, i))))))
                        return log_oom();
        const char *fp = json_get_string(m, "fingerprint"), *secret = json_get_string(m, "secret"),
                   *exp = json_get_string(m, "expiresAt");
        if (!fp || !secret || n == 0)
                return log_error_errno(EPROTO, "cluster token: incusd answered without fingerprint, secret or "
                                       "addresses for '%s'.", name);
        r = cluster_token_encode(name, fp, list, secret, exp, &token);
        if (r < 0)
                return log_oom();
        if (!json) {
                printf("%s %s\n", name, token);
                return 0;
        }
        json_object *e = json_object_new_object();
        if (!e || json_object_array_add(out_list, e) < 0 || json_add_string(e, "server_name", name) < 0 ||
            json_add_string(e, "token", token) < 0 || json_add_string(e, "expires_at", exp) < 0)
                return log_oom();
        return 0;
}

static int verb_cluster_run(int argc, char *argv[]) {
        enum { ARG_SOCKET = 0x100, ARG_JSON };
        static const struct option options[] = {
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "json", no_argument, NULL, ARG_JSON },
                {}
        };
        const char *socket = NULL;
        bool json = false;
        int c, r;

        if (argc < 2 || !streq(argv[1], "token")) {
                log_error("cluster: %s. See 'forja cluster --help'.",
                          argc < 2 ? "missing subcommand (token)" : "unknown subcommand, only 'token' exists");
                return EXIT_BAD_INPUT;
        }
        argc--, argv++;
        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_SOCKET: socket = optarg; break;
                case ARG_JSON: json = true; break;
                case ':':
                        log_error("cluster token: option '%s' needs an argument.", argv[optind - 1]);
                        return EXIT_BAD_INPUT;
                default:
                        log_error("cluster token: unknown option '%s'.", argv[optind - 1]);
                        return EXIT_BAD_INPUT;
                }
        if (optind >= argc) {
                log_error("cluster token: no server names given.");
                return EXIT_BAD_INPUT;
        }

        IncusClient client;
        if (incus_client_init(&client, socket) < 0)
                return log_oom(), EXIT_JOB_FAILED;
        _cleanup_json_ json_object *list = json_object_new_array();
        int ret = EXIT_OK;
        for (int i = optind; i < argc && list; i++) {
                r = make_token(&client, argv[i], list, json);
                if (r < 0)
                        ret = EXIT_JOB_FAILED;
        }
        incus_client_done(&client);
        if (!list)
                return log_oom(), EXIT_JOB_FAILED;
        if (json)
                json_print(stdout, list);
        return ret;
}

const Verb verb_cluster = {
        .name = "cluster",
        .run = verb_cluster_run,
        .summary = "Make Incus join tokens for future cluster members",
        .usage = cluster_usage,
};
