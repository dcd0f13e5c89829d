/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja iso inspect: what a forja ISO carries, read through libarchive's
 * ISO 9660 reader (Rock Ridge names) without mounting or extracting it: the
 * answer source (/forja-fetch.toml), the answer (/answer.toml, secrets
 * masked through the schema's list, answer_redact()), the first-boot hook,
 * the node image manifest and the versions. The secrets of both files are
 * never printed: the token is shown as "<redacted>". */

#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#define FORJA_CLEANUP_ARCHIVE
#define FORJA_CLEANUP_JSON
#include "answer.h"
#include "cleanup-libs.h"
#include "config.h"
#include "isobuild.h"
#include "json-out.h"
#include "log.h"
#include "source.h"
#include "strutil.h"

#define INSPECT_MAX_FILE (1u << 20)
#define REDACTED "<redacted>"

typedef struct IsoFiles {
        char *disk_info;        /* /.disk/info */
        char *fetch;            /* /forja-fetch.toml */
        size_t fetch_size;
        char *answer;           /* /answer.toml */
        size_t answer_size;
        char *manifest;         /* /node/node.manifest.json */
        bool first_boot;        /* /forja-first-boot */
} IsoFiles;

static void iso_files_done(IsoFiles *f) {
        if (f->fetch)
                explicit_bzero(f->fetch, f->fetch_size);
        if (f->answer)
                explicit_bzero(f->answer, f->answer_size);
        free(f->disk_info);
        free(f->fetch);
        free(f->answer);
        free(f->manifest);
        *f = (IsoFiles) {};
}

static int read_entry(struct archive *a, struct archive_entry *e, char **ret, size_t *ret_size) {
        la_int64_t n = archive_entry_size(e);
        if (n < 0 || n > INSPECT_MAX_FILE)
                return -EFBIG;
        char *buf = malloc((size_t) n + 1);
        if (!buf)
                return -ENOMEM;
        la_ssize_t got = n ? archive_read_data(a, buf, (size_t) n) : 0;
        if (got != n) {
                free(buf);
                return -EIO;
        }
        buf[n] = 0;
        *ret = buf;
        if (ret_size)
                *ret_size = (size_t) n;
        return 0;
}

/* -EBADMSG: not an ISO 9660 image; another -errno: unreadable. */
static int iso_files_read(const char *iso, IsoFiles *f, char **ret_error) {
        struct stat st;
        if (stat(iso, &st) < 0 || access(iso, R_OK) < 0) {
                int r = negative_errno();
                error_setf(ret_error, "%s: %s", iso, strerror(-r));
                return r;
        }
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
                error_setf(ret_error, "%s: not a file or a block device", iso);
                return -EBADMSG;
        }
        _cleanup_archive_read_ struct archive *a = archive_read_new();
        if (!a)
                return -ENOMEM;
        archive_read_support_format_iso9660(a);
        if (archive_read_open_filename(a, iso, 64 * 1024) != ARCHIVE_OK) {
                error_setf(ret_error, "%s: not an ISO 9660 image (%s)", iso, archive_error_string(a) ?: "unreadable");
                return -EBADMSG;
        }
        struct archive_entry *e;
        int r = 0, ar;
        while (r >= 0 && (ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e);
                while (name && (*name == '/' || startswith(name, "./")))
                        name += *name == '/' ? 1 : 2;
                if (!name)
                        continue;
                if (streq(name, ".disk/info"))
                        r = read_entry(a, e, &f->disk_info, NULL);
                else if (streq(name, ANSWER_MEDIUM_FETCH_FILE))
                        r = read_entry(a, e, &f->fetch, &f->fetch_size);
                else if (streq(name, "answer.toml"))
                        r = read_entry(a, e, &f->answer, &f->answer_size);
                else if (streq(name, "node/node.manifest.json"))
                        r = read_entry(a, e, &f->manifest, NULL);
                else if (streq(name, "forja-first-boot"))
                        f->first_boot = true;
                if (r < 0)
                        error_setf(ret_error, "%s: /%s: %s", iso, name, r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
        }
        if (r >= 0 && ar != ARCHIVE_EOF) {
                error_setf(ret_error, "%s: %s", iso, archive_error_string(a) ?: "cannot be read");
                r = archive_format(a) == ARCHIVE_FORMAT_ISO9660 || archive_format(a) == ARCHIVE_FORMAT_ISO9660_ROCKRIDGE ?
                    -EIO : -EBADMSG;
        }
        return r;
}

static json_object *fetch_json(const AnswerMediumFetch *m) {
        json_object *o = json_object_new_object();
        json_add_string(o, "fetch-from", answer_fetch_from_to_string(m->from));
        if (m->url)
                json_add_string(o, "url", m->url);
        if (m->fingerprint)
                json_add_string(o, "cert-fingerprint", m->fingerprint);
        if (m->token)
                json_add_string(o, "answer-auth-token", REDACTED);
        if (m->partition_label)
                json_add_string(o, "partition-label", m->partition_label);
        return o;
}

/* The manifest's summary: versions, package count, sizes. */
static json_object *manifest_summary(const char *text, char **ret_error) {
        _cleanup_json_ json_object *m = json_tokener_parse(text);
        if (!m || !json_object_is_type(m, json_type_object)) {
                error_setf(ret_error, "/node/node.manifest.json: not a JSON object");
                return NULL;
        }
        json_object *o = json_object_new_object(), *v;
        const char *strings[] = { "format", "forja_version", "suite", "architecture", "file" };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                if (json_object_object_get_ex(m, strings[i], &v) && json_object_is_type(v, json_type_string))
                        json_add_string(o, strings[i], json_object_get_string(v));
        const char *numbers[] = { "size", "installed_size", "entries" };
        for (size_t i = 0; i < ELEMENTSOF(numbers); i++)
                if (json_object_object_get_ex(m, numbers[i], &v) && json_object_is_type(v, json_type_int))
                        json_add_int(o, numbers[i], json_object_get_int64(v));
        if (json_object_object_get_ex(m, "packages", &v) && json_object_is_type(v, json_type_array))
                json_add_int(o, "packages", (int64_t) json_object_array_length(v));
        return o;
}

int iso_inspect(const char *iso, json_object **ret, char **ret_error) {
        _cleanup_(iso_files_done) IsoFiles f = {};
        int r = iso_files_read(iso, &f, ret_error);
        if (r < 0)
                return r;
        if (!f.disk_info && !f.manifest) {
                error_setf(ret_error, "%s: an ISO 9660 image, but not a forja medium (no /.disk/info, no /node/node.manifest.json)", iso);
                return -EBADMSG;
        }
        _cleanup_json_ json_object *o = json_object_new_object();
        json_add_string(o, "iso", iso);
        json_add_string(o, "forja_version", FORJA_VERSION);
        if (f.disk_info) {
                /* "forja VERSION SUITE ARCH" */
                f.disk_info[strcspn(f.disk_info, "\n")] = 0;
                json_add_string(o, "medium", f.disk_info);
        }
        if (f.fetch) {
                _cleanup_(answer_medium_fetch_done) AnswerMediumFetch m = {};
                r = answer_medium_fetch_parse("/" ANSWER_MEDIUM_FETCH_FILE, f.fetch, f.fetch_size, &m, ret_error);
                if (r < 0)
                        return r;
                json_add(o, "answer_source", fetch_json(&m));
        } else
                json_add_string(o, "answer_source", f.answer ? "answer.toml on the medium (no /forja-fetch.toml)" :
                                                               "none (a stock medium: the interactive installer)");
        if (f.answer) {
                _cleanup_free_ char *masked = NULL;
                r = answer_redact(f.answer, f.answer_size, &masked, NULL, ret_error);
                if (r < 0)
                        return r;
                json_add_string(o, "answer", masked);
        }
        json_add_bool(o, "first_boot_hook", f.first_boot);
        if (f.manifest) {
                json_object *s = manifest_summary(f.manifest, ret_error);
                if (!s)
                        return -EBADMSG;
                json_add(o, "node_image", s);
        }
        *ret = TAKE_PTR(o);
        return 0;
}
