/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja iso: the command line of the iso-build component. */

#include <getopt.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "isobuild.h"
#include "json-out.h"
#include "log.h"
#include "manifest.h"
#include "mirror.h"
#include "spawn.h"
#include "steps.h"
#include "verb.h"

static const char iso_usage[] =
        "Usage: forja iso build [--suite SUITE] [--mirror URL|FILE] [--answer FILE]\n"
        "                       [--cache-dir DIR] [--source DIR | --forja-deb FILE]\n"
        "                       [--pxe-url URL] [--pxe-answer URL] [--with-zfs]\n"
        "                       [--no-guest-images] -o ISO\n"
        "       forja iso prepare --answer FILE [--on-first-boot HOOK] --in ISO -o ISO\n"
        "       forja iso clean-cache [--cache-dir DIR]\n"
        "       forja iso manifest TARBALL [--packages TSV] [--suite SUITE] [--chunk-size BYTES]\n"
        "       forja iso mirror [--mirror URL|FILE] [--suite SUITE]\n"
        "\n"
        "Builds forja's hybrid installer ISO (BIOS and UEFI, Secure Boot, dd to USB)\n"
        "from Debian packages, and embeds answer files into an existing ISO.\n"
        "\n"
        "  build        build (or take from the cache) the forja .deb, the node image,\n"
        "               the installer environment, and write the ISO (needs root) and\n"
        "               the PXE artifacts in pxe/ beside it (docs/pxe.md)\n"
        "  prepare      copy an ISO with FILE embedded as /answer.toml (no rebuild);\n"
        "               the installer then runs unattended\n"
        "  clean-cache  remove forja's build cache entries\n"
        "  manifest     print the manifest JSON of a node image tarball\n"
        "  mirror       print the apt sources the images are built from\n"
        "\n"
        "Options:\n"
        "     --suite SUITE      Debian suite (default: trixie)\n"
        "     --mirror URL|FILE  Debian mirror URL, or an apt sources file (deb822 or\n"
        "                        one-line); default: /etc/apt/sources.list.d/debian.sources\n"
        "     --answer FILE      answer file put on the medium as /answer.toml\n"
        "     --cache-dir DIR    build cache (default: /var/cache/forja)\n"
        "     --source DIR       forja source tree to build the .deb from (default: the\n"
        "                        tree this forja was built from, when run from its build dir)\n"
        "     --forja-deb FILE   use this forja .deb instead of building one\n"
        "     --data-dir DIR     package lists, /init and GRUB templates\n"
        "     --in ISO           the ISO to copy (prepare)\n"
        "     --pxe-url URL      build: where the pxe/ directory written beside the ISO\n"
        "                        will be served over HTTP (default: the PXE server)\n"
        "     --pxe-answer URL   build: forja.answer= of the PXE boot (default:\n"
        "                        PXE-URL/answers/{mac}.toml)\n"
        "     --with-zfs         build: ZFS support (zfs-dkms from Debian's contrib,\n"
        "                        built for the image kernel and cached) in the node\n"
        "                        image and the installer, for disk-setup filesystem = \"zfs\"\n"
        "     --no-guest-images  build: leave out the built-in guest images forja/trixie\n"
        "                        (container) and forja/trixie-vm (VM) that nodes import\n"
        "                        at first boot for `incus launch` without internet\n"
        "     --on-first-boot HOOK  an executable for [first-boot] source = \"from-iso\",\n"
        "                        put on the medium as /forja-first-boot (prepare)\n"
        "  -o --output ISO      the ISO to write\n"
        "\n"
        "See forja-iso(8) and docs/iso-build.md.\n";

enum {
        ARG_SUITE = 0x100, ARG_MIRROR, ARG_ANSWER, ARG_CACHE_DIR, ARG_SOURCE, ARG_FORJA_DEB, ARG_DATA_DIR, ARG_IN,
        ARG_PACKAGES, ARG_CHUNK_SIZE, ARG_ON_FIRST_BOOT, ARG_PXE_URL, ARG_PXE_ANSWER, ARG_WITH_ZFS, ARG_NO_GUEST_IMAGES,
};

typedef struct IsoArgs {
        IsoBuildOptions build;
        const char *in;
        const char *on_first_boot;
        const char *packages;
        unsigned long long chunk_size;
        char **positional;
        int n_positional;
} IsoArgs;

static bool suite_valid(const char *s) {
        if (!*s || strlen(s) > 32)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
                        return false;
        return true;
}

