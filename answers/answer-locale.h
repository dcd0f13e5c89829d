/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Country, time zone and keyboard validation. Countries come from iso-codes
 * (ISO 3166-1 alpha-2, written in lower case as Proxmox does), time zones from
 * tzdata (zone.tab, plus "UTC"), keyboard layouts from the Proxmox installer's
 * list, kept here and in docs/answer-file.md. */

#include <stdbool.h>

typedef struct KeyboardLayout {
        const char *id;         /* answer value, e.g. "de-ch" */
        const char *name;       /* e.g. "Swiss-German" */
        const char *x11;        /* XKB layout */
        const char *x11_variant;/* XKB variant, "" for none */
} KeyboardLayout;

extern const KeyboardLayout keyboard_layouts[];
const KeyboardLayout *keyboard_layout_find(const char *id);

/* 0: known; -ENOENT: unknown; -EOPNOTSUPP: the data is not installed. */
int locale_country_known(const char *cc);
/* 0: listed in zone.tab (or UTC); 1: a valid tz file that zone.tab does not
 * list (Proxmox rejects it); -ENOENT: unknown; -EOPNOTSUPP: no tzdata. */
int locale_timezone_known(const char *tz);

/* The data directories, overridable for tests with FORJA_ISO_CODES_JSON and
 * FORJA_ZONEINFO_DIR. */
const char *locale_iso3166_path(void);
const char *locale_zoneinfo_dir(void);
