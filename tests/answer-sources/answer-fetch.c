/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test driver for answers/source.c:
 *   answer-fetch --hardware H.json [--cmdline STR] [--medium DIR] [--scan] [--device DEV]...
 *                [--dry-run] [--post-body]
 * --device limits partition probing to the given devices (tests never probe host disks).
 * Prints "source: ...", "location: ..." and the answer; --post-body prints the
 * system-info JSON instead. Exit 0, or 10 + errno with the error on stderr. */

#include <getopt.h>

#include "hardware.h"
#include "macro.h"
#include "json-out.h"
#include "source.h"

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "hardware", required_argument, NULL, 'h' },
                { "cmdline", required_argument, NULL, 'c' },
                { "medium", required_argument, NULL, 'm' },
                { "scan", no_argument, NULL, 's' },
                { "dry-run", no_argument, NULL, 'd' },
                { "post-body", no_argument, NULL, 'p' },
                { "device", required_argument, NULL, 'D' },
                {}
        };
        AnswerFetchOptions o = { .attempts = 3, .backoff_ms = 100, .cmdline = "" };
        const char *hw_path = NULL;
        bool post_body = false;
        char *devices[8] = {};
        size_t n_devices = 0;
        int c;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'h': hw_path = optarg; break;
                case 'c': o.cmdline = optarg; break;
                case 'm': o.medium_dir = optarg; break;
                case 's': o.scan_partitions = true; break;
                case 'd': o.dry_run = true; break;
                case 'p': post_body = true; break;
                case 'D':
                        if (n_devices + 1 < ELEMENTSOF(devices))
                                devices[n_devices++] = optarg;
                        o.scan_devices = devices;
                        break;
                default: return 2;
                }
        Hardware *hw = NULL;
        char *error = NULL;
        if (!hw_path || hardware_load_json(hw_path, &hw, &error) < 0) {
                fprintf(stderr, "cannot load hardware: %s\n", error ? error : "(no --hardware)");
                return 2;
        }
        if (post_body) {
                json_object *j = answer_system_info_json(hw);
                json_print(stdout, j);
                json_object_put(j);
                hardware_free(hw);
                return 0;
        }
        AnswerFetched f = {};
        int r = answer_fetch(&o, hw, &f, &error);
        hardware_free(hw);
        if (r < 0) {
                fprintf(stderr, "error: %s\n", error ? error : strerror(-r));
                free(error);
                return 10 + -r;
        }
        printf("source: %s\nlocation: %s\n", f.source, f.location ? f.location : "-");
        if (f.data)
                fputs(f.data, stdout);
        answer_fetched_done(&f);
        return 0;
}
