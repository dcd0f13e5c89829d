/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "target-path.h"

/* The next component of *p ("." and empty ones skipped): its start and
 * length, *p moved past it; false at the end. */
static bool next_component(const char **p, const char **ret, size_t *ret_len) {
        for (;;) {
                while (**p == '/')
                        (*p)++;
                if (!**p)
                        return false;
                size_t n = strcspn(*p, "/");
                const char *c = *p;
                *p += n;
                if (n == 1 && c[0] == '.')
                        continue;
                *ret = c;
                *ret_len = n;
                return true;
        }
}

static bool is_dotdot(const char *c, size_t n) {
        return n == 2 && c[0] == '.' && c[1] == '.';
}

int target_path_check(const char *target) {
        if (!target || target[0] != '/')
                return -EINVAL;
        const char *p = target, *c;
        size_t n, count = 0;
        while (next_component(&p, &c, &n)) {
                if (is_dotdot(c, n))
                        return -EINVAL;
                count++;
        }
        return count > 0 ? 0 : -EINVAL;
}

bool path_is_inside(const char *path, const char *dir) {
        const char *p = path, *d = dir, *pc, *dc;
        size_t pn, dn;

        if (path[0] != '/' || dir[0] != '/')
                return false;
        while (next_component(&d, &dc, &dn)) {
                if (is_dotdot(dc, dn) || !next_component(&p, &pc, &pn) || pn != dn || memcmp(pc, dc, dn) != 0)
                        return false;
        }
        /* What follows in path lies below dir unless it climbs out. */
        while (next_component(&p, &pc, &pn))
                if (is_dotdot(pc, pn))
                        return false;
        return true;
}
