/* SPDX-License-Identifier: GPL-2.0-or-later */
/* iso-build internals without a command line of their own: Build-Depends
 * parsing, package lists, the source tree hash, the cache entry life cycle,
 * the volume label. Expected values are written by hand. */

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "build-cache.h"
#include "config.h"
#include "fileio.h"
#include "pkglist.h"
#include "source-tree.h"
#include "steps.h"
#include "testlib.h"

static const char control[] =
        "Source: forja\n"
        "Build-Depends: debhelper-compat (= 13),\n"
        "               meson (>= 0.63),\n"
        "               libfoo-dev [amd64] <!nocheck> | libfoo2-dev,\n"
        "               python3:any\n"
        "Build-Depends-Arch: libbar-dev\n"
        "Standards-Version: 4.6.2\n"
        "\n"
        "Package: forja\n"
        "Build-Depends: not-this-one\n";

static void test_build_depends(void) {
        char **l = NULL;
        CHECK_INTEQ(pkglist_build_depends(control, &l), 0);
        CHECK_INTEQ(pkglist_length(l), 5);
        if (pkglist_length(l) == 5) {
                CHECK_STREQ(l[0], "debhelper");
                CHECK_STREQ(l[1], "meson");
                CHECK_STREQ(l[2], "libfoo-dev");
                CHECK_STREQ(l[3], "python3");
                CHECK_STREQ(l[4], "libbar-dev");
        }
        strv_free(l);
        l = NULL;
        CHECK_INTEQ(pkglist_build_depends("Source: x\nBuild-Depends: Bad_Name\n", &l), -EINVAL);
        CHECK_INTEQ(pkglist_build_depends("Source: x\n", &l), -ENOENT);
}

/* The Depends of a .deb as `dpkg-deb --field DEB Depends` prints it: the
 * base images install these names. */
static void test_deb_depends(void) {
        char **l = calloc(1, sizeof(char *));
        CHECK(l != NULL);
        if (!l)
                return;
        CHECK_INTEQ(pkglist_add_depends(&l, "libarchive13t64 (>= 3.0.4), libc6 (>= 2.38), libcurl4t64 | libcurl3t64-gnutls,\n"
                                            " libjson-c5:any (>= 0.15), libssl3t64\n"), 0);
        CHECK_INTEQ(pkglist_length(l), 5);
        if (pkglist_length(l) == 5) {
                CHECK_STREQ(l[0], "libarchive13t64");
                CHECK_STREQ(l[1], "libc6");
                CHECK_STREQ(l[2], "libcurl4t64");
                CHECK_STREQ(l[3], "libjson-c5");
                CHECK_STREQ(l[4], "libssl3t64");
        }
        CHECK_INTEQ(pkglist_add_depends(&l, ""), 0);
        CHECK_INTEQ(pkglist_length(l), 5);
        CHECK_INTEQ(pkglist_add_depends(&l, "libfoo, Not_A_Package"), -EINVAL);
        strv_free(l);
}

static void write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        CHECK(f != NULL);
        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

static void test_pkglist_file(const char *dir) {
        char path[4096], **l = NULL;
        snprintf(path, sizeof(path), "%s/list", dir);
        write_text(path, "# comment\n\nlinux-image-amd64\n  incus   # the engine\nfirmware-misc-nonfree\n");
        CHECK_INTEQ(pkglist_read(path, &l), 0);
        CHECK_INTEQ(pkglist_length(l), 3);
        char *joined = pkglist_join(l, ",");
        CHECK_STREQ(joined, "linux-image-amd64,incus,firmware-misc-nonfree");
        free(joined);
        strv_free(l);
        write_text(path, "good\nnot;good\n");
        CHECK_INTEQ(pkglist_read(path, &l), -EINVAL);
}

static void test_source_hash(const char *dir) {
        char root[1024], p[4096], h1[65], h2[65], h3[65], h4[65];
        snprintf(root, sizeof(root), "%s/src", dir);
        mkdir(root, 0755);
        snprintf(p, sizeof(p), "%s/main.c", root);
        write_text(p, "int main(void) { return 0; }\n");
        snprintf(p, sizeof(p), "%s/tests", root);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/build-x", root);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/build-x/meson-private", root);
        mkdir(p, 0755);
        CHECK_INTEQ(source_tree_pack(root, NULL, h1), 0);

        /* A build directory and a test do not change the hash... */
        snprintf(p, sizeof(p), "%s/build-x/forja", root);
        write_text(p, "binary");
        snprintf(p, sizeof(p), "%s/tests/t.sh", root);
        write_text(p, "echo test");
        CHECK_INTEQ(source_tree_pack(root, NULL, h2), 0);
        CHECK_STREQ(h1, h2);

        /* ...a source byte and a mode bit do. */
        snprintf(p, sizeof(p), "%s/main.c", root);
        write_text(p, "int main(void) { return 1; }\n");
        CHECK_INTEQ(source_tree_pack(root, NULL, h3), 0);
        CHECK(strcmp(h1, h3) != 0);
        chmod(p, 0755);
        CHECK_INTEQ(source_tree_pack(root, NULL, h4), 0);
        CHECK(strcmp(h3, h4) != 0);

        /* The tar holds the tests (meson needs them) but not the build dir. */
        char tar[4096], h5[65];
        snprintf(tar, sizeof(tar), "%s/src.tar", dir);
        CHECK_INTEQ(source_tree_pack(root, tar, h5), 0);
        CHECK_STREQ(h4, h5);
        struct stat st;
        CHECK(stat(tar, &st) == 0 && st.st_size > 0);
}

