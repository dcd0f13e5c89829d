/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The extractor's own disk writer (extract-write.h). Per regular file it costs
 * an openat, the writes, fchown, futimens and close (fchmod and fsetxattr only
 * where needed); libarchive's writer spent about twenty calls per entry
 * (repeated lstat of every path component, umask, open/close pairs). */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#include "extract-write.h"
#include "macro.h"
#include "strutil.h"

/* Normalizes an archive path into out (at least strlen(p) + 1 bytes): drops
 * "." components, repeated and trailing slashes. Returns its length, 0 for
 * the top directory, or -EINVAL for an absolute path or a ".." component. */
static ssize_t normalize_path(const char *p, char *out) {
        if (!p || *p == '/')
                return -EINVAL;
        size_t n = 0;
        while (*p) {
                const char *end = strchrnul(p, '/');
                size_t len = end - p;
                if (len == 2 && p[0] == '.' && p[1] == '.')
                        return -EINVAL;
                if (len > 0 && !(len == 1 && p[0] == '.')) {
                        if (n > 0)
                                out[n++] = '/';
                        memcpy(out + n, p, len);
                        n += len;
                }
                p = *end ? end + 1 : end;
        }
        out[n] = 0;
        return n;
}

/* POSIX ACLs travel as ACL records (SCHILY.acl.*), which libarchive's writer
 * restores; as xattrs (how some tools also store them, and how XFS shows
 * them to root) they are left out, as libarchive's writer and GNU tar leave
 * them out, so every extractor lays down the same tree. */
static bool xattr_is_skipped(const char *name) {
        return streq(name, "system.posix_acl_access") || streq(name, "system.posix_acl_default") ||
                streq(name, "trusted.SGI_ACL_FILE") || streq(name, "trusted.SGI_ACL_DEFAULT");
}

static bool needs_fallback(struct archive_entry *e, size_t n_xattrs) {
        mode_t type = archive_entry_filetype(e);
        unsigned long set = 0, clear = 0;

        archive_entry_fflags(e, &set, &clear);
        if (set != 0 || clear != 0)
                return true;
        if (archive_entry_acl_count(e, ARCHIVE_ENTRY_ACL_TYPE_POSIX1E | ARCHIVE_ENTRY_ACL_TYPE_NFS4) > 0)
                return true;
        if (archive_entry_hardlink(e))
                return archive_entry_size(e) > 0;       /* a hard link that carries data */
        if (type == AE_IFREG || type == AE_IFDIR)
                return false;
        if (type == AE_IFLNK || type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO)
                return n_xattrs > 0;    /* no descriptor to set them on */
        return true;                    /* sockets, unknown types */
}

