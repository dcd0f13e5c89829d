/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel command line parameters (kernel-cmdline.h). */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-cmdline.h"
#include "macro.h"

int kernel_cmdline_next(const char **p, char **ret_key, char **ret_value) {
        const char *s = *p;
        for (;;) {
                while (*s && isspace((unsigned char) *s))
                        s++;
                if (!*s || (s[0] == '-' && s[1] == '-' && (!s[2] || isspace((unsigned char) s[2])))) {
                        *p = s + strlen(s);
                        return 0;
                }
                break;
        }

        bool quoted = *s == '"', in_quote = quoted;
        const char *start = s + quoted, *eq = NULL, *end = start;
        for (; *end && (in_quote || !isspace((unsigned char) *end)); end++) {
                if (!eq && *end == '=')
                        eq = end;
                if (*end == '"')
                        in_quote = !in_quote;
        }
        *p = end;

        /* The quote closing a quoted parameter or value is not part of it. */
        bool value_quoted = eq && eq[1] == '"';
        const char *stop = end;
        if ((quoted || value_quoted) && stop > start && stop[-1] == '"')
                stop--;
        const char *key_end = eq && eq < stop ? eq : stop;
        const char *value = eq ? eq + 1 + value_quoted : NULL;
        if (value && value > stop)
                value = stop;

        _cleanup_free_ char *k = strndup(start, key_end - start);
        _cleanup_free_ char *v = value ? strndup(value, stop - value) : NULL;
        if (!k || (value && !v))
                return -ENOMEM;
        *ret_key = TAKE_PTR(k);
        *ret_value = TAKE_PTR(v);
        return 1;
}

int kernel_cmdline_get(const char *cmdline, const char *key, char **ret_value) {
        const char *p = cmdline ?: "";
        _cleanup_free_ char *found = NULL;
        bool any = false;
        for (;;) {
                _cleanup_free_ char *k = NULL, *v = NULL;
                int r = kernel_cmdline_next(&p, &k, &v);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (strcmp(k, key) == 0) {
                        free(found);
                        found = TAKE_PTR(v);
                        any = true;
                }
        }
        if (ret_value)
                *ret_value = TAKE_PTR(found);
        return any;
}

bool kernel_cmdline_value_has(const char *cmdline, const char *key, const char *word) {
        _cleanup_free_ char *v = NULL;
        if (kernel_cmdline_get(cmdline, key, &v) <= 0 || !v)
                return false;
        size_t n = strlen(word);
        for (const char *w = v; *w; w += strcspn(w, ",")) {
                w += *w == ',';
                if (strncmp(w, word, n) == 0 && (w[n] == ',' || !w[n]))
                        return true;
        }
        return false;
}
