/* SPDX-License-Identifier: GPL-2.0-or-later */
/* No reinstall loops: a PXE-first machine boots the installer again after a
 * successful install. The install leaves a record on the node's EFI system
 * partition (forja/install.json: the SHA-256 of the answer it was installed
 * from), and stage "check" reads the vfat partitions of the plan's disks,
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

/* Looks at every partition of disk name (sysfs order). */
static int check_disk(Engine *e, const char *name, const char *want_sha) {
        _cleanup_free_ char *sysdir = NULL;
        if (asprintf(&sysdir, "/sys/block/%s", name) < 0)
                return -ENOMEM;
        DIR *d = opendir(sysdir);
        if (!d)
                return 0;
        struct dirent *de;
        int r = 0;
        while (r == 0 && (de = readdir(d))) {
                if (!startswith(de->d_name, name))
                        continue;
                _cleanup_free_ char *partfile = NULL, *dev = NULL, *sha = NULL, *when = NULL;
                if (asprintf(&partfile, "%s/%s/partition", sysdir, de->d_name) < 0 ||
                    asprintf(&dev, "/dev/%s", de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (access(partfile, F_OK) < 0 || !is_vfat(dev) || read_record(dev, &sha, &when) < 0)
                        continue;
                if (strcasecmp(sha, want_sha) == 0)
                        r = engine_fail(e, -EEXIST,
                                        "disk %s already holds a forja node installed from this same answer (record on %s, "
                                        "installed %s): it is not wiped again unless the answer says "
                                        "disk-setup.reinstall = true; nothing was written",
                                        name, dev, *when ? when : "at an unknown time");
                else
                        log_info("Disk %s holds a forja node installed from another answer (%s): it is reinstalled.", name, dev);
        }
        closedir(d);
        return r;
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

int reinstall_guard_mark(Engine *e) {
        char sha[65];
        _cleanup_free_ char *esp = engine_target_path(e, "/boot/efi"), *root = engine_target_path(e, "/"), *dir = NULL,
                            *path = NULL;
        struct stat st_esp, st_root;
        if (!esp || !root)
                return -ENOMEM;
        /* Only on a mounted ESP (its own file system). */
        if (answer_sha256_hex(e, sha) < 0 || stat(esp, &st_esp) < 0 || stat(root, &st_root) < 0 ||
            st_esp.st_dev == st_root.st_dev)
                return 0;
        if (asprintf(&dir, "%s/" RECORD_DIR, esp) < 0 || asprintf(&path, "%s/" RECORD_FILE, esp) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
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
