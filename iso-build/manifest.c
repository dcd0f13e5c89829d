/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#define FORJA_CLEANUP_ARCHIVE
#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "config.h"
#include "fileio.h"
#include "json-out.h"
#include "manifest.h"
#include "util.h"

/* Whole-file and per-chunk SHA-256 in one pass. */
static int hash_chunks(const char *path, uint64_t chunk_size, json_object *chunks, uint64_t *ret_size, char ret_hex[65]) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        _cleanup_free_ char *buf = malloc(chunk_size);
        if (!buf)
                return -ENOMEM;
        Sha256 whole;
        int r = sha256_begin(&whole);
        if (r < 0)
                return r;
        uint64_t total = 0;
        for (;;) {
                size_t got = 0;
                while (got < chunk_size) {
                        ssize_t k = read(fd, buf + got, chunk_size - got);
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0) {
                                r = negative_errno();
                                goto fail;
                        }
                        if (k == 0)
                                break;
                        got += k;
                }
                if (got == 0)
                        break;
                Sha256 part;
                char hex[65];
                r = sha256_begin(&part);
                if (r >= 0)
                        r = sha256_update(&part, buf, got);
                if (r < 0) {
                        sha256_done(&part);
                        goto fail;
                }
                r = sha256_end_hex(&part, hex);
                if (r >= 0)
                        r = sha256_update(&whole, buf, got);
                if (r >= 0 && json_object_array_add(chunks, json_object_new_string(hex)) < 0)
                        r = -ENOMEM;
                if (r < 0)
                        goto fail;
                total += got;
                if (got < chunk_size)
                        break;
        }
        *ret_size = total;
        return sha256_end_hex(&whole, ret_hex);
fail:
        sha256_done(&whole);
        return r;
}

typedef struct TarStats {
        uint64_t entries, installed_size, hardlinks, xattr_entries, file_capabilities;
} TarStats;

static int read_tar_stats(const char *path, TarStats *ret) {
        _cleanup_archive_read_ struct archive *a = archive_read_new();
        if (!a)
                return -ENOMEM;
        archive_read_support_filter_all(a);
        archive_read_support_format_all(a);
        if (archive_read_open_filename(a, path, 1 << 20) != ARCHIVE_OK)
                return -EBADMSG;
        TarStats s = {};
        struct archive_entry *e;
        int k;
        while ((k = archive_read_next_header(a, &e)) == ARCHIVE_OK || k == ARCHIVE_WARN) {
                s.entries++;
                if (archive_entry_hardlink(e))
                        s.hardlinks++;
                else if (archive_entry_filetype(e) == AE_IFREG)
                        s.installed_size += archive_entry_size(e);
                if (archive_entry_xattr_reset(e) > 0) {
                        s.xattr_entries++;
                        const char *name;
                        const void *value;
                        size_t size;
                        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
                                if (streq(name, "security.capability"))
                                        s.file_capabilities++;
                }
                if (archive_read_data_skip(a) != ARCHIVE_OK)
                        return -EBADMSG;
        }
        if (k != ARCHIVE_EOF || s.entries == 0)
                return -EBADMSG;
        *ret = s;
        return 0;
}

static int add_packages(json_object *m, const char *tsv_path) {
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(tsv_path, 16 << 20, &text, NULL);
        if (r < 0)
                return r;
        json_object *list = json_object_new_array();
        if (!list)
                return -ENOMEM;
        r = json_add(m, "packages", list);
        if (r < 0)
                return r;
        int64_t sum_kib = 0;
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                char *version = strchr(line, '\t');
                if (!version)
                        return -EBADMSG;
                *version++ = 0;
                char *size = strchr(version, '\t');
                if (size)
                        *size++ = 0;
                int64_t kib = size && *size ? strtoll(size, NULL, 10) : 0;
                sum_kib += kib;
                json_object *p = json_object_new_object();
                if (!p || json_object_array_add(list, p) < 0)
                        return -ENOMEM;
                if (json_add_string(p, "name", line) < 0 || json_add_string(p, "version", version) < 0 ||
                    json_add_int(p, "installed_size_kib", kib) < 0)
                        return -ENOMEM;
        }
        return json_add_int(m, "packages_installed_size_kib", sum_kib);
}

int manifest_build(const ManifestInput *in, json_object **ret) {
        _cleanup_json_ json_object *m = json_object_new_object();
        json_object *chunks = json_object_new_array();
        if (!m || !chunks) {
                if (chunks)
                        json_object_put(chunks);
                return -ENOMEM;
        }
        uint64_t size = 0;
        char hex[65];
        int r = hash_chunks(in->tarball, in->chunk_size, chunks, &size, hex);
        if (r < 0) {
                json_object_put(chunks);
                return r;
        }
        TarStats st;
        r = read_tar_stats(in->tarball, &st);
        if (r < 0) {
                json_object_put(chunks);
                return r;
        }
        const char *base = strrchr(in->tarball, '/');
        base = base ? base + 1 : in->tarball;

        if (json_add_string(m, "format", "forja-node-image/1") < 0 ||
            json_add_string(m, "suite", in->suite) < 0 ||
            json_add_string(m, "architecture", "amd64") < 0 ||
            json_add_string(m, "forja_version", FORJA_VERSION) < 0 ||
            json_add_string(m, "file", base) < 0 ||
            json_add_string(m, "compression", "zstd") < 0 ||
            json_add_int(m, "size", (int64_t) size) < 0 ||
            json_add_string(m, "sha256", hex) < 0 ||
            json_add_int(m, "chunk_size", (int64_t) in->chunk_size) < 0 ||
            json_add(m, "chunks", chunks) < 0 ||
            json_add_int(m, "installed_size", (int64_t) st.installed_size) < 0 ||
            json_add_int(m, "entries", (int64_t) st.entries) < 0 ||
            json_add_int(m, "hardlinks", (int64_t) st.hardlinks) < 0 ||
            json_add_int(m, "xattr_entries", (int64_t) st.xattr_entries) < 0 ||
            json_add_int(m, "file_capabilities", (int64_t) st.file_capabilities) < 0)
                return -ENOMEM;
        if (in->packages_tsv) {
                r = add_packages(m, in->packages_tsv);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

int manifest_write(const ManifestInput *in, const char *json_path) {
        _cleanup_json_ json_object *m = NULL;
        int r = manifest_build(in, &m);
        if (r < 0)
                return r;
        const char *s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        _cleanup_free_ char *text = NULL;
        if (asprintf(&text, "%s\n", s) < 0)
                return -ENOMEM;
        return write_file_atomic(json_path, text, strlen(text), 0644);
}
