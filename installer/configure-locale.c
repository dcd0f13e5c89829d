/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Time zone, keyboard and locale of the node.
 *  - /etc/localtime -> ../usr/share/zoneinfo/ZONE (the zone must exist in the
 *    target's tzdata), and /etc/timezone for programs that still read it.
 *  - /etc/default/keyboard with the XKB layout and variant the plan resolved
 *    from the Proxmox keyboard name; trixie links /etc/vconsole.conf to it.
 *  - LANG=C.UTF-8 in /etc/locale.conf (trixie links /etc/default/locale to
 *    it): the image carries no locale other than C.UTF-8 (no `locales`
 *    package), so a country-derived locale would not exist on the node. */

#include <sys/stat.h>

#include "configure-internal.h"
#include "json-out.h"

#define ZONEINFO "/usr/share/zoneinfo/"

static bool zone_name_ok(const char *z) {
        return config_value_ok(z) && z[0] != '/' && !strstr(z, "..") && !strpbrk(z, " \t");
}

int configure_timezone(const ConfigureInput *in, char **ret_error) {
        const char *zone = plan_string(in->plan, "system", "timezone");
        if (!zone_name_ok(zone))
                return target_error(ret_error, -EINVAL, in->root, "/etc/localtime", "the plan has no valid system.timezone");

        _cleanup_free_ char *zpath = NULL, *zfull = NULL, *dest = NULL, *text = NULL;
        if (asprintf(&zpath, ZONEINFO "%s", zone) < 0 || !(zfull = target_path(in->root, zpath)) ||
            asprintf(&dest, "../usr/share/zoneinfo/%s", zone) < 0 || text_append(&text, "%s\n", zone) < 0)
                return -ENOMEM;
        struct stat st;
        if (lstat(zfull, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
                return target_error(ret_error, -ENOENT, in->root, zpath,
                                    "unknown time zone '%s': not in the target's tzdata", zone);

        int r = target_symlink(in->root, "/etc/localtime", dest, ret_error);
        if (r < 0)
                return r;
        return target_write(in->root, "/etc/timezone", text, 0644, ret_error);
}

int configure_keyboard(const ConfigureInput *in, char **ret_error) {
        json_object *kb = json_get(json_get(in->plan, "system"), "keyboard");
        const char *layout = json_get_string(kb, "xkb-layout"), *variant = json_get_string(kb, "xkb-variant");
        if (!config_value_ok(layout) || (variant && *variant && !config_value_ok(variant)))
                return target_error(ret_error, -EINVAL, in->root, "/etc/default/keyboard",
                                    "the plan has no valid system.keyboard.xkb-layout");

        _cleanup_free_ char *text = NULL;
        if (text_append(&text,
                        "# Keyboard, written by forja at install time (docs/node-config.md).\n"
                        "# See keyboard(5); /etc/vconsole.conf links here.\n"
                        "XKBMODEL=\"pc105\"\n"
                        "XKBLAYOUT=\"%s\"\n"
                        "XKBVARIANT=\"%s\"\n"
                        "XKBOPTIONS=\"\"\n"
                        "BACKSPACE=\"guess\"\n",
                        layout, strempty(variant)) < 0)
                return -ENOMEM;
        return target_write(in->root, "/etc/default/keyboard", text, 0644, ret_error);
}

int configure_locale(const ConfigureInput *in, char **ret_error) {
        static const char text[] = "# Written by forja at install time (docs/node-config.md).\nLANG=C.UTF-8\n";
        int r = target_write(in->root, "/etc/locale.conf", text, 0644, ret_error);
        if (r < 0)
                return r;

        _cleanup_free_ char *legacy = target_path(in->root, "/etc/default/locale");
        if (!legacy)
                return -ENOMEM;
        struct stat st;
        if (lstat(legacy, &st) < 0) {
                if (errno != ENOENT)
                        return target_error(ret_error, negative_errno(), in->root, "/etc/default/locale", NULL);
                return target_symlink(in->root, "/etc/default/locale", "../locale.conf", ret_error);
        }
        if (S_ISLNK(st.st_mode))
                return 0;       /* trixie's link to ../locale.conf */
        return target_write(in->root, "/etc/default/locale", text, 0644, ret_error);
}
