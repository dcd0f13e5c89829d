/* SPDX-License-Identifier: GPL-2.0-or-later */
/* No reinstall loops: a PXE-first machine boots the installer again after a
 * successful install. The install leaves a record on the node's EFI system
 * partition (forja/install.json: the SHA-256 of the answer it was installed
 * from), and stage "check" reads the first vfat partition (the ESP) of each
 * of the plan's disks,
 * mounted read-only: a disk that already holds a node installed from this
 * same answer is not wiped again unless the answer says
 * disk-setup.reinstall = true. Nothing is written while looking. */

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <blkid.h>
#include <openssl/evp.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "engine-internal.h"
#include "fileio.h"
#include "log.h"
#include "reinstall-guard.h"

#define RECORD_DIR "forja"
#define RECORD_FILE "forja/install.json"
#define LOOK_DIR "/run/forja/reinstall-guard"

static int answer_sha256_hex(const Engine *e, char ret[65]) {
        uint8_t d[32];
        unsigned len = 0;
        if (!e->c->answer_text ||
            EVP_Digest(e->c->answer_text, e->c->answer_size, d, &len, EVP_sha256(), NULL) != 1 || len != 32)
                return -EINVAL;
        sha256_to_hex(d, ret);
        return 0;
}

static bool is_vfat(const char *dev) {
        blkid_probe pr = blkid_new_probe_from_filename(dev);
        const char *type = NULL;
        bool vfat = false;
        if (!pr)
                return false;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
        if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0)
                vfat = streq(type, "vfat");
        blkid_free_probe(pr);
        return vfat;
}

/* The answer SHA-256 and install time recorded on partition dev, if any. */
static int read_record(const char *dev, char **ret_sha, char **ret_when) {
        if (mkdir(LOOK_DIR, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (mount(dev, LOOK_DIR, "vfat", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return -errno;
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(LOOK_DIR "/" RECORD_FILE, 1 << 16, &text, NULL);
        if (umount2(LOOK_DIR, 0) < 0)
                (void) umount2(LOOK_DIR, MNT_DETACH);
        (void) rmdir(LOOK_DIR);
        if (r < 0)
                return r;
        _cleanup_json_ json_object *o = json_tokener_parse(text);
        const char *sha = json_get_string(o, "answer-sha256");
        if (!sha)
                return -EBADMSG;
        *ret_sha = strdup(sha);
        *ret_when = strdup(strempty(json_get_string(o, "installed")));
        return *ret_sha && *ret_when ? 0 : -ENOMEM;
}

/* The first vfat partition of disk name (sysfs order), as /dev/NAME; NULL when none. */
static char *first_vfat_partition(const char *name) {
        _cleanup_free_ char *sysdir = NULL;
        if (asprintf(&sysdir, "/sys/block/%s", name) < 0)
                return NULL;
        DIR *d = opendir(sysdir);
        if (!d)
                return NULL;
        struct dirent *de;
        char *found = NULL;
        while (!found && (de = readdir(d))) {
                _cleanup_free_ char *partfile = NULL, *dev = NULL;
                if (!startswith(de->d_name, name) || asprintf(&partfile, "%s/%s/partition", sysdir, de->d_name) < 0 ||
                    asprintf(&dev, "/dev/%s", de->d_name) < 0)
                        continue;
                if (access(partfile, F_OK) == 0 && is_vfat(dev))
                        found = TAKE_PTR(dev);
        }
        closedir(d);
        return found;
}

/* Refuses when the ESP of disk name records this same answer. */
static int check_disk(Engine *e, const char *name, const char *want_sha) {
        _cleanup_free_ char *dev = first_vfat_partition(name), *sha = NULL, *when = NULL;
        if (!dev || read_record(dev, &sha, &when) < 0)
                return 0;
        if (strcasecmp(sha, want_sha) != 0) {
                log_info("Disk %s holds a forja node installed from another answer (%s): it is reinstalled.", name, dev);
                return 0;
        }
        return engine_fail(e, -EEXIST,
                           "disk %s already holds a forja node installed from this same answer (record on %s, "
                           "installed %s): it is not wiped again unless the answer says "
                           "disk-setup.reinstall = true; nothing was written",
                           name, dev, *when ? when : "at an unknown time");
}

int reinstall_guard_check(Engine *e) {
        char sha[65];
        if (json_get_bool(e->storage, "reinstall"))
                return 0;
        if (answer_sha256_hex(e, sha) < 0)
                return 0;       /* no answer text (tests driving the engine directly) */
        json_object *disks = json_get(e->storage, "disks");
        for (size_t i = 0; i < json_array_len(disks); i++) {
                const char *name = json_get_string(json_array_at(disks, i), "name");
                int r = name ? check_disk(e, name, sha) : 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int write_record(const char *dir, const char *sha) {
        _cleanup_free_ char *rdir = NULL, *path = NULL;
        if (asprintf(&rdir, "%s/" RECORD_DIR, dir) < 0 || asprintf(&path, "%s/" RECORD_FILE, dir) < 0)
                return -ENOMEM;
        if (mkdir(rdir, 0755) < 0 && errno != EEXIST)
                return -errno;
        char when[32] = "";
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm))
                strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        _cleanup_free_ char *text = NULL;
        if (asprintf(&text, "{\"format\": \"forja-install/1\", \"answer-sha256\": \"%s\", \"installed\": \"%s\"}\n", sha,
                     when) < 0)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0644);
}

int reinstall_guard_mark(Engine *e) {
        char sha[65];
        if (answer_sha256_hex(e, sha) < 0)
                return 0;
        /* The ESP of the first disk, mounted where the plan put it (UEFI) or
         * for the moment (a BIOS layout does not mount it). */
        _cleanup_free_ char *esp = engine_target_path(e, "/boot/efi"), *root = engine_target_path(e, "/");
        struct stat st_esp, st_root;
        if (!esp || !root)
                return -ENOMEM;
        if (stat(esp, &st_esp) == 0 && stat(root, &st_root) == 0 && st_esp.st_dev != st_root.st_dev)
                return write_record(esp, sha);
        const char *name = json_get_string(json_array_at(json_get(e->storage, "disks"), 0), "name");
        _cleanup_free_ char *dev = name ? first_vfat_partition(name) : NULL;
        if (!dev)
                return 0;       /* no ESP: nothing to record on */
        if (mkdir(LOOK_DIR, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (mount(dev, LOOK_DIR, "vfat", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return -errno;
        int r = write_record(LOOK_DIR, sha);
        if (umount2(LOOK_DIR, 0) < 0 && r >= 0)
                r = -errno;
        (void) rmdir(LOOK_DIR);
        return r;
}
