/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja image extract`: the installer's extractor on its own. It lays a node
 * image onto a directory exactly as the install's "image" stage does (chunk
 * hashes from the manifest checked as the stream goes by, syncfs at the end)
 * and prints what it did and how fast, so it can be used by hand and by the
 * benchmark in bench/. */

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "extract.h"
#include "image-manifest.h"
#include "json-out.h"
#include "log.h"
#include "strutil.h"
#include "verb.h"

static const char image_usage[] =
        "Usage: forja image extract [--manifest FILE | --no-verify] [--no-sync] [--json]\n"
        "                           IMAGE DIR\n"
        "\n"
        "Lays a node image (node.tar.zst) onto the directory DIR the way `forja install`\n"
        "does: owners, modes, xattrs, ACLs, file capabilities and hard links kept,\n"
        "unsafe paths refused, every chunk of the compressed stream checked against\n"
        "its SHA-256 in the manifest before it is unpacked, and the file system of DIR\n"
        "synced at the end. Prints entries, bytes, time and throughput.\n"
        "\n"
        "Options:\n"
        "     --manifest FILE  the image's manifest (default: IMAGE with .tar.zst\n"
        "                      replaced by .manifest.json)\n"
        "     --no-verify      extract without a manifest (no hash checks)\n"
        "     --no-sync        do not syncfs() DIR's file system at the end\n"
        "     --json           print the figures as JSON\n"
        "  -h --help           show this help\n"
        "\n"
        "See forja-image(8).\n";

typedef struct ImageArgs {
        const char *image;
        const char *target;
        const char *manifest;
        bool verify;
        bool sync;
        bool json;
} ImageArgs;

/* Returns 0, or -EINVAL with the problem in ret_error (file and key named). */
static int manifest_load(const char *path, ImageManifest *ret, char **ret_error) {
        _cleanup_json_ json_object *m = json_object_from_file(path);
        if (!m)
                return error_setf(ret_error, "%s: not readable as JSON", path), -EINVAL;
        _cleanup_free_ char *why = NULL;
        int r = image_manifest_parse(m, ret, &why);
        if (r == -EINVAL)
                error_setf(ret_error, "%s: %s", path, why);
        return r;
}

/* node.tar.zst -> node.manifest.json beside it (the ISO's layout). */
static char *manifest_beside(const char *image) {
        const char *base = strrchr(image, '/');
        base = base ? base + 1 : image;
        const char *dot = strchr(base, '.');
        size_t stem = dot ? (size_t) (dot - image) : strlen(image);
        char *p = NULL;
        if (asprintf(&p, "%.*s.manifest.json", (int) stem, image) < 0)
                return NULL;
        return p;
}

enum { ARG_MANIFEST = 0x100, ARG_NO_VERIFY, ARG_NO_SYNC, ARG_JSON };

/* Returns 0 to go on, 1 when --help was printed, -EINVAL on bad usage (logged). */
static int parse_argv(int argc, char *argv[], ImageArgs *a) {
        static const struct option options[] = {
                { "manifest", required_argument, NULL, ARG_MANIFEST },
                { "no-verify", no_argument, NULL, ARG_NO_VERIFY },
                { "no-sync", no_argument, NULL, ARG_NO_SYNC },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;
        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case ARG_MANIFEST: a->manifest = optarg; break;
                case ARG_NO_VERIFY: a->verify = false; break;
                case ARG_NO_SYNC: a->sync = false; break;
                case ARG_JSON: a->json = true; break;
                case 'h':
                        fputs(image_usage, stdout);
                        return 1;
                case ':':
                        return log_error_errno(EINVAL, "image: option '%s' needs an argument.", argv[optind - 1]);
                default:
                        return log_error_errno(EINVAL, "image: unknown option '%s'. See 'forja image --help'.", argv[optind - 1]);
                }

        if (argc - optind != 2)
                return log_error_errno(EINVAL, "image extract: exactly IMAGE and DIR are needed. See 'forja image --help'.");
        if (a->manifest && !a->verify)
                return log_error_errno(EINVAL, "image extract: --manifest and --no-verify exclude each other.");
        a->image = argv[optind];
        a->target = argv[optind + 1];
        return 0;
}

static uint64_t now_usec_monotonic(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void print_figures(const ImageArgs *a, const ExtractStats *st, uint64_t usec) {
        struct rusage ru = {};
        (void) getrusage(RUSAGE_SELF, &ru);
        double seconds = usec / 1e6;
        double mbps = seconds > 0 ? st->data_bytes / 1e6 / seconds : 0;
        double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

        if (!a->json) {
                printf("Extracted %" PRIu64 " entries, %" PRIu64 " bytes of file data from %" PRIu64 " compressed bytes\n"
                       "in %.2f s (%.1f MB/s of file data, %.1f MB/s compressed), CPU %.2f s, peak RSS %ld KiB%s%s.\n",
                       st->entries, st->data_bytes, st->compressed_bytes, seconds, mbps,
                       seconds > 0 ? st->compressed_bytes / 1e6 / seconds : 0, cpu, ru.ru_maxrss,
                       a->verify ? ", chunks verified" : ", NOT verified", a->sync ? ", synced" : "");
                return;
        }
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o || json_add_string(o, "image", a->image) < 0 || json_add_string(o, "target", a->target) < 0 ||
            json_add_int(o, "entries", (int64_t) st->entries) < 0 ||
            json_add_int(o, "data_bytes", (int64_t) st->data_bytes) < 0 ||
            json_add_int(o, "compressed_bytes", (int64_t) st->compressed_bytes) < 0 ||
            json_add(o, "seconds", json_object_new_double(seconds)) < 0 ||
            json_add(o, "mb_per_s", json_object_new_double(mbps)) < 0 ||
            json_add(o, "cpu_seconds", json_object_new_double(cpu)) < 0 ||
            json_add_int(o, "peak_rss_kib", ru.ru_maxrss) < 0 ||
            json_add_bool(o, "verified", a->verify) < 0 || json_add_bool(o, "synced", a->sync) < 0) {
                log_oom();
                return;
        }
        json_print(stdout, o);
}

static int image_extract_cmd(const ImageArgs *a) {
        _cleanup_(image_manifest_done) ImageManifest m = {};
        _cleanup_free_ char *manifest_default = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        if (a->verify) {
                const char *path = a->manifest;
                if (!path) {
                        path = manifest_default = manifest_beside(a->image);
                        if (!path)
                                return log_oom(), EXIT_JOB_FAILED;
                        if (access(path, F_OK) < 0) {
                                log_error("image extract: no manifest %s beside the image: give --manifest FILE, or --no-verify.", path);
                                return EXIT_BAD_INPUT;
                        }
                }
                r = manifest_load(path, &m, &error);
                if (r == -ENOMEM)
                        return log_oom(), EXIT_JOB_FAILED;
                if (r < 0) {
                        log_error("image extract: manifest %s", error);
                        return EXIT_BAD_INPUT;
                }
        }

        _cleanup_close_ int fd = open(a->image, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                log_error_errno(errno, "image extract: cannot open %s: %m", a->image);
                return EXIT_BAD_INPUT;
        }
        struct stat s;
        if (stat(a->target, &s) < 0 || !S_ISDIR(s.st_mode)) {
                log_error("image extract: %s is not a directory.", a->target);
                return EXIT_BAD_INPUT;
        }
        if (a->verify && fstat(fd, &s) == 0 && S_ISREG(s.st_mode) && (uint64_t) s.st_size != m.chunks.total_size) {
                log_error("image extract: %s is %" PRIu64 " bytes, its manifest says %" PRIu64 ": nothing was written.",
                          a->image, (uint64_t) s.st_size, m.chunks.total_size);
                return EXIT_JOB_FAILED;
        }

        ExtractOptions o = { .chunks = a->verify ? &m.chunks : NULL, .sync = a->sync };
        ExtractStats st = {};
        uint64_t t0 = now_usec_monotonic();
        r = image_extract_fd(fd, a->target, &o, &st, &error);
        uint64_t usec = now_usec_monotonic() - t0;
        if (r < 0) {
                log_error_errno(r, "image extract: %s onto %s: %s", a->image, a->target, error ?: strerror(-r));
                return EXIT_JOB_FAILED;
        }
        print_figures(a, &st, usec);
        return EXIT_OK;
}

static int verb_image_run(int argc, char *argv[]) {
        if (argc >= 2 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
                fputs(image_usage, stdout);
                return EXIT_OK;
        }
        if (argc < 2) {
                log_error("image: a subcommand is needed (extract). See 'forja image --help'.");
                return EXIT_BAD_INPUT;
        }
        if (!streq(argv[1], "extract")) {
                log_error("image: unknown subcommand '%s'. See 'forja image --help'.", argv[1]);
                return EXIT_BAD_INPUT;
        }
        ImageArgs a = { .verify = true, .sync = true };
        /* Options follow the subcommand: parse from argv[1] as getopt's argv[0]. */
        int r = parse_argv(argc - 1, argv + 1, &a);
        if (r < 0)
                return EXIT_BAD_INPUT;
        if (r > 0)
                return EXIT_OK;
        return image_extract_cmd(&a);
}

const Verb verb_image = {
        .name = "image",
        .run = verb_image_run,
        .summary = "Lay a node image onto a directory, verified, with figures",
        .usage = image_usage,
};
