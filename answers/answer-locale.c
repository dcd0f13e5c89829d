/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Countries (iso-codes), time zones (tzdata) and the Proxmox keyboard list. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "env-hooks.h"
#include "answer-locale.h"
#include "fileio.h"
#include "macro.h"

/* The keyboard layouts the Proxmox VE installer offers (its kmap list). */
const KeyboardLayout keyboard_layouts[] = {
        { "de",    "German",            "de", "nodeadkeys" },
        { "de-ch", "Swiss-German",      "ch", "de_nodeadkeys" },
        { "dk",    "Danish",            "dk", "nodeadkeys" },
        { "en-gb", "United Kingdom",    "gb", "" },
        { "en-us", "U.S. English",      "us", "" },
        { "es",    "Spanish",           "es", "nodeadkeys" },
        { "fi",    "Finnish",           "fi", "nodeadkeys" },
        { "fr",    "French",            "fr", "nodeadkeys" },
        { "fr-be", "Belgium-French",    "be", "nodeadkeys" },
        { "fr-ca", "Canada-French",     "ca", "fr-legacy" },
        { "fr-ch", "Swiss-French",      "ch", "fr_nodeadkeys" },
        { "hu",    "Hungarian",         "hu", "" },
        { "is",    "Icelandic",         "is", "nodeadkeys" },
        { "it",    "Italian",           "it", "nodeadkeys" },
        { "jp",    "Japanese",          "jp", "" },
        { "lt",    "Lithuanian",        "lt", "std" },
        { "mk",    "Macedonian",        "mk", "nodeadkeys" },
        { "nl",    "Dutch",             "nl", "" },
        { "no",    "Norwegian",         "no", "nodeadkeys" },
        { "pl",    "Polish",            "pl", "" },
        { "pt",    "Portuguese",        "pt", "nodeadkeys" },
        { "pt-br", "Brazil-Portuguese", "br", "nodeadkeys" },
        { "se",    "Swedish",           "se", "nodeadkeys" },
        { "si",    "Slovenian",         "si", "" },
        { "tr",    "Turkish",           "tr", "" },
        {}
};

const KeyboardLayout *keyboard_layout_find(const char *id) {
        for (const KeyboardLayout *k = keyboard_layouts; k->id; k++)
                if (streq(k->id, id))
                        return k;
        return NULL;
}

const char *locale_iso3166_path(void) {
        return env_hook(ENV_FORJA_ISO_CODES_JSON) ?: "/usr/share/iso-codes/json/iso_3166-1.json";
}

const char *locale_zoneinfo_dir(void) {
        return env_hook(ENV_FORJA_ZONEINFO_DIR) ?: "/usr/share/zoneinfo";
}

int locale_country_known(const char *cc) {
        if (strlen(cc) != 2)
                return -ENOENT;

        json_object *root = json_object_from_file(locale_iso3166_path());
        if (!root)
                return -EOPNOTSUPP;

        int r = -ENOENT;
        json_object *list = NULL;
        if (json_object_object_get_ex(root, "3166-1", &list) && json_object_is_type(list, json_type_array))
                for (size_t i = 0; i < json_object_array_length(list); i++) {
                        json_object *c = json_object_array_get_idx(list, i), *a2 = NULL;
                        if (!json_object_object_get_ex(c, "alpha_2", &a2))
                                continue;
                        const char *s = json_object_get_string(a2);
                        if (s && strlen(s) == 2 && s[0] == (cc[0] & ~0x20) && s[1] == (cc[1] & ~0x20) &&
                            cc[0] >= 'a' && cc[0] <= 'z' && cc[1] >= 'a' && cc[1] <= 'z') {
                                r = 0;
                                break;
                        }
                }
        json_object_put(root);
        return r;
}

static bool zone_tab_lists(const char *data, const char *tz) {
        size_t n = strlen(tz);
        for (const char *line = data; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                if (*line == '#')
                        continue;
                /* country-code TAB coordinates TAB TZ [TAB comments] */
                const char *f = strchr(line, '\t');
                if (!f || (f = strchr(f + 1, '\t')) == NULL)
                        continue;
                f++;
                if (strncmp(f, tz, n) == 0 && (f[n] == '\t' || f[n] == '\n' || f[n] == 0))
                        return true;
        }
        return false;
}

int locale_timezone_known(const char *tz) {
        if (streq(tz, "UTC"))
                return 0;
        if (!*tz || tz[0] == '/' || strstr(tz, ".."))
                return -ENOENT;

        _cleanup_free_ char *path = NULL, *data = NULL;
        if (asprintf(&path, "%s/zone.tab", locale_zoneinfo_dir()) < 0)
                return -ENOMEM;
        if (read_full_file(path, 0, &data, NULL) < 0)
                return -EOPNOTSUPP;
        if (zone_tab_lists(data, tz))
                return 0;

        free(path);
        if (asprintf(&path, "%s/%s", locale_zoneinfo_dir(), tz) < 0)
                return -ENOMEM;
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                return 1;
        return -ENOENT;
}