int disk_entry_from_archive(struct archive_entry *e, DiskEntry **ret, char **ret_error) {
        const char *path = archive_entry_pathname(e);
        const char *hardlink = archive_entry_hardlink(e);
        const char *symlink = archive_entry_symlink(e);
        const char *link = hardlink ?: symlink;

        size_t bytes = sizeof(DiskEntry) + strlen(strempty(path)) + 1 + (link ? strlen(link) + 1 : 0);
        size_t n_listed = archive_entry_xattr_reset(e), n_xattrs = 0;
        for (size_t i = 0; i < n_listed; i++) {
                const char *name;
                const void *value;
                size_t size;
                if (archive_entry_xattr_next(e, &name, &value, &size) != ARCHIVE_OK || !name)
                        return -EINVAL;
                if (xattr_is_skipped(name))
                        continue;
                bytes += sizeof(DiskXattr) + strlen(name) + 1 + size;
                n_xattrs++;
        }

        _cleanup_free_ DiskEntry *d = calloc(1, bytes);
        if (!d)
                return -ENOMEM;
        d->xattrs = (DiskXattr *) (d + 1);
        char *s = (char *) (d->xattrs + n_xattrs);

        ssize_t len = normalize_path(path, s);
        ssize_t link_len = hardlink ? normalize_path(hardlink, s + MAX(len, 0) + 1) : 0;
        if (len < 0 || link_len < 0 || (hardlink && link_len == 0))
                return error_setf(ret_error, "Refusing unsafe path in image: '%s'%s%s%s", strempty(path),
                                  hardlink ? " (hard link to '" : "", strempty(hardlink), hardlink ? "')" : ""),
                       -EINVAL;
        if (len == 0) {
                /* "." or "./": how tar names the top directory, the target itself. */
                *ret = NULL;
                return 0;
        }
        d->path = s;
        s += len + 1;
        if (hardlink) {
                d->link = s;
                d->hardlink = true;
                s += link_len + 1;
        } else if (symlink) {
                d->link = strcpy(s, symlink);
                s += strlen(symlink) + 1;
        }

        archive_entry_xattr_reset(e);
        for (size_t i = 0; i < n_listed; i++) {
                const char *name;
                const void *value;
                size_t size;
                archive_entry_xattr_next(e, &name, &value, &size);
                if (xattr_is_skipped(name))
                        continue;
                DiskXattr *x = &d->xattrs[d->n_xattrs++];
                x->name = strcpy(s, name);
                s += strlen(name) + 1;
                x->value = memcpy(s, value, size);
                x->size = size;
                s += size;
        }

        d->mode = archive_entry_mode(e);
        d->uid = (uid_t) archive_entry_uid(e);
        d->gid = (gid_t) archive_entry_gid(e);
        d->size = archive_entry_size(e);
        d->rdev = archive_entry_rdev(e);
        d->mtime = archive_entry_mtime_is_set(e) ?
                (struct timespec) { archive_entry_mtime(e), archive_entry_mtime_nsec(e) } :
                (struct timespec) { .tv_nsec = UTIME_OMIT };
        d->atime = archive_entry_atime_is_set(e) ?
                (struct timespec) { archive_entry_atime(e), archive_entry_atime_nsec(e) } :
                (struct timespec) { .tv_nsec = UTIME_OMIT };

        if (needs_fallback(e, n_xattrs)) {
                d->fallback = archive_entry_clone(e);
                if (!d->fallback)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

void disk_entry_free(DiskEntry *d) {
        if (!d)
                return;
        if (d->fallback)
                archive_entry_free(d->fallback);
        free(d);
}

typedef struct DeferredDir {
        char *path;
        mode_t mode;
        struct timespec times[2];
} DeferredDir;

struct DiskWriter {
        int target_fd;
        struct archive *fallback;
        mode_t umask;
        bool no_openat2;

        /* The parent directory of the last entry: most entries follow their
         * siblings or their directory, so most need no lookup at all. */
        char *dir_path;
        size_t dir_len;
        int dir_fd;

        DiskEntry *cur;
        int fd;                 /* the regular file being written */
        int64_t end;            /* where its written data ends */

        DeferredDir *dirs;
        size_t n_dirs, cap_dirs;
};

int disk_writer_new(int target_fd, struct archive *fallback, DiskWriter **ret) {
        DiskWriter *w = calloc(1, sizeof(DiskWriter));
        if (!w)
                return -ENOMEM;
        w->target_fd = target_fd;
        w->fallback = fallback;
        w->dir_fd = -EBADF;
        w->fd = -EBADF;
        w->umask = umask(0);
        umask(w->umask);
        *ret = w;
        return 0;
}

static void drop_dir_cache(DiskWriter *w) {
        if (w->dir_fd >= 0)
                close(w->dir_fd);
        w->dir_fd = -EBADF;
        w->dir_len = 0;
}

/* Forgets the cached directory when path is it or one of its ancestors (it
 * is about to be removed or replaced). */
static void invalidate_dir_cache(DiskWriter *w, const char *path) {
        size_t len = strlen(path);
        if (w->dir_fd >= 0 && w->dir_len >= len && memcmp(w->dir_path, path, len) == 0 &&
            (w->dir_len == len || w->dir_path[len] == '/'))
                drop_dir_cache(w);
}

static void cache_dir(DiskWriter *w, const char *path, size_t len, int fd) {
        char *p = realloc(w->dir_path, len + 1);
        if (!p) {
                close(fd);      /* only a cache */
                return;
        }
        drop_dir_cache(w);
        memcpy(p, path, len);
        p[len] = 0;
        w->dir_path = p;
        w->dir_len = len;
        w->dir_fd = fd;
}

/* Opens the directory path (relative, normalized) beneath the target without
 * following any symlink: -ELOOP, -ENOTDIR or -EXDEV when something in the way
 * is not a plain directory. */
static int open_dir_beneath(DiskWriter *w, const char *path, int *ret_fd) {
        if (!w->no_openat2) {
                struct open_how how = {
                        .flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
                };
                int fd = (int) syscall(SYS_openat2, w->target_fd, path, &how, sizeof(how));
                if (fd >= 0) {
                        *ret_fd = fd;
                        return 0;
                }
                if (errno != ENOSYS && errno != EPERM)
                        return negative_errno();
                w->no_openat2 = true;   /* an old kernel, or a seccomp filter */
        }

        /* One component at a time, none of them followed if it is a symlink. */
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        int fd = -EBADF;
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int next = openat(fd >= 0 ? fd : w->target_fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int saved = errno;
                if (fd >= 0)
                        close(fd);
                if (next < 0)
                        return -saved;
                fd = next;
        }
        if (fd < 0)
                fd = fcntl(w->target_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return negative_errno();
        *ret_fd = fd;
        return 0;
}

/* Creates the missing directories of path (tar archives normally list every
 * directory before its contents; libarchive made missing ones too), each
 * opened with O_NOFOLLOW before going on. */
static int make_dirs_beneath(DiskWriter *w, const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_close_ int fd = -EBADF;
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int parent = fd >= 0 ? fd : w->target_fd;
                if (mkdirat(parent, c, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                int next = openat(parent, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return negative_errno();
                closep(&fd);
                fd = next;
        }
        return 0;
}

/* The descriptor of path's parent directory (borrowed: the cache or the
 * target) and the last component. */
static int parent_of(DiskWriter *w, const char *path, int *ret_dir, const char **ret_leaf) {
        const char *slash = strrchr(path, '/');
        if (!slash) {
                *ret_dir = w->target_fd;
                *ret_leaf = path;
                return 0;
        }
        size_t len = slash - path;
        if (w->dir_fd < 0 || w->dir_len != len || memcmp(w->dir_path, path, len) != 0) {
                _cleanup_free_ char *dir = strndup(path, len);
                if (!dir)
                        return -ENOMEM;
                int fd;
                int r = open_dir_beneath(w, dir, &fd);
                if (r == -ENOENT) {
                        r = make_dirs_beneath(w, dir);
                        if (r >= 0)
                                r = open_dir_beneath(w, dir, &fd);
                }
                if (r < 0)
                        return r;
                cache_dir(w, dir, len, fd);
                if (w->dir_fd < 0)
                        return -ENOMEM;
        }
        *ret_dir = w->dir_fd;
        *ret_leaf = slash + 1;
        return 0;
}

/* Removes what is at leaf so the entry can take its place; an existing
 * directory stays when the entry is a directory too (*ret_kept). */
static int remove_existing(DiskWriter *w, int dir, const char *leaf, const char *path, bool keep_dir, bool *ret_kept) {
        struct stat st;
        if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (S_ISDIR(st.st_mode) && keep_dir) {
                *ret_kept = true;
                return 0;
        }
        invalidate_dir_cache(w, path);
        if (unlinkat(dir, leaf, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
                return negative_errno();
        return 0;
}

static int set_xattrs(int fd, const DiskEntry *d) {
        for (size_t i = 0; i < d->n_xattrs; i++)
                if (fsetxattr(fd, d->xattrs[i].name, d->xattrs[i].value, d->xattrs[i].size, 0) < 0)
                        return negative_errno();
        return 0;
}

static int begin_regular(DiskWriter *w, int dir, const char *leaf) {
        const DiskEntry *d = w->cur;
        for (int attempt = 0;; attempt++) {
                int fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                                d->mode & 0777);
                if (fd >= 0) {
                        w->fd = fd;
                        w->end = 0;
                        return 0;
                }
                if (errno != EEXIST || attempt > 0)
                        return negative_errno();
                /* An earlier entry of the same name (or a symlink a hostile
                 * archive placed there): replaced, never followed. */
                bool kept = false;
                int r = remove_existing(w, dir, leaf, d->path, false, &kept);
                if (r < 0)
                        return r;
        }
}

static int begin_directory(DiskWriter *w, int dir, const char *leaf) {
        const DiskEntry *d = w->cur;
        if (mkdirat(dir, leaf, 0700) < 0) {
                if (errno != EEXIST)
                        return negative_errno();
                bool kept = false;
                int r = remove_existing(w, dir, leaf, d->path, true, &kept);
                if (r < 0)
                        return r;
                if (!kept && mkdirat(dir, leaf, 0700) < 0)
                        return negative_errno();
        }
        int fd = openat(dir, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fchown(fd, d->uid, d->gid) < 0 || set_xattrs(fd, d) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        /* Its children come next: it is their parent directory. */
        cache_dir(w, d->path, strlen(d->path), fd);

        /* Mode and times at the end: as a 0500 directory it could not take
         * its children (without root), and each child changes its mtime. */
        if (w->n_dirs == w->cap_dirs) {
                size_t cap = MAX(w->cap_dirs * 2, (size_t) 256);
                DeferredDir *p = realloc(w->dirs, cap * sizeof(DeferredDir));
                if (!p)
                        return -ENOMEM;
                w->dirs = p;
                w->cap_dirs = cap;
        }
        char *path = strdup(d->path);
        if (!path)
                return -ENOMEM;
        w->dirs[w->n_dirs++] = (DeferredDir) { .path = path, .mode = d->mode & 07777, .times = { d->atime, d->mtime } };
        return 0;
}

/* Creates a non-regular, non-directory entry with make(), replacing what is
 * in the way once. */
static int make_replacing(DiskWriter *w, int dir, const char *leaf, int (*make)(DiskWriter *w, int dir, const char *leaf)) {
        if (make(w, dir, leaf) >= 0)
                return 0;
        if (errno != EEXIST)
                return negative_errno();
        bool kept = false;
        int r = remove_existing(w, dir, leaf, w->cur->path, false, &kept);
        if (r < 0)
                return r;
        return make(w, dir, leaf) < 0 ? negative_errno() : 0;
}

static int make_symlink(DiskWriter *w, int dir, const char *leaf) {
        return symlinkat(w->cur->link, dir, leaf);
}

static int make_node(DiskWriter *w, int dir, const char *leaf) {
        return mknodat(dir, leaf, (w->cur->mode & S_IFMT) | 0600, w->cur->rdev);
}

static int make_hardlink(DiskWriter *w, int dir, const char *leaf) {
        const char *target = w->cur->link;
        const char *slash = strrchr(target, '/');
        if (!slash)
                return linkat(w->target_fd, target, dir, leaf, 0);
        /* The target's directory, opened beneath the target like any other;
         * linkat() without AT_SYMLINK_FOLLOW links a symlink itself. */
        _cleanup_free_ char *parent = strndup(target, slash - target);
        if (!parent) {
                errno = ENOMEM;
                return -1;
        }
        _cleanup_close_ int src = -EBADF;
        int r = open_dir_beneath(w, parent, &src);
        if (r < 0) {
                errno = -r;
                return -1;
        }
        return linkat(src, slash + 1, dir, leaf, 0);
}

static int finish_node(DiskWriter *w, int dir, const char *leaf) {
        const DiskEntry *d = w->cur;
        struct timespec times[2] = { d->atime, d->mtime };
        if (fchownat(dir, leaf, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        /* Just made by mknodat(), so not a symlink to follow. */
        if (!S_ISLNK(d->mode) && fchmodat(dir, leaf, d->mode & 07777, 0) < 0)
                return negative_errno();
        if (utimensat(dir, leaf, times, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        return 0;
}

static bool is_refusal(int r) {
        return r == -ELOOP || r == -ENOTDIR || r == -EXDEV;
}

static int begin_fallback(DiskWriter *w, char **ret_error) {
        /* libarchive may replace anything, the cached directory too. */
        drop_dir_cache(w);
        if (archive_write_header(w->fallback, w->cur->fallback) < ARCHIVE_OK) {
                int e = archive_errno(w->fallback);
                return error_setf(ret_error, "Failed to create '%s': %s", w->cur->path, archive_error_string(w->fallback)),
                       e > 0 ? -e : -EINVAL;
        }
        return 0;
}

int disk_writer_begin(DiskWriter *w, DiskEntry *d, char **ret_error) {
        disk_entry_free(w->cur);
        w->cur = d;
        if (d->fallback)
                return begin_fallback(w, ret_error);

        int dir;
        const char *leaf;
        int r = parent_of(w, d->path, &dir, &leaf);
        if (r >= 0) {
                if (d->hardlink)
                        r = make_replacing(w, dir, leaf, make_hardlink);
                else
                        switch (d->mode & S_IFMT) {
                        case S_IFREG:
                                r = begin_regular(w, dir, leaf);
                                break;
                        case S_IFDIR:
                                r = begin_directory(w, dir, leaf);
                                break;
                        case S_IFLNK:
                                r = make_replacing(w, dir, leaf, make_symlink);
                                if (r >= 0)
                                        r = finish_node(w, dir, leaf);
                                break;
                        default:
                                r = make_replacing(w, dir, leaf, make_node);
                                if (r >= 0)
                                        r = finish_node(w, dir, leaf);
                        }
        }
        if (r >= 0)
                return 0;
        if (is_refusal(r))
                return error_setf(ret_error, "Refusing unsafe path in image: '%s'%s%s%s goes through a symlink or a non-directory",
                                  d->path, d->hardlink ? " (hard link to '" : "", d->hardlink ? d->link : "",
                                  d->hardlink ? "')" : ""),
                       -EINVAL;
        return error_setf(ret_error, "Failed to create '%s': %s", d->path, strerror(-r)), r;
}

int disk_writer_data(DiskWriter *w, const void *data, size_t len, int64_t offset, char **ret_error) {
        if (w->cur && w->cur->fallback) {
                if (archive_write_data_block(w->fallback, data, len, offset) < ARCHIVE_OK) {
                        int e = archive_errno(w->fallback);
                        return error_setf(ret_error, "Failed to write '%s': %s", w->cur->path, archive_error_string(w->fallback)),
                               e > 0 ? -e : -EIO;
                }
                return 0;
        }
        if (w->fd < 0)
                return 0;       /* data for a non-regular entry: nothing to write it to */
        for (const uint8_t *p = data; len > 0;) {
                ssize_t k = pwrite(w->fd, p, len, offset);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = negative_errno();
                        return error_setf(ret_error, "Failed to write '%s': %s", w->cur->path, strerror(-r)), r;
                }
                p += k;
                len -= k;
                offset += k;
        }
        w->end = MAX(w->end, offset);
        return 0;
}

static int finish_regular(DiskWriter *w) {
        const DiskEntry *d = w->cur;
        struct timespec times[2] = { d->atime, d->mtime };
        /* A sparse file ending in a hole. */
        if (w->end < d->size && ftruncate(w->fd, d->size) < 0)
                return negative_errno();
        /* Owner first: chown clears set-user-ID bits and file capabilities. */
        if (fchown(w->fd, d->uid, d->gid) < 0)
                return negative_errno();
        if (((d->mode & 07000) || (d->mode & 0777 & w->umask)) && fchmod(w->fd, d->mode & 07777) < 0)
                return negative_errno();
        int r = set_xattrs(w->fd, d);
        if (r < 0)
                return r;
        if (futimens(w->fd, times) < 0)
                return negative_errno();
        return 0;
}

int disk_writer_finish(DiskWriter *w, char **ret_error) {
        if (!w->cur)
                return 0;
        if (w->cur->fallback) {
                if (archive_write_finish_entry(w->fallback) < ARCHIVE_OK) {
                        int e = archive_errno(w->fallback);
                        return error_setf(ret_error, "Failed to finish '%s': %s", w->cur->path, archive_error_string(w->fallback)),
                               e > 0 ? -e : -EIO;
                }
                return 0;
        }
        if (w->fd < 0)
                return 0;
        int r = finish_regular(w);
        if (close(w->fd) < 0 && r >= 0)
                r = negative_errno();
        w->fd = -EBADF;
        if (r < 0)
                return error_setf(ret_error, "Failed to finish '%s': %s", w->cur->path, strerror(-r)), r;
        return 0;
}

const DiskEntry *disk_writer_current(DiskWriter *w) {
        return w->cur;
}

int disk_writer_close(DiskWriter *w, char **ret_error) {
        drop_dir_cache(w);
        /* In archive order, so a directory listed twice ends as the later
         * entry says; a child's mode or times never change its parent's. */
        for (size_t i = 0; i < w->n_dirs; i++) {
                const DeferredDir *dd = &w->dirs[i];
                int fd;
                int r = open_dir_beneath(w, dd->path, &fd);
                if (r == -ENOENT || is_refusal(r))
                        continue;       /* replaced by a later entry */
                if (r >= 0) {
                        if (fchmod(fd, dd->mode) < 0 || futimens(fd, dd->times) < 0)
                                r = negative_errno();
                        close(fd);
                }
                if (r < 0)
                        return error_setf(ret_error, "Failed to set the mode and times of '%s': %s", dd->path, strerror(-r)), r;
        }
        return 0;
}

void disk_writer_free(DiskWriter *w) {
        if (!w)
                return;
        drop_dir_cache(w);
        if (w->fd >= 0)
                close(w->fd);
        disk_entry_free(w->cur);
        for (size_t i = 0; i < w->n_dirs; i++)
                free(w->dirs[i].path);
        free(w->dirs);
        free(w->dir_path);
        free(w);
}
