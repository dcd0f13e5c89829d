/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja iso: the command line of the iso-build component. */

#include <getopt.h>

#define FORJA_CLEANUP_JSON
#include "answer.h"
#include "cleanup-libs.h"
#include "fileio.h"
#include "http.h"
#include "isobuild.h"
#include "json-out.h"
#include "log.h"
#include "manifest.h"
#include "mirror.h"
#include "source.h"
#include "spawn.h"
#include "steps.h"
#include "strutil.h"
#include "verb.h"

static const char iso_usage[] =
        "Usage: forja iso build [--suite SUITE] [--mirror URL|FILE] [--answer FILE]\n"
        "                       [--cache-dir DIR] [--source DIR | --forja-deb FILE]\n"
        "                       [--pxe-url URL] [--pxe-answer URL] [--with-zfs]\n"
        "                       [--no-guest-images] -o ISO\n"
        "       forja iso prepare [--fetch-from iso] --answer FILE [--on-first-boot HOOK]\n"
        "                         --in ISO -o ISO\n"
        "       forja iso prepare --fetch-from http [--url URL] [--cert-fingerprint FP]\n"
        "                         [--answer-auth-token TOKEN] [--on-first-boot HOOK]\n"
        "                         --in ISO -o ISO\n"
        "       forja iso prepare --fetch-from partition [--partition-label LABEL]\n"
        "                         [--on-first-boot HOOK] --in ISO -o ISO\n"
        "       forja iso inspect ISO [--json]\n"
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
        "  prepare      copy an ISO with its answer source on it (no rebuild): FILE\n"
        "               embedded as /answer.toml (--fetch-from iso, the default), or\n"
        "               the answer fetched over HTTP(S) (--fetch-from http): from URL,\n"
        "               or without --url from the URL a DHCP server (option 250) or\n"
        "               DNS (TXT proxmox-auto-installer.DOMAIN) names, or answer.toml\n"
        "               read from the partition labelled LABEL (--fetch-from partition);\n"
        "               the installer then runs unattended\n"
        "  inspect      show an ISO's answer source, its answer (secrets masked), its\n"
        "               node image and versions\n"
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
        "     --fetch-from iso|http|partition  prepare: where the installer takes its\n"
        "                        answer\n"
        "     --partition-label LABEL  prepare, partition: the answer partition's\n"
        "                        label, tried as given, upper, lower case (default:\n"
        "                        proxmox-ais)\n"
        "     --json             inspect: print JSON\n"
        "     --url URL          prepare, http: the answer server (placeholders {mac}\n"
        "                        {serial} {uuid} {hostname}); none: DHCP/DNS discovery\n"
        "     --cert-fingerprint FP  prepare, http: the server certificate's SHA-256\n"
        "     --answer-auth-token TOKEN  prepare, http: sent as a bearer token\n"
        "                        (on the medium in plaintext)\n"
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
        ARG_FETCH_FROM, ARG_URL, ARG_CERT_FINGERPRINT, ARG_ANSWER_AUTH_TOKEN, ARG_PARTITION_LABEL, ARG_JSON,
};

