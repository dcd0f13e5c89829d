/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* DNS TXT look-ups for the Proxmox-compatible answer discovery: the answer
 * URL in TXT proxmox-auto-installer.DOMAIN, its certificate fingerprint in TXT
 * proxmox-auto-installer-cert-fingerprint.DOMAIN, for each search domain
 * (libresolv's res_nquery, asking the DHCP-offered name servers when given). */

#define DNS_TXT_URL_PREFIX "proxmox-auto-installer"
#define DNS_TXT_FINGERPRINT_PREFIX "proxmox-auto-installer-cert-fingerprint"

/* "PREFIX.DOMAIN" (a trailing dot of domain dropped); -EINVAL for an empty
 * domain or a name longer than DNS allows (253 characters, 63 per label). */
int dns_txt_name(const char *prefix, const char *domain, char **ret);

/* The TXT records of a DNS reply (wire format), each record's character
 * strings joined, as a NULL-terminated list; -ENOENT when the reply holds
 * none, -EBADMSG when it is malformed. */
int dns_txt_parse(const unsigned char *msg, int len, char ***ret);

/* Looks up the first TXT record of name. nameservers (NULL-terminated IPv4
 * or IPv6 addresses, may be NULL) replace those of /etc/resolv.conf when one
 * of them is IPv4. -ENOENT when the name or the record does not exist,
 * -EHOSTUNREACH when no server answered. */
int dns_txt_lookup(const char *name, char *const *nameservers, char **ret, char **ret_error);
