/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#define FORJA_CLEANUP_ARCHIVE
#include "cleanup-libs.h"
#include "source-tree.h"
#include "util.h"

typedef struct Packer {
        struct archive *tar;   /* NULL: hash only */
        Sha256 hash;
} Packer;

/* Generated files that do not belong to the source. */
static bool skip_entry(int parent_fd, const char *rel, const char *name, const struct stat *st) {
        static const char *const skipped[] = {
                ".git", "debian/.debhelper", "debian/forja", "debian/tmp", "debian/files",
                "debian/debhelper-build-stamp", "debian/forja.substvars", "debian/forja.debhelper.log",
        };
        for (size_t i = 0; i < ELEMENTSOF(skipped); i++)
                if (streq(rel, skipped[i]))
                        return true;
        size_t l = strlen(name);
        if (streq(name, "__pycache__") || startswith(name, "obj-") || (l > 0 && name[l - 1] == '~'))
                return true;
        if (S_ISDIR(st->st_mode)) {
                /* A meson build directory, wherever it is and whatever its name. */
                _cleanup_free_ char *mp = NULL;
                struct stat s;
                if (asprintf(&mp, "%s/meson-private", name) < 0)
                        return false;
                if (fstatat(parent_fd, mp, &s, 0) == 0 && S_ISDIR(s.st_mode))
                        return true;
        }
        return false;
}

/* Parts of the tree that cannot change what the package installs: they go
 * into the tar (meson needs tests/ to configure) but not into the hash, so
 * editing a test or a document does not rebuild the .deb and the images. */
static bool outside_package(const char *rel) {
        static const char *const tops[] = { "tests", "docs", "scripts", ".ci", "README.md" };
        for (size_t i = 0; i < ELEMENTSOF(tops); i++) {
                const char *rest = startswith(rel, tops[i]);
                if (rest && (*rest == 0 || *rest == '/'))
                        return true;
        }
        return false;
}

static int hash_record(Packer *p, const char *rel, const struct stat *st, const char *extra, size_t extra_len) {
        if (outside_package(rel))
                return 0;
        char head[64];
        int n = snprintf(head, sizeof(head), "%c%o %zu ", S_ISDIR(st->st_mode) ? 'd' : S_ISLNK(st->st_mode) ? 'l' : 'f',
                         (unsigned) (st->st_mode & 07777), extra_len);
        int r = sha256_update(&p->hash, head, n);
        if (r >= 0)
                r = sha256_update(&p->hash, rel, strlen(rel) + 1);
        if (r >= 0 && extra_len > 0)
                r = sha256_update(&p->hash, extra, extra_len);
        return r;
}

static int tar_header(Packer *p, const char *rel, const struct stat *st, const char *link) {
        if (!p->tar)
                return 0;
        struct archive_entry *e = archive_entry_new();
        if (!e)
                return -ENOMEM;
        archive_entry_set_pathname(e, rel);
        archive_entry_set_mode(e, st->st_mode);
        archive_entry_set_size(e, S_ISREG(st->st_mode) ? st->st_size : 0);
        archive_entry_set_mtime(e, st->st_mtime, 0);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        if (link)
                archive_entry_set_symlink(e, link);
        int r = archive_write_header(p->tar, e) == ARCHIVE_OK ? 0 : -EIO;
        archive_entry_free(e);
        return r;
}

static int pack_file(Packer *p, int dfd, const char *name, const char *rel, const struct stat *st) {
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        _cleanup_free_ char *data = malloc(st->st_size > 0 ? st->st_size : 1);
        if (!data)
                return -ENOMEM;
        size_t got = 0;
        while (got < (size_t) st->st_size) {
                ssize_t k = read(fd, data + got, st->st_size - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? negative_errno() : -EIO; /* the file shrank while we read */
                got += k;
        }
        int r = hash_record(p, rel, st, data, got);
        if (r >= 0)
                r = tar_header(p, rel, st, NULL);
        if (r >= 0 && p->tar && got > 0 && archive_write_data(p->tar, data, got) != (la_ssize_t) got)
                r = -EIO;
        return r;
}

static int pack_dir(Packer *p, int dfd, const char *rel) {
        struct dirent **list = NULL;
        /* Sorted, so the hash does not depend on directory order. */
        int n = scandirat(dfd, ".", &list, NULL, alphasort);
        if (n < 0)
                return negative_errno();

        int r = 0;
        for (int i = 0; i < n; i++) {
                const char *name = list[i]->d_name;
                if (r < 0 || streq(name, ".") || streq(name, ".."))
                        continue;
                _cleanup_free_ char *child = NULL;
                if (asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", name) < 0) {
                        r = -ENOMEM;
                        continue;
                }
                struct stat st;
                if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = negative_errno();
                        continue;
                }
                if (skip_entry(dfd, child, name, &st) || (!p->tar && outside_package(child)))
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        r = hash_record(p, child, &st, NULL, 0);
                        if (r >= 0)
                                r = tar_header(p, child, &st, NULL);
                        int cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (r >= 0 && cfd < 0)
                                r = negative_errno();
                        if (r >= 0)
                                r = pack_dir(p, cfd, child);
                        if (cfd >= 0)
                                close(cfd);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t k = readlinkat(dfd, name, target, sizeof(target) - 1);
                        if (k < 0) {
                                r = negative_errno();
                                continue;
                        }
                        target[k] = 0;
                        r = hash_record(p, child, &st, target, k);
                        if (r >= 0)
                                r = tar_header(p, child, &st, target);
                } else if (S_ISREG(st.st_mode))
                        r = pack_file(p, dfd, name, child, &st);
                /* sockets, fifos and devices are not source */
        }
        for (int i = 0; i < n; i++)
                free(list[i]);
        free(list);
        return r;
}

int source_tree_pack(const char *source_dir, const char *tar_path, char ret_hash[65]) {
        Packer p = {};
        _cleanup_archive_write_ struct archive *tar = NULL;
        int r;

        _cleanup_close_ int fd = open(source_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (tar_path) {
                tar = archive_write_new();
                if (!tar)
                        return -ENOMEM;
                if (archive_write_set_format_pax_restricted(tar) != ARCHIVE_OK ||
                    archive_write_open_filename(tar, tar_path) != ARCHIVE_OK)
                        return -EIO;
                p.tar = tar;
        }
        r = sha256_begin(&p.hash);
        if (r < 0)
                return r;
        r = pack_dir(&p, fd, "");
        if (r < 0) {
                sha256_done(&p.hash);
                return r;
        }
        if (tar && archive_write_close(tar) != ARCHIVE_OK) {
                sha256_done(&p.hash);
                return -EIO;
        }
        return sha256_end_hex(&p.hash, ret_hash);
}
