/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>

#include "fileio.h"
#include "macro.h"
#include "pkglist.h"
#include "util.h"

size_t pkglist_length(char **l) {
        size_t n = 0;
        for (; l && l[n]; n++)
                ;
        return n;
}

int pkglist_append(char ***l, const char *s) {
        size_t n = pkglist_length(*l);
        char **nl = realloc(*l, (n + 2) * sizeof(char *));
        if (!nl)
                return -ENOMEM;
        *l = nl;
        nl[n] = strdup(s);
        nl[n + 1] = NULL;
        return nl[n] ? 0 : -ENOMEM;
}

char *pkglist_join(char **l, const char *sep) {
        StrBuf b = {};
        if (strbuf_append(&b, "") < 0)
                return NULL;
        for (size_t i = 0; l && l[i]; i++)
                if ((i > 0 && strbuf_append(&b, sep) < 0) || strbuf_append(&b, l[i]) < 0) {
                        strbuf_done(&b);
                        return NULL;
                }
        return b.s;
}

static bool package_name_valid(const char *s) {
        /* Debian policy 5.6.1: [a-z0-9][a-z0-9+.-]+ */
        if (!s[0] || !s[1] || !(islower((unsigned char) s[0]) || isdigit((unsigned char) s[0])))
                return false;
        for (const char *p = s; *p; p++)
                if (!islower((unsigned char) *p) && !isdigit((unsigned char) *p) && !strchr("+.-", *p))
                        return false;
        return true;
}

int pkglist_read(const char *path, char ***ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(path, 1 << 20, &text, NULL);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                line[strcspn(line, "#")] = 0;
                char *w = line + strspn(line, " \t");
                w[strcspn(w, " \t\r")] = 0;
                if (!*w)
                        continue;
                if (!package_name_valid(w))
                        return -EINVAL;
                r = pkglist_append(&l, w);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Collects the (possibly folded) value of field `name` of the first stanza. */
static char *control_field(const char *text, const char *name) {
        StrBuf b = {};
        size_t nl = strlen(name);
        bool in = false;
        for (const char *line = text; line && *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t) (end - line) : strlen(line);
                if (len == 0 || line[strspn(line, " \t")] == '\n')
                        break; /* end of the source stanza */
                if (line[0] == ' ' || line[0] == '\t') {
                        if (in) {
                                _cleanup_free_ char *part = strndup(line, len);
                                if (!part || strbuf_append(&b, " ") < 0 || strbuf_append(&b, part) < 0)
                                        goto oom;
                        }
                } else {
                        in = strncasecmp(line, name, nl) == 0 && line[nl] == ':';
                        if (in) {
                                _cleanup_free_ char *part = strndup(line + nl + 1, len - nl - 1);
                                if (!part || strbuf_append(&b, part) < 0)
                                        goto oom;
                        }
                }
                line = end ? end + 1 : NULL;
        }
        if (!b.s)
                return strdup("");
        return b.s;
oom:
        strbuf_done(&b);
        return NULL;
}

static int add_relations(char ***l, const char *value) {
        _cleanup_free_ char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *rel = strtok_r(copy, ",", &save); rel; rel = strtok_r(NULL, ",", &save)) {
                rel[strcspn(rel, "|")] = 0;             /* first alternative */
                rel += strspn(rel, " \t\r\n");
                rel[strcspn(rel, " \t\r\n([<:")] = 0; /* version, arch, profile, :any */
                if (!*rel)
                        continue;
                const char *name = streq(rel, "debhelper-compat") ? "debhelper" : rel;
                if (!package_name_valid(name))
                        return -EINVAL;
                int r = pkglist_append(l, name);
                if (r < 0)
                        return r;
        }
        return 0;
}

int pkglist_add_depends(char ***l, const char *value) {
        return add_relations(l, value);
}

int pkglist_build_depends(const char *control_text, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        static const char *const fields[] = { "Build-Depends", "Build-Depends-Arch" };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                _cleanup_free_ char *v = control_field(control_text, fields[i]);
                if (!v)
                        return -ENOMEM;
                int r = add_relations(&l, v);
                if (r < 0)
                        return r;
        }
        if (!l[0])
                return -ENOENT;
        *ret = TAKE_PTR(l);
        return 0;
}