/* Returns <0 on bad usage (logged), >0 to go on. */
static int parse_argv(int argc, char *argv[], IsoArgs *a) {
        static const struct option options[] = {
                { "suite", required_argument, NULL, ARG_SUITE },
                { "mirror", required_argument, NULL, ARG_MIRROR },
                { "answer", required_argument, NULL, ARG_ANSWER },
                { "cache-dir", required_argument, NULL, ARG_CACHE_DIR },
                { "source", required_argument, NULL, ARG_SOURCE },
                { "forja-deb", required_argument, NULL, ARG_FORJA_DEB },
                { "data-dir", required_argument, NULL, ARG_DATA_DIR },
                { "in", required_argument, NULL, ARG_IN },
                { "on-first-boot", required_argument, NULL, ARG_ON_FIRST_BOOT },
                { "packages", required_argument, NULL, ARG_PACKAGES },
                { "chunk-size", required_argument, NULL, ARG_CHUNK_SIZE },
                { "pxe-url", required_argument, NULL, ARG_PXE_URL },
                { "pxe-answer", required_argument, NULL, ARG_PXE_ANSWER },
                { "with-zfs", no_argument, NULL, ARG_WITH_ZFS },
                { "no-guest-images", no_argument, NULL, ARG_NO_GUEST_IMAGES },
                { "output", required_argument, NULL, 'o' },
                {}
        };
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":o:", options, NULL)) >= 0)
                switch (c) {
                case ARG_SUITE:
                        if (!suite_valid(optarg))
                                return log_error_errno(EINVAL, "iso: invalid --suite '%s'.", optarg);
                        a->build.suite = optarg;
                        break;
                case ARG_MIRROR:
                        a->build.mirror = optarg;
                        break;
                case ARG_ANSWER:
                        a->build.answer = optarg;
                        break;
                case ARG_CACHE_DIR:
                        a->build.cache_dir = optarg;
                        break;
                case ARG_SOURCE:
                        a->build.source_dir = optarg;
                        break;
                case ARG_FORJA_DEB:
                        a->build.forja_deb = optarg;
                        break;
                case ARG_DATA_DIR:
                        a->build.data_dir = optarg;
                        break;
                case ARG_ON_FIRST_BOOT:
                        a->on_first_boot = optarg;
                        break;
                case ARG_IN:
                        a->in = optarg;
                        break;
                case ARG_PXE_URL:
                case ARG_PXE_ANSWER:
                        if (!startswith(optarg, "http://") && !startswith(optarg, "https://"))
                                return log_error_errno(EINVAL, "iso: --%s takes an http:// or https:// URL, not '%s'.",
                                                       c == ARG_PXE_URL ? "pxe-url" : "pxe-answer", optarg);
                        *(c == ARG_PXE_URL ? &a->build.pxe_url : &a->build.pxe_answer) = optarg;
                        break;
                case ARG_PACKAGES:
                        a->packages = optarg;
                        break;
                case ARG_WITH_ZFS:
                        a->build.with_zfs = true;
                        break;
                case ARG_NO_GUEST_IMAGES:
                        a->build.no_guest_images = true;
                        break;
                case ARG_CHUNK_SIZE: {
                        char *end = NULL;
                        errno = 0;
                        a->chunk_size = strtoull(optarg, &end, 10);
                        if (errno || !end || *end || a->chunk_size < 4096 || a->chunk_size > (1ull << 30))
                                return log_error_errno(EINVAL, "iso: --chunk-size must be a byte count from 4096 to 1073741824, got '%s'.", optarg);
                        break;
                }
                case 'o':
                        a->build.output = optarg;
                        break;
                case ':':
                        return log_error_errno(EINVAL, "iso: option '%s' needs an argument.", argv[optind - 1]);
                default:
                        return log_error_errno(EINVAL, "iso: unknown option '%s'. See 'forja iso --help'.", argv[optind - 1]);
                }
        a->positional = argv + optind;
        a->n_positional = argc - optind;
        return 1;
}

/* Validates an answer file through `forja answer validate` when this forja
 * has that subcommand; otherwise only checks that it can be read. */
static int validate_answer(const char *path) {
        if (access(path, R_OK) < 0)
                return log_error_errno(errno, "Cannot read answer file '%s': %m", path);
        char *help[] = { (char *) "/proc/self/exe", (char *) "help", (char *) "answer", NULL };
        SpawnOptions quiet = { .quiet = true, .capture_stdout = true };
        SpawnResult res = {};
        if (spawn(help, &quiet, &res) < 0 || res.exit_status != 0) {
                spawn_result_done(&res);
                log_notice("This forja has no 'answer' subcommand: '%s' is embedded without validation.", path);
                return 0;
        }
        spawn_result_done(&res);
        char *validate[] = { (char *) "/proc/self/exe", (char *) "answer", (char *) "validate", (char *) path, NULL };
        SpawnOptions o = { .quiet = true, .capture_stdout = true };
        int r = spawn(validate, &o, &res);
        if (r < 0)
                return log_error_errno(r, "Failed to run forja answer validate: %m");
        int status = res.exit_status;
        if (status != 0) {
                if (res.out && *res.out)
                        fprintf(stderr, "%s\n", res.out);
                if (res.err && *res.err)
                        fprintf(stderr, "%s\n", res.err);
        }
        spawn_result_done(&res);
        if (status != 0)
                return log_error_errno(EINVAL, "Answer file '%s' is not valid; nothing was written.", path);
        return 0;
}

