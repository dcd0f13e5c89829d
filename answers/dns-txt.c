/* SPDX-License-Identifier: GPL-2.0-or-later */
/* macro.h first: <sys/param.h> (via resolv.h) keeps an existing MIN/MAX. */
#include "macro.h"
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "dns-txt.h"

int dns_txt_name(const char *prefix, const char *domain, char **ret) {
        size_t len = strlen(domain);
        while (len > 0 && domain[len - 1] == '.')
                len--;
        if (len == 0 || strlen(prefix) + 1 + len > 253)
                return -EINVAL;
        /* Every label 1..63 characters. */
        for (const char *p = domain, *end = domain + len; p < end;) {
                size_t l = strcspn(p, ".");
                if (p + l > end)
                        l = end - p;
                if (l == 0 || l > 63)
                        return -EINVAL;
                p += l + 1;
        }
        char *s;
        if (asprintf(&s, "%s.%.*s", prefix, (int) len, domain) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int dns_txt_parse(const unsigned char *msg, int len, char ***ret) {
        ns_msg handle;
        char **l = NULL;
        size_t n = 0;

        if (ns_initparse(msg, len, &handle) < 0)
                return -EBADMSG;
        int count = ns_msg_count(handle, ns_s_an);
        for (int i = 0; i < count; i++) {
                ns_rr rr;
                if (ns_parserr(&handle, ns_s_an, i, &rr) < 0) {
                        strv_free(l);
                        return -EBADMSG;
                }
                if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in)
                        continue;
                const unsigned char *p = ns_rr_rdata(rr), *end = p + ns_rr_rdlen(rr);
                /* The record: one or more <length><bytes> character strings, joined. */
                char *s = malloc(ns_rr_rdlen(rr) + 1);
                size_t k = 0;
                if (!s) {
                        strv_free(l);
                        return -ENOMEM;
                }
                while (p < end) {
                        size_t sl = *p++;
                        if (sl > (size_t) (end - p)) {
                                free(s);
                                strv_free(l);
                                return -EBADMSG;
                        }
                        memcpy(s + k, p, sl);
                        k += sl;
                        p += sl;
                }
                s[k] = 0;
                char **x = realloc(l, (n + 2) * sizeof(char *));
                if (!x) {
                        free(s);
                        strv_free(l);
                        return -ENOMEM;
                }
                l = x;
                l[n++] = s;
                l[n] = NULL;
        }
        if (n == 0)
                return -ENOENT;
        *ret = l;
        return 0;
}

/* Points the resolver at the IPv4 servers of the list (at most MAXNS). */
static void use_nameservers(res_state st, char *const *nameservers) {
        int k = 0;
        for (char *const *s = nameservers; s && *s && k < MAXNS; s++) {
                struct in_addr a;
                if (inet_pton(AF_INET, *s, &a) != 1)
                        continue;
                st->nsaddr_list[k] = (struct sockaddr_in) {
                        .sin_family = AF_INET,
                        .sin_port = htons(NAMESERVER_PORT),
                        .sin_addr = a,
                };
                k++;
        }
        if (k > 0)
                st->nscount = k;
}

int dns_txt_lookup(const char *name, char *const *nameservers, char **ret, char **ret_error) {
        struct __res_state st = {};
        unsigned char buf[4096];
        int r;

        if (res_ninit(&st) < 0) {
                error_setf(ret_error, "DNS: cannot initialise the resolver");
                return -EIO;
        }
        use_nameservers(&st, nameservers);
        st.retrans = 2;
        st.retry = 2;
        int len = res_nquery(&st, name, ns_c_in, ns_t_txt, buf, sizeof buf);
        int herr = st.res_h_errno;
        res_nclose(&st);
        if (len < 0) {
                if (herr == HOST_NOT_FOUND || herr == NO_DATA) {
                        error_setf(ret_error, "DNS: no TXT record %s", name);
                        return -ENOENT;
                }
                error_setf(ret_error, "DNS: TXT %s: %s", name,
                          herr == TRY_AGAIN ? "no name server answered" : "the query failed");
                return herr == TRY_AGAIN ? -EHOSTUNREACH : -EIO;
        }
        _cleanup_strv_free_ char **txt = NULL;
        r = dns_txt_parse(buf, MIN(len, (int) sizeof buf), &txt);
        if (r < 0) {
                error_setf(ret_error, "DNS: TXT %s: %s", name, r == -ENOENT ? "no TXT record in the reply" : "malformed reply");
                return r;
        }
        char *v = strdup(txt[0]);
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}