static void test_cache(const char *dir) {
        char cache[4096];
        snprintf(cache, sizeof(cache), "%s/cache", dir);
        CacheEntry e = {};
        CHECK_INTEQ(cache_lookup(cache, "node", "key text 1\n", &e), 0);
        CHECK(!e.hit);
        CHECK(e.tmp != NULL);
        char *out = cache_path(&e, "node.tar.zst");
        write_text(out, "image");
        free(out);
        char *dir_copy = strdup(e.dir);
        CHECK_INTEQ(cache_commit(&e), 0);
        cache_entry_done(&e);

        /* Same key: a hit in the same directory; another key: a miss. */
        CacheEntry again = {};
        CHECK_INTEQ(cache_lookup(cache, "node", "key text 1\n", &again), 0);
        CHECK(again.hit);
        CHECK_STREQ(again.dir, dir_copy);
        CacheEntry other = {};
        CHECK_INTEQ(cache_lookup(cache, "node", "key text 2\n", &other), 0);
        CHECK(!other.hit);
        char *tmp_copy = strdup(other.tmp);
        cache_entry_done(&other); /* never committed: its temporary dir goes */
        struct stat st;
        CHECK(stat(tmp_copy, &st) < 0 && errno == ENOENT);
        cache_entry_done(&again);
        free(dir_copy);
        free(tmp_copy);
}

/* A second lookup of an entry being built waits for the first build and then
 * finds it: a child misses, holds the lock for a while and commits; the
 * parent's lookup must come back as a hit with the child's output. */
static void test_cache_lock(const char *dir) {
        char cache[4096], ready[4200];
        snprintf(cache, sizeof(cache), "%s/locked", dir);
        snprintf(ready, sizeof(ready), "%s/locked-ready", dir);
        pid_t child = fork();
        CHECK(child >= 0);
        if (child == 0) {
                CacheEntry e = {};
                if (cache_lookup(cache, "installer", "locked key\n", &e) < 0 || e.hit)
                        _exit(1);
                char *out = cache_path(&e, "initrd.img");
                write_text(out, "from the child");
                free(out);
                write_text(ready, "");
                usleep(500 * 1000);
                int r = cache_commit(&e);
                cache_entry_done(&e);
                _exit(r < 0 ? 1 : 0);
        }
        struct stat st;
        for (int i = 0; i < 1000 && stat(ready, &st) < 0; i++)
                usleep(10 * 1000);
        CacheEntry e = {};
        CHECK_INTEQ(cache_lookup(cache, "installer", "locked key\n", &e), 0);
        CHECK(e.hit);
        char *out = cache_path(&e, "initrd.img"), *text = NULL;
        CHECK(read_full_file(out, 1024, &text, NULL) >= 0);
        CHECK_STREQ(text, "from the child");
        free(text);
        free(out);
        cache_entry_done(&e);
        int status = -1;
        waitpid(child, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_stale(const char *dir) {
        char cache[1024], dead[2048], alive[2048];
        snprintf(cache, sizeof(cache), "%s/stale", dir);
        mkdir(cache, 0755);
        /* A pid that surely is gone: a child we made and reaped. */
        pid_t child = fork();
        if (child == 0)
                _exit(0);
        CHECK(child > 0);
        waitpid(child, NULL, 0);
        snprintf(dead, sizeof(dead), "%s/.tmp-node-abc-%d", cache, (int) child);
        snprintf(alive, sizeof(alive), "%s/.tmp-node-def-%d", cache, (int) getpid());
        mkdir(dead, 0755);
        mkdir(alive, 0755);
        CHECK_INTEQ(cache_remove_stale(cache), 0);
        struct stat st;
        CHECK(stat(dead, &st) < 0 && errno == ENOENT);
        CHECK(stat(alive, &st) == 0);
}

static void test_label(void) {
        /* FORJA_ and the version with its dots as underscores. */
        char want[64] = "FORJA_";
        for (const char *v = FORJA_VERSION; *v && strlen(want) < sizeof(want) - 1; v++) {
                size_t n = strlen(want);
                want[n] = *v == '.' ? '_' : *v;
                want[n + 1] = 0;
        }
        char *l = iso_volume_label();
        CHECK_STREQ(l, want);
        free(l);
}

int main(void) {
        char tmpl[] = "/tmp/forja-isolib.XXXXXX";
        char *dir = mkdtemp(tmpl);
        CHECK(dir != NULL);
        if (!dir)
                return test_result();
        test_build_depends();
        test_deb_depends();
        test_pkglist_file(dir);
        test_source_hash(dir);
        test_cache(dir);
        test_cache_lock(dir);
        test_stale(dir);
        test_label();
        CHECK_INTEQ(rm_rf(dir), 0);
        return test_result();
}
