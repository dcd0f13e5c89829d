/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootloader/initramfs.c: the node's mdadm.conf and crypttab appended to
 * every /boot/initrd.img-* as one zstd-compressed newc cpio, the image's bytes
 * before it untouched. The appended part is read back with libarchive. */

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootloader.h"
#include "testlib.h"

static const char generic[] = "070701-stands-for-the-image-initramfs";
static const char mdadm_conf[] = "HOMEHOST <system>\nARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef\n";
static const char crypttab[] = "cryptroot UUID=5a1d0c6e-0000-4000-8000-000000000001 none luks,discard,initramfs\n";

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static void put(const char *root, const char *rel, const char *text) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", root, rel);
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

static char *slurp(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "r");
        if (!f)
                return NULL;
        char *buf = malloc(1 << 20);
        size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
        fclose(f);
        *ret_size = n;
        return buf;
}

/* The entries of the appended archive, "name mode size content|" each. */
static char *list_appended(const char *data, size_t size) {
        struct archive *a = archive_read_new();
        archive_read_support_filter_zstd(a);
        archive_read_support_format_cpio(a);
        char *out = calloc(1, 4096);
        size_t used = 0;
        if (archive_read_open_memory(a, data, size) != ARCHIVE_OK) {
                snprintf(out, 4096, "unreadable: %s", archive_error_string(a));
                archive_read_free(a);
                return out;
        }
        struct archive_entry *e;
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
                char content[256] = "";
                la_ssize_t n = archive_read_data(a, content, sizeof content - 1);
                content[n > 0 ? n : 0] = 0;
                used += snprintf(out + used, 4096 - used, "%s %o %lld %s|", archive_entry_pathname(e),
                                 (unsigned) archive_entry_mode(e), (long long) archive_entry_size(e), content);
        }
        CHECK_INTEQ(archive_filter_code(a, 0), ARCHIVE_FILTER_ZSTD);
        CHECK_INTEQ(archive_format(a), ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);
        archive_read_free(a);
        return out;
}

int main(void) {
        char root[] = "/tmp/forja-initramfs-XXXXXX";
        CHECK(mkdtemp(root) != NULL);
        char dir[600];
        const char *dirs[] = { "boot", "etc", "etc/mdadm" };
        for (size_t i = 0; i < 3; i++) {
                snprintf(dir, sizeof dir, "%s/%s", root, dirs[i]);
                CHECK_INTEQ(mkdir(dir, 0755), 0);
        }
        put(root, "boot/initrd.img-6.12.1-amd64", generic);
        put(root, "boot/initrd.img-6.12.2-amd64", generic);
        put(root, "boot/vmlinuz-6.12.1-amd64", generic);
        put(root, "etc/mdadm/mdadm.conf", mdadm_conf);
        put(root, "etc/crypttab", crypttab);
        char *err = NULL;

        /* Nothing to add: the initrd stays as it is. */
        BootloaderInput none = { .root = root };
        CHECK_INTEQ(initramfs_add_storage_config(&none, &err), 0);
        char path[600];
        size_t size = 0;
        snprintf(path, sizeof path, "%s/boot/initrd.img-6.12.1-amd64", root);
        char *data = slurp(path, &size);
        CHECK_INTEQ((int) size, (int) strlen(generic));
        free(data);

        /* Both files, into both initrds; the kernel is not touched. */
        BootloaderInput both = { .root = root, .initramfs_mdadm = true, .initramfs_crypttab = true };
        CHECK_INTEQ(initramfs_add_storage_config(&both, &err), 0);
        const char *want = "etc/mdadm 40755 0 |etc/mdadm/mdadm.conf 100644 87 HOMEHOST <system>\n"
                           "ARRAY /dev/md0 metadata=1.2 UUID=01234567:89abcdef:01234567:89abcdef\n|"
                           "cryptroot 40755 0 |cryptroot/crypttab 100600 80 "
                           "cryptroot UUID=5a1d0c6e-0000-4000-8000-000000000001 none luks,discard,initramfs\n|";
        for (int k = 1; k <= 2; k++) {
                snprintf(path, sizeof path, "%s/boot/initrd.img-6.12.%d-amd64", root, k);
                data = slurp(path, &size);
                CHECK(data != NULL && size > strlen(generic) + 4);
                if (!data)
                        continue;
                CHECK(memcmp(data, generic, strlen(generic)) == 0);
                /* a zstd frame right after the image's bytes */
                CHECK(memcmp(data + strlen(generic), "\x28\xb5\x2f\xfd", 4) == 0);
                char *list = list_appended(data + strlen(generic), size - strlen(generic));
                CHECK_STREQ(list, want);
                free(list);
                free(data);
        }
        snprintf(path, sizeof path, "%s/boot/vmlinuz-6.12.1-amd64", root);
        data = slurp(path, &size);
        CHECK_INTEQ((int) size, (int) strlen(generic));
        free(data);

        /* A crypttab alone, where the initrd is missing: an error naming it. */
        char root2[] = "/tmp/forja-initramfs-XXXXXX";
        CHECK(mkdtemp(root2) != NULL);
        snprintf(dir, sizeof dir, "%s/boot", root2);
        CHECK_INTEQ(mkdir(dir, 0755), 0);
        snprintf(dir, sizeof dir, "%s/etc", root2);
        CHECK_INTEQ(mkdir(dir, 0755), 0);
        put(root2, "etc/crypttab", crypttab);
        BootloaderInput luks = { .root = root2, .initramfs_crypttab = true };
        CHECK_INTEQ(initramfs_add_storage_config(&luks, &err), -ENOENT);
        CHECK(err && strstr(err, "no /boot/initrd.img-*"));
        free(err);
        err = NULL;
        /* ...and a wanted file that is missing names the file. */
        BootloaderInput md = { .root = root2, .initramfs_mdadm = true };
        CHECK_INTEQ(initramfs_add_storage_config(&md, &err), -ENOENT);
        CHECK(err && strstr(err, "/etc/mdadm/mdadm.conf"));
        free(err);

        CHECK_INTEQ(nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
        CHECK_INTEQ(nftw(root2, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
        return test_result();
}
