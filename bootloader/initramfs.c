/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The node's storage settings in its initramfs, without running
 * update-initramfs.
 *
 * The node image's initramfs is generic: MODULES=most, built with the mdadm,
 * LVM, Btrfs and cryptsetup hooks (iso-build/node-image.c), so it already
 * holds every tool and module an md, LVM or LUKS root needs. What a node adds
 * is two files the hooks would copy in: the arrays (etc/mdadm/mdadm.conf) and
 * the containers to unlock (cryptroot/crypttab, the crypttab entries marked
 * "initramfs"). A full update-initramfs inside the target spends its time on
 * about 2700 processes (cp, ln, sed per module, firmware and library) and on
 * compressing 64 MB: 11 s natively, over 500 s in a loaded TCG guest. The
 * kernel unpacks an initramfs made of several cpio archives one after the
 * other, later files replacing earlier ones, so these two files are appended
 * to each /boot/initrd.img-* as one more zstd-compressed cpio (one zstd frame
 * after the image's last one). The next update-initramfs on the node (a
 * kernel upgrade) builds the whole initramfs from the same /etc files. */

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORJA_CLEANUP_ARCHIVE
#include "bootloader.h"
#include "cleanup-libs.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "strutil.h"

#include <archive_entry.h>

#define INITRAMFS_FILE_MAX (1024 * 1024)

static int add_entry(struct archive *a, const char *name, mode_t mode, const char *data, size_t size) {
        struct archive_entry *e = archive_entry_new();
        if (!e)
                return -ENOMEM;
        archive_entry_set_pathname(e, name);
        archive_entry_set_mode(e, mode);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        archive_entry_set_nlink(e, S_ISDIR(mode) ? 2 : 1);
        archive_entry_set_size(e, S_ISREG(mode) ? (la_int64_t) size : 0);
        archive_entry_set_mtime(e, time(NULL), 0);
        int r = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -EIO;
        if (r == 0 && S_ISREG(mode) && size > 0 && archive_write_data(a, data, size) != (la_ssize_t) size)
                r = -EIO;
        archive_entry_free(e);
        return r;
}

/* The appended archive: newc cpio (the format the kernel reads), zstd. */
static bool target_has(const BootloaderInput *in, const char *inner) {
        _cleanup_free_ char *p = NULL;
        return asprintf(&p, "%s%s", in->root, inner) >= 0 && access(p, F_OK) == 0;
}

static int build_archive(const BootloaderInput *in, char **ret_buf, size_t *ret_size, char **ret_error) {
        struct { bool wanted; const char *source, *dir, *name; mode_t mode; } files[] = {
                { in->initramfs_mdadm, "/etc/mdadm/mdadm.conf", "etc/mdadm", "etc/mdadm/mdadm.conf", 0644 },
                { in->initramfs_crypttab, "/etc/crypttab", "cryptroot", "cryptroot/crypttab", 0600 },
                /* the pool is imported in the initramfs with the node's own hostid */
                { in->initramfs_zfs, "/etc/hostid", "etc", "etc/hostid", 0644 },
                { in->initramfs_zfs && target_has(in, "/etc/modprobe.d/zfs.conf"), "/etc/modprobe.d/zfs.conf",
                  "etc/modprobe.d", "etc/modprobe.d/zfs.conf", 0644 },
                /* the TPM keyscript named in crypttab (the image's initramfs has usr/lib) */
                { in->initramfs_keyscript != NULL, in->initramfs_keyscript, "usr/lib/forja",
                  in->initramfs_keyscript ? in->initramfs_keyscript + 1 : NULL, 0755 },
        };
        /* The whole frame is built in memory and appended with one write. */
        size_t cap = 4 * INITRAMFS_FILE_MAX, used = 0;
        _cleanup_free_ char *buf = malloc(cap);
        _cleanup_archive_write_ struct archive *a = archive_write_new();
        if (!buf || !a)
                return -ENOMEM;
        if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK || archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
            archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
                return error_setf(ret_error, "initramfs: cannot set up a zstd cpio archive: %s",
                                  strempty(archive_error_string(a))), -EIO;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                if (!files[i].wanted)
                        continue;
                _cleanup_free_ char *path = NULL, *data = NULL;
                size_t size = 0;
                if (asprintf(&path, "%s%s", in->root, files[i].source) < 0)
                        return -ENOMEM;
                int r = read_full_file(path, INITRAMFS_FILE_MAX, &data, &size);
                if (r < 0)
                        return error_setf(ret_error, "initramfs: reading %s: %s", files[i].source, strerror(-r)), r;
                r = add_entry(a, files[i].dir, S_IFDIR | 0755, NULL, 0);
                if (r == 0)
                        r = add_entry(a, files[i].name, S_IFREG | files[i].mode, data, size);
                if (r < 0)
                        return error_setf(ret_error, "initramfs: adding %s: %s", files[i].name,
                                          strempty(archive_error_string(a))), r;
        }
        if (archive_write_close(a) != ARCHIVE_OK)
                return error_setf(ret_error, "initramfs: finishing the archive: %s", strempty(archive_error_string(a))), -EIO;
        *ret_buf = TAKE_PTR(buf);
        *ret_size = used;
        return 0;
}

/* Appends the frame to one initrd; on a short write the file is cut back
 * to its old size, so it never ends in half a frame. */
static int append_to(const char *path, const char *buf, size_t size, char **ret_error) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = negative_errno();
                return error_setf(ret_error, "initramfs: opening %s: %s", path, strerror(-r)), r;
        }
        ssize_t n = write(fd, buf, size);
        if (n != (ssize_t) size || fsync(fd) < 0) {
                int r = n < 0 ? negative_errno() : -EIO;
                (void) ftruncate(fd, st.st_size);
                return error_setf(ret_error, "initramfs: appending to %s: %s", path, strerror(-r)), r;
        }
        log_info("initramfs: the node's storage settings appended to %s (%zu bytes after %lld).", path, size,
                 (long long) st.st_size);
        return 0;
}

int initramfs_add_storage_config(const BootloaderInput *in, char **ret_error) {
        if (!in->initramfs_mdadm && !in->initramfs_crypttab && !in->initramfs_zfs)
                return 0;
        _cleanup_free_ char *boot = NULL, *buf = NULL;
        size_t size = 0, n = 0;
        if (asprintf(&boot, "%s/boot", in->root) < 0)
                return -ENOMEM;
        int r = build_archive(in, &buf, &size, ret_error);
        if (r < 0)
                return r;
        DIR *d = opendir(boot);
        if (!d) {
                r = negative_errno();
                return error_setf(ret_error, "initramfs: %s: %s", boot, strerror(-r)), r;
        }
        struct dirent *de;
        while (r >= 0 && (de = readdir(d))) {
                if (!startswith(de->d_name, "initrd.img-") || de->d_type != DT_REG)
                        continue;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", boot, de->d_name) < 0)
                        r = -ENOMEM;
                else if ((r = append_to(path, buf, size, ret_error)) >= 0)
                        n++;
        }
        closedir(d);
        if (r < 0)
                return r;
        if (n == 0)
                return error_setf(ret_error, "initramfs: no /boot/initrd.img-* in the node image"), -ENOENT;
        return 0;
}
