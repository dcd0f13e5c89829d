/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Checks of single answer values (host names, e-mail, IP and CIDR, MAC,
 * interface names, URLs, certificate fingerprints), following the rules of
 * the Proxmox installer. Each returns NULL when the value is fine, otherwise
 * a static message saying what is wrong. */

#include <stdbool.h>
#include <stdint.h>

typedef struct IpAddress {
        int family;             /* AF_INET or AF_INET6 */
        uint8_t bytes[16];
} IpAddress;

const char *check_fqdn(const char *s);          /* host.domain: at least two labels */
const char *check_domain(const char *s);        /* one or more labels */
const char *check_email(const char *s);
const char *check_ip(const char *s, IpAddress *ret);
const char *check_cidr(const char *s, IpAddress *ret_addr, unsigned *ret_prefix);
/* Normalizes to lower case with colons into *ret (18 bytes). */
const char *check_mac(const char *s, char ret[static 18]);
const char *check_ifname(const char *s);        /* a pinned interface name */
const char *check_url(const char *s);           /* http:// or https:// */
const char *check_fingerprint(const char *s);   /* SHA-256, hex, colons optional */
const char *check_sha256(const char *s);       /* a SHA-256 digest: 64 hex digits */
const char *check_check_id(const char *s);      /* a hardware check id: [a-z0-9-] */
const char *check_shadow_field(const char *s);  /* a password field /etc/shadow can hold */
const char *check_ssh_key_line(const char *s);  /* one authorized_keys line */

/* True when ip lies inside addr/prefix (same family). */
bool ip_in_subnet(const IpAddress *ip, const IpAddress *addr, unsigned prefix);

/* Shortest decimal form that reads back as the same double ("16", "16.01"),
 * as the Proxmox installer prints numbers. buf must hold 32 bytes. */
const char *format_number(double v, char buf[static 32]);
