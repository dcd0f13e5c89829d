/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

static int read_fd(int fd, size_t max_size, char **ret_data, size_t *ret_size) {
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        if (max_size == 0)
                max_size = 64u << 20;
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap > max_size + 1)
                                return -EFBIG;
                        char *n = realloc(buf, cap * 2);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                len += k;
                if (len > max_size)
                        return -EFBIG;
        }
        buf[len] = 0;
        *ret_data = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = len;
        return 0;
}

int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret_data, size_t *ret_size) {
        if (streq(path, "-"))
                return read_fd(STDIN_FILENO, max_size, ret_data, ret_size);
        _cleanup_close_ int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        return read_fd(fd, max_size, ret_data, ret_size);
}

int read_full_file(const char *path, size_t max_size, char **ret_data, size_t *ret_size) {
        return read_full_file_at(AT_FDCWD, path, max_size, ret_data, ret_size);
}

int read_one_line_file(const char *path, char **ret_line) {
        char *data;
        int r = read_full_file(path, 1u << 20, &data, NULL);
        if (r < 0)
                return r;
        data[strcspn(data, "\n")] = 0;
        *ret_line = data;
        return 0;
}

int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.forja-tmp.%d", path, (int) getpid()) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return negative_errno();
        if (fchmod(fd, mode) < 0)
                goto fail;
        for (size_t off = 0; off < size;) {
                ssize_t k = write(fd, (const char *) data + off, size - off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        goto fail;
                }
                off += k;
        }
        if (fsync(fd) < 0 || rename(tmp, path) < 0)
                goto fail;
        return 0;
fail:;
        int r = negative_errno();
        unlink(tmp);
        return r;
}
