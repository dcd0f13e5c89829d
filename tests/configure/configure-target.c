/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test driver for installer/configure.h (tests/configure/test-configure.sh).
 *
 *   configure-target --root DIR --plan PLAN.json --answer ANSWER.toml
 *                    [--mount MOUNTPOINT:FSTYPE:UUID:OPTIONS:PASS]... [--log FILE] [--serial TTY]
 *                    [--argv-log FILE]
 *       runs configure_target(); OPTIONS may be empty (NULL: the default)
 *   configure-target --redact ANSWER.toml
 *       prints answer_redact() of the file
 *   configure-target --verify-shadow SHADOW PASSWORD
 *       checks root's hash in SHADOW is yescrypt and crypt() of PASSWORD gives it
 *
 * Exit 0 ok, 1 the call failed (message on stderr), 2 bad usage. */

#include <crypt.h>
#include <getopt.h>

#include "answer.h"
#include "configure.h"
#include "fileio.h"
#include "macro.h"
#include "spawn.h"

#define MAX_MOUNTS 16

static int parse_mount(char *spec, TargetMount *m) {
        char *f[5];
        for (size_t i = 0; i < 5; i++) {
                f[i] = strsep(&spec, ":");
                if (!f[i])
                        return -EINVAL;
        }
        *m = (TargetMount) { .mountpoint = f[0], .fstype = f[1], .uuid = f[2],
                             .options = *f[3] ? f[3] : NULL, .pass = atoi(f[4]) };
        return 0;
}

static int verify_shadow(const char *path, const char *password) {
        _cleanup_free_ char *data = NULL;
        if (read_full_file(path, 0, &data, NULL) < 0) {
                fprintf(stderr, "cannot read %s\n", path);
                return 1;
        }
        char *line = strstr(data, "root:");
        if (!line || (line != data && line[-1] != '\n')) {
                fprintf(stderr, "%s: no root line\n", path);
                return 1;
        }
        char *hash = line + 5;
        hash[strcspn(hash, ":")] = 0;
        if (!startswith(hash, "$y$")) {
                fprintf(stderr, "%s: root's hash '%s' is not yescrypt\n", path, hash);
                return 1;
        }
        struct crypt_data *cd = calloc(1, sizeof(*cd));
        if (!cd)
                return 1;
        const char *h = crypt_r(password, hash, cd);
        bool ok = h && streq(h, hash);
        free(cd);
        if (!ok) {
                fprintf(stderr, "%s: the password does not verify against root's hash\n", path);
                return 1;
        }
        return 0;
}

static int redact(const char *path) {
        _cleanup_free_ char *text = NULL, *out = NULL, *err = NULL;
        size_t size = 0, out_size = 0;
        if (read_full_file(path, 0, &text, &size) < 0)
                return 2;
        int r = answer_redact(text, size, &out, &out_size, &err);
        if (r < 0) {
                fprintf(stderr, "%s\n", err ?: strerror(-r));
                return 1;
        }
        fwrite(out, 1, out_size, stdout);
        return 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "plan", required_argument, NULL, 'p' },
                { "answer", required_argument, NULL, 'a' },
                { "mount", required_argument, NULL, 'm' },
                { "log", required_argument, NULL, 'l' },
                { "serial", required_argument, NULL, 's' },
                { "argv-log", required_argument, NULL, 'A' },
                { "redact", required_argument, NULL, 'R' },
                { "verify-shadow", required_argument, NULL, 'V' },
                {}
        };
        TargetMount mounts[MAX_MOUNTS];
        ConfigureInput in = { .mounts = mounts };
        const char *plan_path = NULL, *answer_path = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'r': in.root = optarg; break;
                case 'p': plan_path = optarg; break;
                case 'a': answer_path = optarg; break;
                case 'l': in.log_path = optarg; break;
                case 's': in.serial_console = optarg; break;
                case 'A': spawn_set_argv_log(optarg); break;
                case 'm':
                        if (in.n_mounts >= MAX_MOUNTS || parse_mount(optarg, &mounts[in.n_mounts]) < 0) {
                                fprintf(stderr, "bad --mount\n");
                                return 2;
                        }
                        in.n_mounts++;
                        break;
                case 'R': return redact(optarg);
                case 'V':
                        if (optind >= argc)
                                return 2;
                        return verify_shadow(optarg, argv[optind]);
                default: return 2;
                }
        if (!in.root || !plan_path || !answer_path) {
                fprintf(stderr, "--root, --plan and --answer are required\n");
                return 2;
        }

        _cleanup_free_ char *answer_text = NULL, *error = NULL;
        size_t answer_size = 0;
        if (read_full_file(answer_path, 0, &answer_text, &answer_size) < 0) {
                fprintf(stderr, "cannot read %s\n", answer_path);
                return 2;
        }
        AnswerDiags diags = {};
        _cleanup_answer_ Answer *answer = NULL;
        if (answer_parse(answer_text, answer_size, &answer, &diags) < 0) {
                answer_diags_print(stderr, answer_path, &diags);
                answer_diags_done(&diags);
                return 2;
        }
        answer_diags_done(&diags);

        json_object *plan = json_object_from_file(plan_path);
        if (!plan) {
                fprintf(stderr, "cannot read the plan %s\n", plan_path);
                return 2;
        }
        in.plan = plan;
        in.answer = answer;
        in.answer_text = answer_text;
        in.answer_size = answer_size;

        int r = configure_target(&in, &error);
        json_object_put(plan);
        if (r < 0) {
                fprintf(stderr, "configure failed (%s): %s\n", strerror(-r), error ?: "(no message)");
                return 1;
        }
        if (error) {
                fprintf(stderr, "configure succeeded but left a message: %s\n", error);
                return 1;
        }
        return 0;
}