typedef struct IsoArgs {
        IsoBuildOptions build;
        const char *in;
        const char *on_first_boot;
        AnswerFetchFrom fetch_from;     /* --fetch-from; NONE: not given */
        const char *url, *cert_fingerprint, *answer_auth_token;
        const char *partition_label;
        bool json;
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
                { "fetch-from", required_argument, NULL, ARG_FETCH_FROM },
                { "url", required_argument, NULL, ARG_URL },
                { "cert-fingerprint", required_argument, NULL, ARG_CERT_FINGERPRINT },
                { "answer-auth-token", required_argument, NULL, ARG_ANSWER_AUTH_TOKEN },
                { "partition-label", required_argument, NULL, ARG_PARTITION_LABEL },
                { "json", no_argument, NULL, ARG_JSON },
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
                case ARG_FETCH_FROM:
                        if (answer_fetch_from_from_string(optarg, &a->fetch_from) < 0)
                                return log_error_errno(EINVAL, "iso: --fetch-from takes iso, http or partition, not '%s'.", optarg);
                        break;
                case ARG_PARTITION_LABEL:
                        if (!answer_partition_label_valid(optarg))
                                return log_error_errno(EINVAL, "iso: --partition-label takes 1 to 255 printable characters without '/', not '%s'.",
                                                       optarg);
                        a->partition_label = optarg;
                        break;
                case ARG_JSON:
                        a->json = true;
                        break;
                case ARG_URL:
                        a->url = optarg;
                        break;
                case ARG_CERT_FINGERPRINT:
                        a->cert_fingerprint = optarg;
                        break;
                case ARG_ANSWER_AUTH_TOKEN:
                        a->answer_auth_token = optarg;
                        (void) log_register_secret(optarg);
                        break;
                case ARG_NO_GUEST_IMAGES:
                        a->build.no_guest_images = true;
                        break;
                case ARG_CHUNK_SIZE: {
                        char *end = NULL;
                        errno = 0;
                        a->chunk_size = strtoull(optarg, &end, 10);
                        /* at most what the installer's readers accept (IMAGE_MAX_CHUNK_SIZE) */
                        if (errno || !end || *end || a->chunk_size < 4096 || a->chunk_size > (16ull << 20))
                                return log_error_errno(EINVAL, "iso: --chunk-size must be a byte count from 4096 to 16777216, got '%s'.", optarg);
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

/* Item of the security review: the answer (and the token) go onto the medium
 * in plaintext, readable by anyone with a copy of it. Names the keys, never
 * the values. */
static void warn_plaintext_secrets(const char *verb, const char *answer, const char *token) {
        const char *keys[ANSWER_PLAINTEXT_SECRETS_MAX] = {};
        size_t n = 0;
        _cleanup_free_ char *text = NULL, *list = NULL;
        size_t size = 0;
        if (answer && read_full_file(answer, 1u << 20, &text, &size) >= 0) {
                _cleanup_(answer_diags_done) AnswerDiags d = {};
                _cleanup_answer_ Answer *parsed = NULL;
                if (answer_parse(text, size, &parsed, &d) >= 0)
                        n = answer_plaintext_secrets(parsed, keys);
                explicit_bzero(text, size);
        }
        for (size_t i = 0; i < n; i++)
                (void) strextendf_with_separator(&list, ", ", "%s", keys[i]);
        if (token)
                (void) strextendf_with_separator(&list, ", ", "answer-auth-token (--answer-auth-token)");
        if (list)
                log_warning("%s: the medium will hold these secrets in plaintext, readable by anyone with a copy "
                            "of the ISO or the stick: %s. See SECRETS ON THE MEDIUM in forja-iso(8).", verb, list);
}

static int iso_cmd_build(IsoArgs *a) {
        if (a->n_positional > 0 || a->in || a->packages || a->chunk_size || a->fetch_from || a->url ||
            a->cert_fingerprint || a->answer_auth_token || a->partition_label || a->json) {
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
        warn_plaintext_secrets("iso build", a->build.answer, NULL);
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
        /* Proxmox's prepare-iso checks: the http options only in http mode. */
        const struct { const char *name, *value; } http_only[] = {
                { "--url", a->url }, { "--cert-fingerprint", a->cert_fingerprint },
                { "--answer-auth-token", a->answer_auth_token },
        };
        if (a->fetch_from == ANSWER_FETCH_FROM_NONE && a->build.answer)
                a->fetch_from = ANSWER_FETCH_FROM_ISO;
        for (size_t i = 0; i < ELEMENTSOF(http_only); i++)
                if (http_only[i].value && a->fetch_from != ANSWER_FETCH_FROM_HTTP) {
                        log_error("iso prepare: %s goes only with --fetch-from http.", http_only[i].name);
                        return EXIT_BAD_INPUT;
                }
        if (a->partition_label && a->fetch_from != ANSWER_FETCH_FROM_PARTITION) {
                log_error("iso prepare: --partition-label goes only with --fetch-from partition.");
                return EXIT_BAD_INPUT;
        }
        if (a->json) {
                log_error("iso prepare: --json goes only with iso inspect.");
                return EXIT_BAD_INPUT;
        }
        switch (a->fetch_from) {
        case ANSWER_FETCH_FROM_NONE:
                log_error("iso prepare: the answer source is missing: --answer FILE, --fetch-from http or --fetch-from partition.");
                return EXIT_BAD_INPUT;
        case ANSWER_FETCH_FROM_ISO:
                if (!a->build.answer) {
                        log_error("iso prepare: --fetch-from iso needs --answer FILE.");
                        return EXIT_BAD_INPUT;
                }
                break;
        case ANSWER_FETCH_FROM_HTTP: {
                char norm[96];
                if (a->build.answer) {
                        log_error("iso prepare: --answer FILE is not with --fetch-from http (the answer comes from the server).");
                        return EXIT_BAD_INPUT;
                }
                if (a->url && !startswith(a->url, "http://") && !startswith(a->url, "https://")) {
                        log_error("iso prepare: --url takes an http:// or https:// URL, not '%s'.", a->url);
                        return EXIT_BAD_INPUT;
                }
                if (a->cert_fingerprint && http_normalize_fingerprint(a->cert_fingerprint, norm) < 0) {
                        log_error("iso prepare: --cert-fingerprint %s: expected a SHA-256 fingerprint (64 hex digits, colons allowed).",
                                  a->cert_fingerprint);
                        return EXIT_BAD_INPUT;
                }
                /* A pin or a token never travels with a plain-http URL. */
                if (a->url && startswith(a->url, "http://") && (a->cert_fingerprint || a->answer_auth_token)) {
                        log_error("iso prepare: %s cannot protect a plain http URL; use https://.",
                                  a->cert_fingerprint ? "--cert-fingerprint" : "--answer-auth-token");
                        return EXIT_BAD_INPUT;
                }
                break;
        }
        case ANSWER_FETCH_FROM_PARTITION:
                if (a->build.answer) {
                        log_error("iso prepare: --answer FILE is not with --fetch-from partition (the answer is on the partition).");
                        return EXIT_BAD_INPUT;
                }
                break;
        }
        if (!a->in || !a->build.output) {
                log_error("iso prepare: --in ISO and -o ISO are both needed.");
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
        if (a->build.answer && validate_answer(a->build.answer) < 0)
                return EXIT_BAD_INPUT;
        AnswerMediumFetch m = {
                .from = a->fetch_from,
                .url = (char *) a->url,
                .fingerprint = (char *) a->cert_fingerprint,
                .token = (char *) a->answer_auth_token,
                .partition_label = a->fetch_from == ANSWER_FETCH_FROM_PARTITION ?
                                   (char *) (a->partition_label ?: ANSWER_PARTITION_LABEL_DEFAULT) : NULL,
        };
        _cleanup_free_ char *fetch_text = NULL;
        if (answer_medium_fetch_format(&m, &fetch_text) < 0)
                return log_oom(), EXIT_JOB_FAILED;
        warn_plaintext_secrets("iso prepare", a->build.answer, a->answer_auth_token);
        int r = iso_prepare(a->in, a->build.answer, fetch_text, a->on_first_boot, a->build.output);
        explicit_bzero(fetch_text, strlen(fetch_text));
        return exit_code_for_error(r);
}

static void print_json_field(json_object *o, const char *key, const char *title) {
        json_object *v = json_get(o, key);
        if (v)
                printf("%-16s %s\n", title, json_object_get_string(v));
}

static int iso_cmd_inspect(IsoArgs *a) {
        if (a->n_positional != 1) {
                log_error("iso inspect: exactly one ISO is needed.");
                return EXIT_BAD_INPUT;
        }
        if (a->in || a->build.output || a->build.answer || a->fetch_from || a->url || a->cert_fingerprint ||
            a->answer_auth_token || a->partition_label || a->on_first_boot || a->packages || a->chunk_size) {
                log_error("iso inspect: only --json goes with it. See 'forja iso --help'.");
                return EXIT_BAD_INPUT;
        }
        const char *iso = a->positional[0];
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *error = NULL;
        int r = iso_inspect(iso, &o, &error);
        if (r == -ENOMEM)
                return log_oom(), EXIT_JOB_FAILED;
        if (r < 0) {
                log_error("iso inspect: %s", error ?: strerror(-r));
                return EXIT_BAD_INPUT;
        }
        if (a->json)
                return json_print(stdout, o) < 0 ? EXIT_JOB_FAILED : EXIT_OK;

        print_json_field(o, "iso", "ISO:");
        print_json_field(o, "medium", "Medium:");
        json_object *img = json_get(o, "node_image"), *src = json_get(o, "answer_source");
        if (img) {
                const char *keys[] = { "forja_version", "suite", "architecture", "packages", "size", "installed_size" };
                const char *v[ELEMENTSOF(keys)];
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        v[i] = json_get(img, keys[i]) ? json_object_get_string(json_get(img, keys[i])) : "?";
                printf("%-16s forja %s, %s %s, %s packages, %s bytes (%s installed)\n", "Node image:",
                       v[0], v[1], v[2], v[3], v[4], v[5]);
        }
        print_json_field(o, "forja_version", "Inspected by:");
        if (src && json_object_is_type(src, json_type_object)) {
                const char *title = "Answer source:";
                json_object_object_foreach(src, key, val) {
                        printf("%-16s %s = %s\n", title, key, json_object_get_string(val));
                        title = "";
                }
        } else
                print_json_field(o, "answer_source", "Answer source:");
        printf("%-16s %s\n", "First-boot hook:", json_object_get_boolean(json_get(o, "first_boot_hook")) ?
                                                      "/forja-first-boot" : "none");
        json_object *answer = json_get(o, "answer");
        if (answer)
                printf("Answer (/answer.toml, secrets masked):\n%s", json_object_get_string(answer));
        else
                printf("%-16s none\n", "Answer:");
        return EXIT_OK;
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
                log_error("iso: a subcommand is needed (build, prepare, inspect, clean-cache, manifest, mirror).");
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
        if (streq(cmd, "inspect"))
                return iso_cmd_inspect(&a);
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
