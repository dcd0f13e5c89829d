/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The extractor's disk writer (extract.c is its only user): lays entries onto
 * the target with few system calls, all relative to directory descriptors.
 * Regular files are created with O_CREAT|O_EXCL|O_NOFOLLOW in a cached parent
 * directory descriptor and get their owner, mode, xattrs and times on the open
 * descriptor; directories get their modes and times at the end (creating
 * their children would change them); symlinks, hard links, devices and fifos
 * are made with the *at() calls. Parent directories are opened with openat2()
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (or a walk with O_NOFOLLOW where the
 * kernel has no openat2), so nothing is ever written through a symlink or
 * outside the target.
 *
 * Entries this writer does not handle itself (ACLs, file flags, a hard link
 * that carries data, a symlink with xattrs, sockets) go to libarchive's disk
 * writer, which must be set up with its secure flags and run with the target
 * as working directory. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>

typedef struct DiskXattr {
        const char *name;
        const void *value;
        size_t size;
} DiskXattr;

/* One entry, in one allocation (strings and xattr values after the struct). */
typedef struct DiskEntry {
        mode_t mode;                    /* file type and permission bits */
        uid_t uid;
        gid_t gid;
        int64_t size;
        dev_t rdev;
        struct timespec mtime, atime;   /* tv_nsec UTIME_OMIT when the archive has none */
        const char *path;               /* normalized: no "./", "//" or trailing "/" */
        const char *link;               /* symlink target or hard link target, or NULL */
        bool hardlink;
        size_t n_xattrs;
        DiskXattr *xattrs;
        struct archive_entry *fallback; /* non-NULL: libarchive's disk writer writes it */
} DiskEntry;

/* Makes a DiskEntry from what libarchive read (the decoder thread calls it).
 * *ret is NULL for the top directory ("." or "./"), which is the target itself.
 * -EINVAL with ret_error for a path that is absolute or has ".." (also in a
 * hard link target). */
int disk_entry_from_archive(struct archive_entry *e, DiskEntry **ret, char **ret_error);
void disk_entry_free(DiskEntry *d);

typedef struct DiskWriter DiskWriter;

/* target_fd stays the caller's; fallback is libarchive's disk writer. */
int disk_writer_new(int target_fd, struct archive *fallback, DiskWriter **ret);
/* Starts an entry; the writer owns d afterwards (also on failure). */
int disk_writer_begin(DiskWriter *w, DiskEntry *d, char **ret_error);
int disk_writer_data(DiskWriter *w, const void *data, size_t len, int64_t offset, char **ret_error);
int disk_writer_finish(DiskWriter *w, char **ret_error);
/* The current entry (NULL between entries). */
const DiskEntry *disk_writer_current(DiskWriter *w);
/* Applies the deferred directory modes, owners and times. */
int disk_writer_close(DiskWriter *w, char **ret_error);
void disk_writer_free(DiskWriter *w);
