/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "env-hooks.h"
#include "fileio.h"
#include "strutil.h"
#include "netinfo.h"

#define NETINFO_FILE_MAX (64u * 1024)

void net_iface_done(NetIface *i) {
        free(i->iface);
        free(i->mac);
        free(i->source);
        free(i->address);
        free(i->gateway);
        strv_free(i->dns);
        free(i->domain);
        strv_free(i->search);
        free(i->hostname);
        free(i->opt250);
        free(i->opt251);
        *i = (NetIface) {};
}

void netinfo_done(NetInfo *n) {
        for (size_t i = 0; i < n->n; i++)
                net_iface_done(&n->ifaces[i]);
        free(n->ifaces);
        *n = (NetInfo) {};
}

/* Appends s to a NULL-terminated list, unless an entry equal to it (ignoring
 * case) is already there. */
static int strv_add_unique(char ***l, size_t *n, const char *s, size_t len) {
        for (size_t i = 0; i < *n; i++)
                if (strlen((*l)[i]) == len && strncasecmp((*l)[i], s, len) == 0)
                        return 0;
        char **x = realloc(*l, (*n + 2) * sizeof(char *));
        if (!x)
                return -ENOMEM;
        *l = x;
        x[*n] = strndup(s, len);
        if (!x[*n])
                return -ENOMEM;
        x[++*n] = NULL;
        return 0;
}

static int split_words(const char *v, char ***ret) {
        char **l = NULL;
        size_t n = 0;
        while (*v) {
                v += strspn(v, " \t");
                size_t len = strcspn(v, " \t");
                if (len > 0 && strv_add_unique(&l, &n, v, len) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
                v += len;
        }
        strv_free(*ret);
        *ret = l;
        return 0;
}

static int set_string(char **slot, const char *v) {
        char *s = strdup(v);
        if (!s)
                return -ENOMEM;
        free(*slot);
        *slot = s;
        return 0;
}

/* The keys of the contract; a space-separated value becomes a list. */
static const struct {
        const char *key;
        size_t offset;
        bool list;
} net_keys[] = {
        { "IFACE",    offsetof(NetIface, iface) },
        { "MAC",      offsetof(NetIface, mac) },
        { "SOURCE",   offsetof(NetIface, source) },
        { "ADDRESS",  offsetof(NetIface, address) },
        { "GATEWAY",  offsetof(NetIface, gateway) },
        { "DNS",      offsetof(NetIface, dns), true },
        { "DOMAIN",   offsetof(NetIface, domain) },
        { "SEARCH",   offsetof(NetIface, search), true },
        { "HOSTNAME", offsetof(NetIface, hostname) },
        { "OPT250",   offsetof(NetIface, opt250) },
        { "OPT251",   offsetof(NetIface, opt251) },
};

int net_iface_parse(const char *text, const char *name, NetIface *ret, char **ret_error) {
        NetIface i = {};
        unsigned line = 0;
        int r = 0;

        for (const char *p = text; *p && r >= 0;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *l = strndup(p, len);
                p += len + (p[len] == '\n');
                line++;
                if (!l) {
                        r = -ENOMEM;
                        break;
                }
                /* Tolerate CRLF and surrounding blanks; skip blank lines and comments. */
                size_t e = strlen(l);
                while (e > 0 && strchr(" \t\r", l[e - 1]))
                        l[--e] = 0;
                const char *k = l + strspn(l, " \t");
                if (!*k || *k == '#')
                        continue;
                char *eq = strchr(k, '=');
                if (!eq || eq == k) {
                        error_setf(ret_error, "%s:%u: expected KEY=VALUE, got '%s'", name, line, k);
                        r = -EINVAL;
                        break;
                }
                *eq = 0;
                const char *v = eq + 1;
                for (size_t f = 0; f < ELEMENTSOF(net_keys); f++) {
                        if (!streq(k, net_keys[f].key))
                                continue;
                        void *slot = (char *) &i + net_keys[f].offset;
                        r = net_keys[f].list ? split_words(v, slot) : set_string(slot, v);
                        break;
                }
        }
        if (r >= 0 && !i.iface) {
                /* eno1.env -> eno1 */
                const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
                const char *dot = strstr(base, ".env");
                i.iface = strndup(base, dot ? (size_t) (dot - base) : strlen(base));
                if (!i.iface)
                        r = -ENOMEM;
        }
        if (r < 0) {
                net_iface_done(&i);
                return r;
        }
        *ret = i;
        return 0;
}

static int env_file_filter(const struct dirent *d) {
        size_t n = strlen(d->d_name);
        return d->d_name[0] != '.' && n > 4 && streq(d->d_name + n - 4, ".env");
}

int netinfo_load(const char *dir, NetInfo *ret, char **ret_error) {
        NetInfo n = {};
        struct dirent **list = NULL;
        int k, r = 0;

        if (!dir)
                dir = env_hook(ENV_FORJA_NET_DIR) ?: NETINFO_DIR;
        k = scandir(dir, &list, env_file_filter, alphasort);
        if (k < 0) {
                if (errno == ENOENT) {
                        *ret = n;
                        return 0;
                }
                r = -errno;
                error_setf(ret_error, "%s: %s", dir, strerror(-r));
                return r;
        }
        n.ifaces = calloc(k ?: 1, sizeof(NetIface));
        if (!n.ifaces)
                r = -ENOMEM;
        for (int i = 0; i < k; i++) {
                if (r >= 0) {
                        _cleanup_free_ char *path = NULL, *text = NULL;
                        if (asprintf(&path, "%s/%s", dir, list[i]->d_name) < 0)
                                r = -ENOMEM;
                        else if ((r = read_full_file(path, NETINFO_FILE_MAX, &text, NULL)) < 0)
                                error_setf(ret_error, "%s: %s", path, strerror(-r));
                        else if ((r = net_iface_parse(text, path, &n.ifaces[n.n], ret_error)) >= 0)
                                n.n++;
                }
                free(list[i]);
        }
        free(list);
        if (r < 0) {
                netinfo_done(&n);
                return r;
        }
        *ret = n;
        return 0;
}

const char *netinfo_hostname(const NetInfo *n) {
        for (size_t i = 0; i < n->n; i++)
                if (n->ifaces[i].hostname && *n->ifaces[i].hostname)
                        return n->ifaces[i].hostname;
        return NULL;
}

static int add_domain(char ***l, size_t *k, const char *d) {
        size_t len = strlen(d);
        while (len > 0 && d[len - 1] == '.')
                len--;
        return len > 0 ? strv_add_unique(l, k, d, len) : 0;
}

char **netinfo_domains(const NetInfo *n) {
        char **l = calloc(1, sizeof(char *));
        size_t k = 0;
        if (!l)
                return NULL;
        for (size_t i = 0; i < n->n; i++)
                for (char **s = n->ifaces[i].search; s && *s; s++)
                        if (add_domain(&l, &k, *s) < 0)
                                goto oom;
        for (size_t i = 0; i < n->n; i++)
                if (n->ifaces[i].domain && add_domain(&l, &k, n->ifaces[i].domain) < 0)
                        goto oom;
        return l;
oom:
        strv_free(l);
        return NULL;
}
