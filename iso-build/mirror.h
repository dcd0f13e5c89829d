/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Which Debian mirror the images are built from: the URIs of the host's apt
 * sources (deb822 .sources or one-line .list), or an explicit URL. No host
 * name is ever built in. */

typedef struct Mirror {
        char *uri;            /* the Debian archive, e.g. http://HOST/debian */
        char *security_uri;   /* the security archive, or NULL when unknown */
} Mirror;

void mirror_done(Mirror *m);

/* spec: NULL (the host's ISOBUILD_DEFAULT_SOURCES), a URL (contains "://"),
 * or a sources file. Returns -ENOENT when the file names no Debian archive,
 * -EINVAL for a malformed URL. */
int mirror_resolve(const char *spec, Mirror *ret);

/* Parses the text of a sources file (deb822 or one-line format). */
int mirror_parse_sources(const char *text, Mirror *ret);

/* The mmdebstrap mirror arguments for a suite: one-line "deb URI SUITE COMPONENTS"
 * entries for SUITE, SUITE-updates and, when known, SUITE-security.
 * Returns a NULL-terminated list. */
int mirror_source_lines(const Mirror *m, const char *suite, const char *components, char ***ret);
