/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>

#include <strings.h>

#include "fileio.h"
#include "isobuild.h"
#include "macro.h"
#include "mirror.h"

void mirror_done(Mirror *m) {
        free(m->uri);
        free(m->security_uri);
        *m = (Mirror) {};
}

static bool word_in(const char *list, const char *word) {
        size_t l = strlen(word);
        for (const char *p = list; (p = strstr(p, word)); p += l)
                if ((p == list || isspace((unsigned char) p[-1])) && (p[l] == 0 || isspace((unsigned char) p[l])))
                        return true;
        return false;
}

static char *first_word(const char *s) {
        s += strspn(s, " \t");
        size_t l = strcspn(s, " \t\n");
        return l > 0 ? strndup(s, l) : NULL;
}

static bool suites_are_security(const char *suites) {
        /* "trixie-security", "bookworm-security", "bullseye/updates" (old layout). */
        return strstr(suites, "-security") || strstr(suites, "/updates");
}

static char *trim_trailing_slash(char *s) {
        size_t l = strlen(s);
        while (l > 1 && s[l - 1] == '/')
                s[--l] = 0;
        return s;
}

/* Takes one source (types, first URI, suites) into m: the first non-security
 * one is the archive, the first security one the security archive. */
static int take_source(Mirror *m, const char *types, const char *uris, const char *suites, bool enabled) {
        if (!enabled || !types || !uris || !suites || !word_in(types, "deb"))
                return 0;
        char **slot = suites_are_security(suites) ? &m->security_uri : &m->uri;
        if (*slot)
                return 0;
        *slot = first_word(uris);
        if (!*slot)
                return 0;
        trim_trailing_slash(*slot);
        return 0;
}

static int parse_deb822(const char *text, Mirror *m) {
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return -ENOMEM;
        char *types = NULL, *uris = NULL, *suites = NULL;
        bool enabled = true;
        /* Stanzas end at blank lines, so walk lines by hand (strtok would merge them). */
        for (char *line = copy, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (line[0] == '#')
                        continue;
                bool blank = line[strspn(line, " \t\r")] == 0;
                if (blank) {
                        take_source(m, types, uris, suites, enabled);
                        types = uris = suites = NULL;
                        enabled = true;
                        continue;
                }
                if (isspace((unsigned char) line[0]))
                        continue; /* continuation lines: only first URIs/Suites words matter */
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = 0;
                char *value = colon + 1;
                value += strspn(value, " \t");
                if (strcasecmp(line, "Types") == 0)
                        types = value;
                else if (strcasecmp(line, "URIs") == 0)
                        uris = value;
                else if (strcasecmp(line, "Suites") == 0)
                        suites = value;
                else if (strcasecmp(line, "Enabled") == 0)
                        enabled = strncasecmp(value, "no", 2) != 0;
        }
        take_source(m, types, uris, suites, enabled);
        return 0;
}

static int parse_one_line(const char *text, Mirror *m) {
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return -ENOMEM;
        for (char *line = copy, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                char *p = line + strspn(line, " \t");
                if (!startswith(p, "deb ") && !startswith(p, "deb\t"))
                        continue;
                p += 4;
                p += strspn(p, " \t");
                if (*p == '[') { /* options */
                        char *e = strchr(p, ']');
                        if (!e)
                                continue;
                        p = e + 1;
                        p += strspn(p, " \t");
                }
                char *uri = p;
                size_t ul = strcspn(uri, " \t");
                if (uri[ul] == 0)
                        continue;
                uri[ul] = 0;
                char *suite = uri + ul + 1;
                take_source(m, "deb", uri, suite, true);
        }
        return 0;
}

int mirror_parse_sources(const char *text, Mirror *ret) {
        Mirror m = {};
        int r;
        /* deb822 has "URIs:" fields; one-line files start lines with "deb ". */
        if (strcasestr(text, "URIs:"))
                r = parse_deb822(text, &m);
        else
                r = parse_one_line(text, &m);
        if (r < 0) {
                mirror_done(&m);
                return r;
        }
        if (!m.uri) {
                mirror_done(&m);
                return -ENOENT;
        }
        *ret = m;
        return 0;
}

static bool url_is_valid(const char *url) {
        const char *p = strstr(url, "://");
        if (!p || p == url || p[3] == 0)
                return false;
        for (const char *s = url; s < p; s++)
                if (!isalnum((unsigned char) *s) && *s != '+')
                        return false;
        return !strpbrk(url, " \t\n'\"\\$`");
}

int mirror_resolve(const char *spec, Mirror *ret) {
        if (spec && strstr(spec, "://")) {
                if (!url_is_valid(spec))
                        return -EINVAL;
                Mirror m = { .uri = strdup(spec) };
                if (!m.uri)
                        return -ENOMEM;
                trim_trailing_slash(m.uri);
                *ret = m;
                return 0;
        }
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(spec ?: ISOBUILD_DEFAULT_SOURCES, 1 << 20, &text, NULL);
        if (r < 0)
                return r;
        Mirror m = {};
        r = mirror_parse_sources(text, &m);
        if (r < 0)
                return r;
        if (!url_is_valid(m.uri) || (m.security_uri && !url_is_valid(m.security_uri))) {
                mirror_done(&m);
                return -EINVAL;
        }
        *ret = m;
        return 0;
}

int mirror_source_lines(const Mirror *m, const char *suite, const char *components, char ***ret) {
        char **l = calloc(4, sizeof(char *));
        if (!l)
                return -ENOMEM;
        int n = 0;
        if (asprintf(&l[n++], "deb %s %s %s", m->uri, suite, components) < 0 ||
            asprintf(&l[n++], "deb %s %s-updates %s", m->uri, suite, components) < 0 ||
            (m->security_uri && asprintf(&l[n++], "deb %s %s-security %s", m->security_uri, suite, components) < 0)) {
                l[n - 1] = NULL;
                strv_free(l);
                return -ENOMEM;
        }
        *ret = l;
        return 0;
}
