/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <strings.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "extract.h"
#include "fileio.h"
#include "first-boot.h"
#include "http.h"
#include "json-out.h"
#include "macro.h"
#include "strutil.h"

#define HOOK_MAX_SIZE (16u << 20)

/* The answer's sha256 of the hook, when it gives one, against what was loaded. */
static int check_hook_sha256(json_object *fb, const char *where, const char *data, size_t size, char **ret_error) {
        const char *want = json_get_string(fb, "sha256");
        uint8_t d[32];
        unsigned len = 0;
        char got[65];

        if (!want)
                return 0;
        if (EVP_Digest(data, size, d, &len, EVP_sha256(), NULL) != 1 || len != sizeof d)
                return -ENOMEM;
        sha256_to_hex(d, got);
        if (strcasecmp(got, want) != 0) {
                error_setf(ret_error, "first-boot hook %s: its sha256 is %s, the answer's first-boot.sha256 is %s",
                           where, got, want);
                return -EBADMSG;
        }
        return 0;
}

int first_boot_load(json_object *fb, const char *medium_dir, char **ret_data, size_t *ret_size, char **ret_error) {
        *ret_data = NULL;
        *ret_size = 0;
        if (!json_get_bool(fb, "enabled"))
                return 0;

        const char *source = json_get_string(fb, "source");
        if (streq_ptr(source, "from-url")) {
                const char *url = json_get_string(fb, "url");
                /* The answer check refuses this already (answer-validate.c); a
                 * plan written by hand gets the same answer here. */
                if (startswith(strempty(url), "http://") && !json_get_string(fb, "sha256") &&
                    !json_get_bool(fb, "allow-unverified-http")) {
                        error_setf(ret_error, "first-boot hook %s: plain http without sha256 or allow-unverified-http", url);
                        return -EPERM;
                }
                HttpRequest req = {
                        .url = url,
                        .fingerprint = json_get_string(fb, "cert-fingerprint"),
                        .attempts = 5,
                        .max_size = HOOK_MAX_SIZE,
                };
                HttpResponse resp = {};
                _cleanup_free_ char *err = NULL;
                int r = http_request(&req, &resp, &err);
                if (r < 0) {
                        error_setf(ret_error, "first-boot hook: %s", err ?: strerror(-r));
                        http_response_done(&resp);
                        return r;
                }
                r = check_hook_sha256(fb, url, resp.body, resp.size, ret_error);
                if (r >= 0) {
                        *ret_data = TAKE_PTR(resp.body);
                        *ret_size = resp.size;
                }
                http_response_done(&resp);
                return r;
        }

        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", strempty(medium_dir), FIRST_BOOT_MEDIUM_FILE) < 0)
                return -ENOMEM;
        int r = read_full_file(path, HOOK_MAX_SIZE, ret_data, ret_size);
        if (r < 0) {
                error_setf(ret_error, "first-boot hook (from-iso): cannot read %s: %s; put it on the medium with "
                           "`forja iso prepare --on-first-boot FILE`", path, strerror(-r));
                return r;
        }
        r = check_hook_sha256(fb, path, *ret_data, *ret_size, ret_error);
        if (r < 0) {
                free(*ret_data);
                *ret_data = NULL;
                *ret_size = 0;
        }
        return r;
}

static const char *target_unit_for(const char *systemd_target) {
        if (streq_ptr(systemd_target, "network-pre"))
                return "network-pre.target";
        if (streq_ptr(systemd_target, "network-online"))
                return "network-online.target";
        return "multi-user.target";
}

int first_boot_install(json_object *fb, const char *target, const char *data, size_t size, char **ret_error) {
        if (!data)
                return 0;
        const char *when = target_unit_for(json_get_string(fb, "systemd-target"));
        bool before = streq(when, "network-pre.target");
        _cleanup_free_ char *dir = NULL, *hook = NULL, *unit = NULL, *unit_path = NULL, *wants = NULL, *link = NULL;
        int r;

        if (asprintf(&dir, "%s/var/lib/forja/first-boot", target) < 0 || asprintf(&hook, "%s%s", target, FIRST_BOOT_HOOK) < 0 ||
            asprintf(&unit_path, "%s/etc/systemd/system/%s", target, FIRST_BOOT_UNIT) < 0 ||
            asprintf(&wants, "%s/etc/systemd/system/multi-user.target.wants", target) < 0 ||
            asprintf(&link, "%s/%s", wants, FIRST_BOOT_UNIT) < 0)
                return -ENOMEM;
        if (asprintf(&unit,
                     "# Written by the forja installer: the answer file's [first-boot] hook,\n"
                     "# run once (ordering: %s), then removed.\n"
                     "[Unit]\n"
                     "Description=forja: first-boot hook from the answer file\n"
                     "ConditionPathExists=" FIRST_BOOT_HOOK "\n"
                     "%s=%s\n"
                     "Wants=%s\n"
                     "\n"
                     "[Service]\n"
                     "Type=oneshot\n"
                     "ExecStart=" FIRST_BOOT_HOOK "\n"
                     "ExecStopPost=/bin/rm -f " FIRST_BOOT_HOOK "\n"
                     "StandardOutput=journal+console\n"
                     "StandardError=journal+console\n"
                     "TimeoutStartSec=infinity\n"
                     "\n"
                     "[Install]\n"
                     "WantedBy=multi-user.target\n",
                     strempty(json_get_string(fb, "ordering")), before ? "Before" : "After", when, when) < 0)
                return -ENOMEM;

        char *mk[] = { dir, NULL };
        for (char **p = mk; *p; p++) {
                _cleanup_free_ char *parent = strdup(*p);
                if (!parent)
                        return -ENOMEM;
                /* /var/lib/forja may not exist yet in the image. */
                char *slash = strrchr(parent, '/');
                *slash = 0;
                (void) mkdir(parent, 0755);
                if (mkdir(*p, 0700) < 0 && errno != EEXIST) {
                        r = negative_errno();
                        error_setf(ret_error, "%s: %s", *p, strerror(-r));
                        return r;
                }
        }
        if ((r = write_file_atomic(hook, data, size, 0700)) < 0 ||
            (r = write_file_atomic(unit_path, unit, strlen(unit), 0644)) < 0) {
                error_setf(ret_error, "writing the first-boot hook: %s", strerror(-r));
                return r;
        }
        (void) mkdir(wants, 0755);
        (void) unlink(link);
        if (symlink("../" FIRST_BOOT_UNIT, link) < 0) {
                r = negative_errno();
                error_setf(ret_error, "enabling %s: %s", FIRST_BOOT_UNIT, strerror(-r));
                return r;
        }
        return 0;
}
