/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Enabling a unit of the target without running anything: the installer
 * environment has no systemctl and the target's must not run on the host.
 * This reads the unit's [Install] section and makes the same symlinks as
 * `systemctl enable`: WantedBy=/RequiredBy= (.wants/.requires), Alias=, and
 * follows Also=. Units are looked up in /usr/lib/systemd/system and
 * /lib/systemd/system of the target. Template units are not supported. */

#include <sys/stat.h>

#include "configure-internal.h"
#include "fileio.h"
#include "json-out.h"

#define MAX_UNITS 16

static const char *const unit_dirs[] = { "/usr/lib/systemd/system", "/lib/systemd/system" };

static int find_unit(const char *root, const char *unit, char **ret_path) {
        for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
                _cleanup_free_ char *p = NULL, *full = NULL;
                if (asprintf(&p, "%s/%s", unit_dirs[i], unit) < 0 || !(full = target_path(root, p)))
                        return -ENOMEM;
                struct stat st;
                if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
                        *ret_path = TAKE_PTR(p);
                        return 0;
                }
        }
        return -ENOENT;
}

static bool unit_name_ok(const char *u) {
        return config_value_ok(u) && !strchr(u, '/') && !strchr(u, '@') && !startswith(u, ".") && strchr(u, '.');
}

typedef struct EnableState {
        const char *root;
        char *seen[MAX_UNITS];
        size_t n_seen;
} EnableState;

static int enable_one(EnableState *s, const char *unit, bool required, char **ret_error);

static int install_entry(EnableState *s, const char *unit, const char *unit_path, const char *key,
                         const char *name, char **ret_error) {
        _cleanup_free_ char *link = NULL;
        if (!unit_name_ok(name))
                return target_error(ret_error, -EINVAL, s->root, unit_path, "bad unit name '%s' in %s=", name, key);
        if (streq(key, "Also"))
                return enable_one(s, name, false, ret_error);
        if (streq(key, "WantedBy") || streq(key, "RequiredBy")) {
                if (asprintf(&link, "/etc/systemd/system/%s.%s/%s", name,
                             streq(key, "WantedBy") ? "wants" : "requires", unit) < 0)
                        return -ENOMEM;
        } else if (streq(key, "Alias")) {
                if (asprintf(&link, "/etc/systemd/system/%s", name) < 0)
                        return -ENOMEM;
        } else
                return 0;
        return target_symlink(s->root, link, unit_path, ret_error);
}

static int enable_one(EnableState *s, const char *unit, bool required, char **ret_error) {
        for (size_t i = 0; i < s->n_seen; i++)
                if (streq(s->seen[i], unit))
                        return 0;
        if (s->n_seen >= MAX_UNITS)
                return target_error(ret_error, -ELOOP, s->root, "/etc/systemd/system", "too many units through Also=");
        if (!(s->seen[s->n_seen] = strdup(unit)))
                return -ENOMEM;
        s->n_seen++;

        _cleanup_free_ char *unit_path = NULL, *full = NULL, *data = NULL;
        int r = find_unit(s->root, unit, &unit_path);
        if (r == -ENOENT && !required)
                return 0;       /* like systemctl: an Also= unit that is not installed is skipped */
        if (r == -ENOENT)
                return target_error(ret_error, r, s->root, "/usr/lib/systemd/system/", "%s is not in the image", unit);
        if (r < 0)
                return r;
        if (!(full = target_path(s->root, unit_path)))
                return -ENOMEM;
        r = read_full_file(full, 1024 * 1024, &data, NULL);
        if (r < 0)
                return target_error(ret_error, r, s->root, unit_path, NULL);

        bool in_install = false;
        for (char *line = data, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                line += strspn(line, " \t");
                if (line[0] == '[') {
                        in_install = startswith(line, "[Install]") != NULL;
                        continue;
                }
                char *eq = strchr(line, '=');
                if (!in_install || !eq || line[0] == '#' || line[0] == ';')
                        continue;
                *eq = 0;
                char *key = line, *value = eq + 1;
                key[strcspn(key, " \t")] = 0;
                for (char *save = NULL, *w = strtok_r(value, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                        r = install_entry(s, unit, unit_path, key, w, ret_error);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int target_enable_unit(const char *root, const char *unit, char **ret_error) {
        EnableState s = { .root = root };
        int r = unit_name_ok(unit) ? enable_one(&s, unit, true, ret_error)
                                   : target_error(ret_error, -EINVAL, root, "/etc/systemd/system", "bad unit name '%s'", unit);
        for (size_t i = 0; i < s.n_seen; i++)
                free(s.seen[i]);
        return r;
}

/* forja-md-degraded.service (from the forja package, shipped disabled):
 * enabled only where the plan makes md arrays, so that an array missing a
 * disk starts degraded at boot also when the initramfs does not start it
 * (/boot under a ZFS root). Elsewhere it stays out of the boot. */
int configure_md_degraded_unit(const ConfigureInput *in, char **ret_error) {
        if (json_array_len(json_get(json_get(in->plan, "storage"), "md-arrays")) == 0)
                return 0;
        return target_enable_unit(in->root, "forja-md-degraded.service", ret_error);
}
