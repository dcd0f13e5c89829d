/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "spawn.h"
#include "util.h"

int sha256_begin(Sha256 *s) {
        s->ctx = EVP_MD_CTX_new();
        if (!s->ctx)
                return -ENOMEM;
        if (EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
                sha256_done(s);
                return -EIO;
        }
        return 0;
}

int sha256_update(Sha256 *s, const void *data, size_t len) {
        return EVP_DigestUpdate(s->ctx, data, len) == 1 ? 0 : -EIO;
}

int sha256_end_hex(Sha256 *s, char ret_hex[65]) {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        int ok = EVP_DigestFinal_ex(s->ctx, d, &n) == 1 && n == 32;
        sha256_done(s);
        if (!ok)
                return -EIO;
        for (unsigned i = 0; i < 32; i++)
                sprintf(ret_hex + 2 * i, "%02x", d[i]);
        return 0;
}

void sha256_done(Sha256 *s) {
        if (s->ctx)
                EVP_MD_CTX_free(s->ctx);
        s->ctx = NULL;
}

int sha256_string_hex(const char *str, char ret_hex[65]) {
        Sha256 s;
        int r = sha256_begin(&s);
        if (r < 0)
                return r;
        r = sha256_update(&s, str, strlen(str));
        if (r < 0) {
                sha256_done(&s);
                return r;
        }
        return sha256_end_hex(&s, ret_hex);
}

int sha256_file_hex(const char *path, char ret_hex[65]) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        Sha256 s;
        int r = sha256_begin(&s);
        if (r < 0)
                return r;
        _cleanup_free_ char *buf = malloc(1 << 20);
        if (!buf) {
                sha256_done(&s);
                return -ENOMEM;
        }
        for (;;) {
                ssize_t k = read(fd, buf, 1 << 20);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = negative_errno();
                        sha256_done(&s);
                        return r;
                }
                if (k == 0)
                        break;
                r = sha256_update(&s, buf, k);
                if (r < 0) {
                        sha256_done(&s);
                        return r;
                }
        }
        return sha256_end_hex(&s, ret_hex);
}

static int strbuf_reserve(StrBuf *b, size_t extra) {
        if (b->len + extra + 1 <= b->cap)
                return 0;
        size_t cap = MAX(b->cap * 2, b->len + extra + 1);
        cap = MAX(cap, (size_t) 256);
        char *n = realloc(b->s, cap);
        if (!n)
                return -ENOMEM;
        b->s = n;
        b->cap = cap;
        return 0;
}

int strbuf_append(StrBuf *b, const char *s) {
        size_t l = strlen(s);
        if (strbuf_reserve(b, l) < 0)
                return -ENOMEM;
        memcpy(b->s + b->len, s, l + 1);
        b->len += l;
        return 0;
}

int strbuf_printf(StrBuf *b, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        return strbuf_append(b, s);
}

int argv_add(ArgV *a, const char *s) {
        if (a->n + 2 > a->cap) {
                size_t cap = MAX(a->cap * 2, (size_t) 16);
                char **n = realloc(a->v, cap * sizeof(char *));
                if (!n)
                        return -ENOMEM;
                a->v = n;
                a->cap = cap;
        }
        a->v[a->n] = strdup(s);
        if (!a->v[a->n])
                return -ENOMEM;
        a->v[++a->n] = NULL;
        return 0;
}

int argv_add_many(ArgV *a, ...) {
        va_list ap;
        int r = 0;
        va_start(ap, a);
        for (const char *s = va_arg(ap, const char *); s && r >= 0; s = va_arg(ap, const char *))
                r = argv_add(a, s);
        va_end(ap);
        return r;
}

int argv_addf(ArgV *a, const char *fmt, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        return argv_add(a, s);
}

void argv_done(ArgV *a) {
        for (size_t i = 0; i < a->n; i++)
                free(a->v[i]);
        free(a->v);
        *a = (ArgV) {};
}

char *path_join(const char *a, const char *b) {
        char *s;
        size_t la = strlen(a);
        bool slash = la > 0 && a[la - 1] == '/';
        if (asprintf(&s, "%s%s%s", a, slash ? "" : "/", b[0] == '/' ? b + 1 : b) < 0)
                return NULL;
        return s;
}

int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

static int rm_rf_at(int dfd, const char *name) {
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dfd, name, 0) < 0 ? negative_errno() : 0;

        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return negative_errno();
        }
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                /* Never cross into another file system (a leftover mount). */
                struct stat cst;
                if (fstatat(dirfd(d), de->d_name, &cst, AT_SYMLINK_NOFOLLOW) == 0 && cst.st_dev != st.st_dev) {
                        r = -EBUSY;
                        continue;
                }
                int k = rm_rf_at(dirfd(d), de->d_name);
                if (k < 0 && r == 0)
                        r = k;
        }
        closedir(d);
        if (r < 0)
                return r;
        return unlinkat(dfd, name, AT_REMOVEDIR) < 0 ? negative_errno() : 0;
}

int rm_rf(const char *path) {
        return rm_rf_at(AT_FDCWD, path);
}

int copy_file(const char *from, const char *to, mode_t mode) {
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return negative_errno();
        _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (out < 0)
                return negative_errno();
        char buf[65536];
        for (;;) {
                ssize_t k = read(in, buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                for (ssize_t off = 0; off < k;) {
                        ssize_t w = write(out, buf + off, k - off);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return negative_errno();
                        off += w;
                }
        }
        if (fchmod(out, mode) < 0)
                return negative_errno();
        return 0;
}

bool file_exists(const char *path) {
        return access(path, F_OK) == 0;
}

int run_visible(char *const argv[], char *const env_extra[]) {
        /* A fixed script: the tool's argv is passed as positional parameters,
         * never parsed by the shell; 2>&1 merges its progress into the stdout
         * that spawn() leaves on our stderr. */
        ArgV a = {};
        int r = 0;
        if (argv_add(&a, "sh") < 0 || argv_add(&a, "-c") < 0 || argv_add(&a, "exec \"$@\" 2>&1") < 0 ||
            argv_add(&a, "forja-step") < 0)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && argv[i]; i++)
                r = argv_add(&a, argv[i]);
        if (r < 0) {
                argv_done(&a);
                return log_oom();
        }
        SpawnOptions o = { .env_extra = env_extra };
        SpawnResult res = {};
        r = spawn(a.v, &o, &res);
        argv_done(&a);
        if (r < 0)
                return log_error_errno(r, "Failed to run %s: %m", argv[0]);
        int status = res.exit_status;
        spawn_result_done(&res);
        if (status != 0) {
                log_error("%s failed (status %d), see its output above.", argv[0], status);
                return -EIO;
        }
        return 0;
}

bool path_is_hook_safe(const char *p) {
        return p && *p && !strpbrk(p, " \t\n'\"\\$`");
}

double now_sec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}
