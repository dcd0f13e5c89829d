/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Single-value checks for answer files. */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer-check.h"

static bool label_ok(const char *s, size_t n) {
        if (n == 0 || n > 63)
                return false;
        if (!isalnum((unsigned char) s[0]) || !isalnum((unsigned char) s[n - 1]))
                return false;
        for (size_t i = 1; i + 1 < n; i++)
                if (!isalnum((unsigned char) s[i]) && s[i] != '-')
                        return false;
        return true;
}

static const char *check_labels(const char *s, unsigned *ret_count) {
        if (strlen(s) > 253)
                return "too long (more than 253 characters)";
        unsigned count = 0;
        for (const char *p = s;;) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t) (dot - p) : strlen(p);
                if (!label_ok(p, n))
                        return "must only consist of labels of 1 to 63 letters, digits and dashes "
                               "(not at the start or end of a label), separated by dots";
                count++;
                if (!dot)
                        break;
                p = dot + 1;
        }
        *ret_count = count;
        return NULL;
}

const char *check_fqdn(const char *s) {
        unsigned n;
        const char *why = check_labels(s, &n);
        if (why)
                return why;
        if (n < 2)
                return "is not a fully qualified domain name (host.domain)";
        size_t i = 0;
        while (isdigit((unsigned char) s[i]))
                i++;
        if (s[i] == '.')
                return "has a purely numeric host name";
        return NULL;
}

const char *check_domain(const char *s) {
        unsigned n;
        return check_labels(s, &n);
}

/* The HTML specification's valid e-mail address, which the installer uses. */
const char *check_email(const char *s) {
        static const char local_extra[] = ".!#$%&'*+/=?^_`{|}~-";
        const char *at = strchr(s, '@');
        if (!at || at == s)
                return "does not look like a valid address (user@domain.tld)";
        for (const char *p = s; p < at; p++)
                if (!isalnum((unsigned char) *p) && !strchr(local_extra, *p))
                        return "does not look like a valid address (user@domain.tld)";
        unsigned n;
        if (check_labels(at + 1, &n))
                return "does not look like a valid address (user@domain.tld)";
        if (strcmp(s, "mail@example.invalid") == 0)
                return "is the installer's placeholder address, not a real one";
        return NULL;
}

const char *check_ip(const char *s, IpAddress *ret) {
        IpAddress a = {};
        if (inet_pton(AF_INET, s, a.bytes) == 1)
                a.family = AF_INET;
        else if (inet_pton(AF_INET6, s, a.bytes) == 1)
                a.family = AF_INET6;
        else
                return "is not a valid IPv4 or IPv6 address";
        if (ret)
                *ret = a;
        return NULL;
}

bool ip_in_subnet(const IpAddress *ip, const IpAddress *addr, unsigned prefix) {
        if (ip->family != addr->family)
                return false;
        for (unsigned bit = 0; bit < prefix; bit++) {
                unsigned byte = bit / 8, mask = 0x80 >> (bit % 8);
                if ((ip->bytes[byte] & mask) != (addr->bytes[byte] & mask))
                        return false;
        }
        return true;
}

const char *check_cidr(const char *s, IpAddress *ret_addr, unsigned *ret_prefix) {
        const char *slash = strchr(s, '/');
        if (!slash)
                return "is not in CIDR notation (ADDRESS/PREFIX, e.g. 192.168.1.10/24)";
        char addr[INET6_ADDRSTRLEN + 1];
        size_t n = (size_t) (slash - s);
        if (n == 0 || n >= sizeof(addr))
                return "has an invalid IP address";
        memcpy(addr, s, n);
        addr[n] = 0;
        IpAddress a;
        if (check_ip(addr, &a))
                return "has an invalid IP address";
        const char *p = slash + 1;
        if (!*p || strlen(p) > 3)
                return "has an invalid prefix length";
        unsigned prefix = 0;
        for (; *p; p++) {
                if (!isdigit((unsigned char) *p))
                        return "has an invalid prefix length";
                prefix = prefix * 10 + (unsigned) (*p - '0');
        }
        unsigned max = a.family == AF_INET ? 32 : 128;
        if (prefix > max)
                return a.family == AF_INET ? "has a prefix length over 32, the maximum for IPv4"
                                           : "has a prefix length over 128, the maximum for IPv6";
        if (prefix == 0)
                return "has a prefix length of 0";
        if (a.family == AF_INET && prefix <= 30) {
                uint32_t v = ((uint32_t) a.bytes[0] << 24) | ((uint32_t) a.bytes[1] << 16) |
                             ((uint32_t) a.bytes[2] << 8) | a.bytes[3];
                uint32_t host = v & (0xffffffffu >> prefix);
                if (host == 0)
                        return "is the network address of its subnet, not a host address";
                if (host == (0xffffffffu >> prefix))
                        return "is the broadcast address of its subnet, not a host address";
        }
        if (ret_addr)
                *ret_addr = a;
        if (ret_prefix)
                *ret_prefix = prefix;
        return NULL;
}

