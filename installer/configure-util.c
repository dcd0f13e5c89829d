/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File helpers for the configure stage: every write goes through here so that
 * each file is replaced atomically with a known owner and mode, and every
 * failure names the file on the target. */

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "configure-internal.h"
#include "json-out.h"
#include "strutil.h"

int target_error(char **ret_error, int r, const char *root, const char *path, const char *format, ...) {
        _cleanup_free_ char *reason = NULL;
        if (format) {
                va_list ap;
                va_start(ap, format);
                if (vasprintf(&reason, format, ap) < 0)
                        reason = NULL;
                va_end(ap);
        }
        error_setf(ret_error, "%s%s: %s", strempty(root), path, reason ?: strerror(-r));
        return r;
}

char *target_path(const char *root, const char *path) {
        char *p;
        if (asprintf(&p, "%s%s%s", root, path[0] == '/' ? "" : "/", path) < 0)
                return NULL;
        return p;
}

int target_mkdir_p(const char *root, const char *path, mode_t mode, char **ret_error) {
        _cleanup_free_ char *full = target_path(root, path);
        if (!full)
                return -ENOMEM;
        size_t skip = strlen(root);
        for (char *p = full + skip + 1;; p++) {
                if (*p != '/' && *p != 0)
                        continue;
                char saved = *p;
                *p = 0;
                if (mkdir(full, mode) < 0) {
                        struct stat st;
                        if (errno != EEXIST)
                                return target_error(ret_error, negative_errno(), "", full, NULL);
                        /* lstat: a symlinked directory could lead out of the target */
                        if (lstat(full, &st) < 0)
                                return target_error(ret_error, negative_errno(), "", full, NULL);
                        if (!S_ISDIR(st.st_mode))
                                return target_error(ret_error, -ENOTDIR, "", full,
                                                    "exists and is not a directory (symlinks are not followed)");
                }
                *p = saved;
                if (saved == 0)
                        break;
        }
        return 0;
}

static int mkdir_parent(const char *root, const char *path, char **ret_error) {
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return 0;
        *slash = 0;
        return target_mkdir_p(root, dir, 0755, ret_error);
}

/* Makes PATH's parent directories and returns the full path and the temporary
 * name next to it that is renamed over it. */
static int prepare_replace(const char *root, const char *path, char **ret_full, char **ret_tmp, char **ret_error) {
        int r = mkdir_parent(root, path, ret_error);
        if (r < 0)
                return r;
        _cleanup_free_ char *full = target_path(root, path), *tmp = NULL;
        if (!full || asprintf(&tmp, "%s.forja-tmp", full) < 0)
                return -ENOMEM;
        (void) unlink(tmp);     /* left over by an interrupted run */
        *ret_full = TAKE_PTR(full);
        *ret_tmp = TAKE_PTR(tmp);
        return 0;
}

int target_write_full(const char *root, const char *path, const void *data, size_t size,
                      mode_t mode, uid_t uid, gid_t gid, char **ret_error) {
        _cleanup_free_ char *full = NULL, *tmp = NULL;
        int r = prepare_replace(root, path, &full, &tmp, ret_error);
        if (r < 0)
                return r;

        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return target_error(ret_error, negative_errno(), root, path, NULL);
        for (size_t off = 0; off < size;) {
                ssize_t k = write(fd, (const char *) data + off, size - off);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        goto fail;
                off += k;
        }
        /* Owners only change when we may: tests of the parts run unprivileged too. */
        if (geteuid() == 0 && fchown(fd, uid, gid) < 0)
                goto fail;
        if (fchmod(fd, mode) < 0 || rename(tmp, full) < 0)
                goto fail;
        return 0;
fail:
        r = negative_errno();
        (void) unlink(tmp);
        return target_error(ret_error, r, root, path, NULL);
}

int target_symlink(const char *root, const char *path, const char *dest, char **ret_error) {
        _cleanup_free_ char *full = NULL, *tmp = NULL;
        int r = prepare_replace(root, path, &full, &tmp, ret_error);
        if (r < 0)
                return r;
        if (symlink(dest, tmp) < 0)
                return target_error(ret_error, negative_errno(), root, path, NULL);
        if (rename(tmp, full) < 0) {
                r = negative_errno();
                (void) unlink(tmp);
                return target_error(ret_error, r, root, path, NULL);
        }
        return 0;
}

const char *plan_string(json_object *plan, const char *section, const char *key) {
        json_object *v = json_get(json_get(plan, section), key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

bool config_value_ok(const char *s) {
        if (!s || !*s)
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\'' || *p == '\\' || *p == '`' || *p == '$')
                        return false;
        return true;
}