static int iso_cmd_build(IsoArgs *a) {
        if (a->n_positional > 0 || a->in || a->packages || a->chunk_size) {
                log_error("iso build: unexpected argument. See 'forja iso --help'.");
                return EXIT_BAD_INPUT;
        }
        if (!a->build.output) {
                log_error("iso build: the output ISO is missing (-o FILE).");
                return EXIT_BAD_INPUT;
        }
        if (a->build.source_dir && a->build.forja_deb) {
                log_error("iso build: --source and --forja-deb exclude each other.");
                return EXIT_BAD_INPUT;
        }
        if (a->build.answer && validate_answer(a->build.answer) < 0)
                return EXIT_BAD_INPUT;
        if (!a->build.forja_deb && !a->build.source_dir)
                a->build.source_dir = isobuild_default_source_dir();
        if (!a->build.forja_deb && !a->build.source_dir) {
                log_error("iso build: no forja source tree known; pass --source DIR or --forja-deb FILE.");
                return EXIT_BAD_INPUT;
        }
        return exit_code_for_error(iso_build(&a->build));
}

static int iso_cmd_prepare(IsoArgs *a) {
        if (a->n_positional > 0) {
                log_error("iso prepare: unexpected argument '%s'.", a->positional[0]);
                return EXIT_BAD_INPUT;
        }
        if (!a->build.answer || !a->in || !a->build.output) {
                log_error("iso prepare: --answer FILE, --in ISO and -o ISO are all needed.");
                return EXIT_BAD_INPUT;
        }
        if (access(a->in, R_OK) < 0) {
                log_error_errno(errno, "iso prepare: cannot read '%s': %m", a->in);
                return EXIT_BAD_INPUT;
        }
        if (a->on_first_boot && access(a->on_first_boot, R_OK) < 0) {
                log_error_errno(errno, "iso prepare: cannot read the first-boot hook '%s': %m", a->on_first_boot);
                return EXIT_BAD_INPUT;
        }
        if (validate_answer(a->build.answer) < 0)
                return EXIT_BAD_INPUT;
        return exit_code_for_error(iso_prepare(a->in, a->build.answer, a->on_first_boot, a->build.output));
}

static int iso_cmd_manifest(IsoArgs *a) {
        if (a->n_positional != 1) {
                log_error("iso manifest: exactly one TARBALL is needed.");
                return EXIT_BAD_INPUT;
        }
        ManifestInput in = {
                .tarball = a->positional[0],
                .packages_tsv = a->packages,
                .suite = a->build.suite,
                .chunk_size = a->chunk_size ?: NODE_CHUNK_SIZE,
        };
        _cleanup_json_ json_object *m = NULL;
        int r = manifest_build(&in, &m);
        if (r == -EBADMSG) {
                log_error("iso manifest: '%s' is not an archive libarchive can read completely.", in.tarball);
                return EXIT_BAD_INPUT;
        }
        if (r < 0) {
                log_error_errno(r, "iso manifest: failed to read '%s': %m", in.tarball);
                return EXIT_JOB_FAILED;
        }
        return json_print(stdout, m) < 0 ? EXIT_JOB_FAILED : EXIT_OK;
}

static int iso_cmd_mirror(IsoArgs *a) {
        Mirror m = {};
        _cleanup_strv_free_ char **lines = NULL;
        int r = mirror_resolve(a->build.mirror, &m);
        if (r < 0) {
                log_error_errno(r, "iso mirror: no Debian archive in '%s': %m", a->build.mirror ?: ISOBUILD_DEFAULT_SOURCES);
                return EXIT_BAD_INPUT;
        }
        r = mirror_source_lines(&m, a->build.suite, "main non-free-firmware", &lines);
        mirror_done(&m);
        if (r < 0)
                return log_oom(), EXIT_JOB_FAILED;
        for (char **l = lines; *l; l++)
                printf("%s\n", *l);
        return EXIT_OK;
}

static int verb_iso_run(int argc, char *argv[]) {
        if (argc < 2) {
                log_error("iso: a subcommand is needed (build, prepare, clean-cache, manifest, mirror).");
                return EXIT_BAD_INPUT;
        }
        const char *cmd = argv[1];
        IsoArgs a = { .build.suite = ISOBUILD_DEFAULT_SUITE };
        /* Options follow the subcommand: parse from argv[1] as getopt's argv[0]. */
        if (parse_argv(argc - 1, argv + 1, &a) < 0)
                return EXIT_BAD_INPUT;

        if (streq(cmd, "build"))
                return iso_cmd_build(&a);
        if (streq(cmd, "prepare"))
                return iso_cmd_prepare(&a);
        if (streq(cmd, "manifest"))
                return iso_cmd_manifest(&a);
        if (streq(cmd, "mirror"))
                return iso_cmd_mirror(&a);
        if (streq(cmd, "clean-cache")) {
                if (a.n_positional > 0) {
                        log_error("iso clean-cache: unexpected argument '%s'.", a.positional[0]);
                        return EXIT_BAD_INPUT;
                }
                return exit_code_for_error(iso_cache_clean(a.build.cache_dir));
        }
        log_error("iso: unknown subcommand '%s'. See 'forja iso --help'.", cmd);
        return EXIT_BAD_INPUT;
}

const Verb verb_iso = {
        .name = "iso",
        .run = verb_iso_run,
        .summary = "Build the installer ISO, embed answer files",
        .usage = iso_usage,
};