const char *check_mac(const char *s, char ret[static 18]) {
        if (strlen(s) != 17)
                return "is not a MAC address (six hex pairs separated by colons)";
        for (unsigned i = 0; i < 17; i++) {
                if (i % 3 == 2) {
                        if (s[i] != ':')
                                return "is not a MAC address (six hex pairs separated by colons)";
                        ret[i] = ':';
                } else {
                        if (!isxdigit((unsigned char) s[i]))
                                return "is not a MAC address (six hex pairs separated by colons)";
                        ret[i] = (char) tolower((unsigned char) s[i]);
                }
        }
        ret[17] = 0;
        return NULL;
}

const char *check_ifname(const char *s) {
        size_t n = strlen(s);
        if (n == 0)
                return "cannot be empty";
        if (n > 15)
                return "cannot be longer than 15 characters";
        if (n < 2)
                return "must be at least 2 characters long";
        if (!isalpha((unsigned char) s[0]))
                return "must start with a letter";
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char) s[i]) && s[i] != '_')
                        return "must only consist of letters, digits and underscores";
        return NULL;
}

const char *check_url(const char *s) {
        const char *rest = NULL;
        if (strncmp(s, "https://", 8) == 0)
                rest = s + 8;
        else if (strncmp(s, "http://", 7) == 0)
                rest = s + 7;
        if (!rest)
                return "must be an http:// or https:// URL";
        if (!*rest || *rest == '/')
                return "has no host";
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return "contains white space or control characters";
        return NULL;
}

const char *check_fingerprint(const char *s) {
        unsigned hex = 0;
        for (const char *p = s; *p; p++) {
                if (isxdigit((unsigned char) *p))
                        hex++;
                else if (*p != ':')
                        return "must be a SHA-256 fingerprint (64 hex digits, colons allowed)";
        }
        if (hex != 64)
                return "must be a SHA-256 fingerprint (64 hex digits, colons allowed)";
        return NULL;
}

const char *check_sha256(const char *s) {
        size_t n = 0;
        for (; s[n]; n++)
                if (!isxdigit((unsigned char) s[n]))
                        break;
        if (n != 64 || s[n])
                return "must be a SHA-256 digest (64 hex digits, as sha256sum prints it)";
        return NULL;
}

const char *check_check_id(const char *s) {
        if (!*s)
                return "cannot be empty";
        for (const char *p = s; *p; p++)
                if (!islower((unsigned char) *p) && !isdigit((unsigned char) *p) && *p != '-' && *p != '.')
                        return "must consist of lower case letters, digits, dots and dashes";
        return NULL;
}

const char *format_number(double v, char buf[static 32]) {
        for (int prec = 0; prec <= 17; prec++) {
                snprintf(buf, 32, "%.*f", prec, v);
                if (strtod(buf, NULL) == v)
                        return buf;
        }
        return buf;
}

/* The password field of root's /etc/shadow line, written as it is: not
 * empty, printable, without blanks and the field separator ':'. (Whether it
 * is a crypt(5) hash at all is the caller's warning: as with Proxmox, any
 * other value only means root cannot log in with a password.) */
const char *check_shadow_field(const char *s) {
        if (!s || !*s)
                return "is empty";
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p <= 0x20 || *p >= 0x7f || *p == ':')
                        return "cannot stand in /etc/shadow (it holds a blank, a control character or ':')";
        return NULL;
}

/* One line of root's authorized_keys. */
const char *check_ssh_key_line(const char *s) {
        if (!s || !*s)
                return "is empty";
        if (strpbrk(s, "\r\n"))
                return "spans lines (one key per array entry)";
        return NULL;
}
