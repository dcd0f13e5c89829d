/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the installer environment's network setup found, read back by the
 * answer discovery: one file per configured interface, /run/forja/net/IFACE.env
 * (the directory is $FORJA_NET_DIR when set, for tests), lines KEY=VALUE
 * without quoting. Keys: IFACE, MAC, SOURCE (dhcp|static), ADDRESS (CIDR),
 * GATEWAY, DNS and SEARCH (space separated), DOMAIN, HOSTNAME, OPT250 (the
 * Proxmox auto-installer answer URL, DHCP option 250) and OPT251 (its
 * certificate fingerprint, option 251). A missing key is an absent line;
 * unknown keys are ignored so the writer can add more. */

#include <stddef.h>

#define NETINFO_DIR "/run/forja/net"

typedef struct NetIface {
        char *iface;
        char *mac;
        char *source;                   /* "dhcp" or "static" */
        char *address;                  /* CIDR */
        char *gateway;
        char **dns;                     /* NULL-terminated, NULL when none */
        char *domain;
        char **search;                  /* NULL-terminated, NULL when none */
        char *hostname;
        char *opt250;                   /* answer URL offered by DHCP */
        char *opt251;                   /* its certificate fingerprint */
} NetIface;

typedef struct NetInfo {
        NetIface *ifaces;               /* sorted by file name */
        size_t n;
} NetInfo;

void net_iface_done(NetIface *i);
void netinfo_done(NetInfo *n);

/* Parses one file's text. name (the file name, for messages) also gives the
 * interface name when IFACE= is missing. A line without '=' or with an empty
 * key is -EINVAL, "NAME:LINE: ..." in *ret_error. */
int net_iface_parse(const char *text, const char *name, NetIface *ret, char **ret_error);

/* Reads every *.env file of dir (NULL: $FORJA_NET_DIR, else NETINFO_DIR). A
 * missing directory is no interfaces, not an error. */
int netinfo_load(const char *dir, NetInfo *ret, char **ret_error);

/* The first host name offered (interfaces in file-name order), or NULL. */
const char *netinfo_hostname(const NetInfo *n);

/* The domains to try for DNS discovery: every SEARCH entry, then every
 * DOMAIN, of every interface, without duplicates (case-insensitive) and
 * without trailing dots; NULL-terminated, never NULL unless out of memory. */
char **netinfo_domains(const NetInfo *n);
