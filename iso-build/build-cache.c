/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "build-cache.h"
#include "fileio.h"
#include "log.h"
#include "util.h"

/* The kinds of entry this cache holds; clean removes only these. */
static const char *const cache_kinds[] = { "deb-", "nodebase-", "node-", "installerbase-", "installer-", "zfsmodules-", "guestct-", "guestvm-", ".tmp-", ".lock-" };

static void cache_unlock(CacheEntry *e) {
        if (e->locked)
                (void) close(e->lock_fd); /* releases the flock */
        e->locked = false;
        e->lock_fd = -1;
}

int cache_lookup(const char *cache_dir, const char *kind, const char *key_text, CacheEntry *ret) {
        CacheEntry e = {};
        int r = sha256_string_hex(key_text, e.key);
        if (r < 0)
                return r;
        e.key_text = strdup(key_text);
        if (!e.key_text || asprintf(&e.dir, "%s/%s-%.24s", cache_dir, kind, e.key) < 0) {
                cache_entry_done(&e);
                return -ENOMEM;
        }
        r = mkdir_p(cache_dir, 0755);
        if (r < 0) {
                cache_entry_done(&e);
                return r;
        }

        _cleanup_free_ char *lock_path = NULL;
        if (asprintf(&lock_path, "%s/.lock-%s-%.24s", cache_dir, kind, e.key) < 0) {
                cache_entry_done(&e);
                return -ENOMEM;
        }
        e.lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (e.lock_fd < 0) {
                r = negative_errno();
                cache_entry_done(&e);
                return r;
        }
        e.locked = true;
        if (flock(e.lock_fd, LOCK_EX | LOCK_NB) < 0) {
                log_info("%s-%.24s: another build is making it; waiting for it...", kind, e.key);
                while (flock(e.lock_fd, LOCK_EX) < 0)
                        if (errno != EINTR) {
                                r = negative_errno();
                                cache_entry_done(&e);
                                return r;
                        }
        }

        _cleanup_free_ char *key_file = path_join(e.dir, "key.txt");
        _cleanup_free_ char *stored = NULL;
        if (key_file && read_full_file(key_file, 1 << 20, &stored, NULL) >= 0 && streq(stored, key_text)) {
                e.hit = true;
                (void) utimensat(AT_FDCWD, e.dir, NULL, 0); /* recently used: kept by cache_prune() */
                cache_unlock(&e);
                *ret = e;
                return 0;
        }
        /* A stale or foreign directory under our name: replace it when we commit. */
        if (asprintf(&e.tmp, "%s/.tmp-%s-%.24s-%d", cache_dir, kind, e.key, (int) getpid()) < 0) {
                cache_entry_done(&e);
                return -ENOMEM;
        }
        (void) rm_rf(e.tmp);
        if (mkdir(e.tmp, 0755) < 0) {
                r = negative_errno();
                cache_entry_done(&e);
                return r;
        }
        *ret = e;
        return 0;
}

int cache_commit(CacheEntry *e) {
        if (e->hit)
                return 0;
        _cleanup_free_ char *key_file = path_join(e->tmp, "key.txt");
        if (!key_file)
                return -ENOMEM;
        int r = write_file_atomic(key_file, e->key_text, strlen(e->key_text), 0644);
        if (r < 0)
                return r;
        (void) rm_rf(e->dir);
        if (rename(e->tmp, e->dir) < 0)
                return negative_errno();
        free(e->tmp);
        e->tmp = NULL;
        e->hit = true;
        cache_unlock(e);
        return 0;
}

void cache_entry_done(CacheEntry *e) {
        if (e->tmp)
                (void) rm_rf(e->tmp);
        cache_unlock(e);
        free(e->tmp);
        free(e->dir);
        free(e->key_text);
        *e = (CacheEntry) {};
}

char *cache_path(const CacheEntry *e, const char *name) {
        return path_join(e->hit ? e->dir : e->tmp, name);
}

typedef struct AgedEntry {
        char *path;
        time_t mtime;
} AgedEntry;

static int aged_newest_first(const void *a, const void *b) {
        const AgedEntry *x = a, *y = b;
        return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : 0;
}

int cache_prune(const char *cache_dir, const char *kind, const CacheEntry *in_use, unsigned keep) {
        _cleanup_free_ char *prefix = NULL;
        if (asprintf(&prefix, "%s-", kind) < 0)
                return -ENOMEM;
        DIR *d = opendir(cache_dir);
        if (!d)
                return negative_errno();
        AgedEntry *list = NULL;
        size_t n = 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!startswith(de->d_name, prefix))
                        continue;
                char *p = path_join(cache_dir, de->d_name);
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                struct stat st;
                if ((in_use && in_use->dir && streq(p, in_use->dir)) || stat(p, &st) < 0) {
                        free(p);
                        continue;
                }
                AgedEntry *nl = realloc(list, (n + 1) * sizeof(AgedEntry));
                if (!nl) {
                        free(p);
                        r = -ENOMEM;
                        break;
                }
                list = nl;
                list[n++] = (AgedEntry) { p, st.st_mtime };
        }
        closedir(d);
        if (r >= 0 && n > 0)
                qsort(list, n, sizeof(AgedEntry), aged_newest_first);
        for (size_t i = 0; i < n; i++) {
                if (r >= 0 && i >= keep) {
                        int k = rm_rf(list[i].path);
                        if (k < 0)
                                r = k;
                }
                free(list[i].path);
        }
        free(list);
        return r;
}

int cache_remove_stale(const char *cache_dir) {
        DIR *d = opendir(cache_dir);
        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!startswith(de->d_name, ".tmp-"))
                        continue;
                /* .tmp-KIND-KEY-PID */
                const char *dash = strrchr(de->d_name, '-');
                char *end = NULL;
                long pid = dash ? strtol(dash + 1, &end, 10) : 0;
                if (pid <= 0 || !end || *end)
                        continue;
                if (kill((pid_t) pid, 0) == 0 || errno != ESRCH)
                        continue; /* still building (or not ours to judge) */
                _cleanup_free_ char *p = path_join(cache_dir, de->d_name);
                int k = p ? rm_rf(p) : -ENOMEM;
                if (k < 0 && r == 0)
                        r = k;
        }
        closedir(d);
        return r;
}

int cache_clean(const char *cache_dir, unsigned *ret_removed) {
        DIR *d = opendir(cache_dir);
        unsigned n = 0;
        if (!d) {
                if (errno != ENOENT)
                        return negative_errno();
                *ret_removed = 0;
                return 0;
        }
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                bool ours = false;
                for (size_t i = 0; i < ELEMENTSOF(cache_kinds); i++)
                        if (startswith(de->d_name, cache_kinds[i]))
                                ours = true;
                if (!ours)
                        continue;
                _cleanup_free_ char *p = path_join(cache_dir, de->d_name);
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                int k = rm_rf(p);
                if (k < 0 && r == 0)
                        r = k;
                else if (k >= 0)
                        n++;
        }
        closedir(d);
        *ret_removed = n;
        return r;
}
