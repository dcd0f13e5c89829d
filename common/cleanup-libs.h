/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* _cleanup_ helpers for the libraries forja links: json-c, libblkid,
 * libparted, libarchive and libcurl. Include only where the library is used,
 * so a component does not pull headers it does not need. */

#include "macro.h"

#ifdef FORJA_CLEANUP_JSON
#include <json-c/json.h>
static inline void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)
#endif

#ifdef FORJA_CLEANUP_BLKID
#include <blkid/blkid.h>
DEFINE_TRIVIAL_CLEANUP_FUNC(blkid_probe, blkid_free_probe);
#define _cleanup_blkid_probe_ _cleanup_(blkid_free_probep)
#endif

#ifdef FORJA_CLEANUP_PARTED
#include <parted/parted.h>
DEFINE_TRIVIAL_CLEANUP_FUNC(PedDisk *, ped_disk_destroy);
#define _cleanup_ped_disk_ _cleanup_(ped_disk_destroyp)
static inline void ped_device_closep(PedDevice **d) {
        /* PedDevice objects are owned by libparted's device list; only close. */
        if (*d && (*d)->open_count > 0)
                ped_device_close(*d);
}
#define _cleanup_ped_device_close_ _cleanup_(ped_device_closep)
#endif

#ifdef FORJA_CLEANUP_ARCHIVE
#include <archive.h>
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);
#define _cleanup_archive_read_ _cleanup_(archive_read_freep)
static inline void archive_write_freep(struct archive **a) {
        if (*a)
                archive_write_free(*a);
}
#define _cleanup_archive_write_ _cleanup_(archive_write_freep)
#endif

#ifdef FORJA_CLEANUP_CURL
#include <curl/curl.h>
DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup);
#define _cleanup_curl_ _cleanup_(curl_easy_cleanupp)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);
#define _cleanup_curl_slist_ _cleanup_(curl_slist_free_allp)
#endif
