/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small glob matcher for udev property values, and filter evaluation. */

#include <string.h>

#include "macro.h"
#include "udev-glob.h"

/* Returns the end of a bracket class starting at p ('[' already consumed),
 * i.e. the position of its closing ']', or NULL when unclosed. */
static const char *class_end(const char *p) {
        if (*p == '!')
                p++;
        if (*p == ']')          /* a leading ']' is literal */
                p++;
        while (*p && *p != ']')
                p++;
        return *p == ']' ? p : NULL;
}

const char *udev_glob_check(const char *pattern) {
        for (const char *p = pattern; *p; p++) {
                if (*p == '[') {
                        const char *e = class_end(p + 1);
                        if (!e)
                                return "'[' without a closing ']'";
                        p = e;
                } else if (*p == '*') {
                        size_t n = strspn(p, "*");
                        if (n > 2)
                                return "wildcards are either '*' or '**'";
                        if (n == 2 && !((p == pattern || p[-1] == '/') && (p[2] == 0 || p[2] == '/')))
                                return "'**' must be a whole path component";
                        p += n - 1;
                }
        }
        return NULL;
}

static bool class_matches(const char *start, const char *end, char c) {
        bool negate = false;
        const char *p = start;
        if (*p == '!') {
                negate = true;
                p++;
        }
        bool hit = false;
        while (p < end) {
                if (p + 2 < end && p[1] == '-') {
                        if ((unsigned char) c >= (unsigned char) p[0] && (unsigned char) c <= (unsigned char) p[2])
                                hit = true;
                        p += 3;
                } else {
                        if (*p == c)
                                hit = true;
                        p++;
                }
        }
        return hit != negate;
}

bool udev_glob_match(const char *pattern, const char *s) {
        const char *p = pattern, *star_p = NULL, *star_s = NULL;

        while (*s) {
                if (*p == '*') {
                        while (*p == '*')
                                p++;
                        star_p = p;
                        star_s = s;
                        continue;
                }
                if (*p == '?') {
                        p++;
                        s++;
                        continue;
                }
                if (*p == '[') {
                        const char *e = class_end(p + 1);
                        if (e && class_matches(p + 1, e, *s)) {
                                p = e + 1;
                                s++;
                                continue;
                        }
                } else if (*p && *p == *s) {
                        p++;
                        s++;
                        continue;
                }
                /* mismatch: let the last '*' swallow one more character */
                if (!star_p)
                        return false;
                p = star_p;
                s = ++star_s;
        }
        while (*p == '*')
                p++;
        return *p == 0;
}

const char *udev_props_get(const HwProperty *props, size_t n, const char *key) {
        for (size_t i = 0; i < n; i++)
                if (streq(props[i].key, key))
                        return props[i].value;
        return NULL;
}

bool udev_filter_matches(const AnswerFilters *f, AnswerFilterMatch how, const HwProperty *props, size_t n) {
        if (f->n == 0)
                return false;
        size_t hits = 0;
        for (size_t i = 0; i < f->n; i++) {
                const char *v = udev_props_get(props, n, f->items[i].key);
                if (v && udev_glob_match(f->items[i].glob, v))
                        hits++;
        }
        return how == ANSWER_FILTER_ALL ? hits == f->n : hits > 0;
}
