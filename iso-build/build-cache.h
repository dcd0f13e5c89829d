/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The content-addressed build cache: each step's output lives in
 * CACHE_DIR/KIND-KEY/, where KEY is the SHA-256 of a text naming everything
 * that goes into the step (kept beside it as key.txt). A step builds into a
 * private temporary directory and renames it into place when complete, so
 * an interrupted build never leaves a half entry that looks valid. */

#include <stdbool.h>

typedef struct CacheEntry {
        char *dir;        /* the entry: read outputs from here when hit */
        char *tmp;        /* where a miss builds its outputs */
        char *key_text;
        char key[65];
        bool hit;
        bool locked;      /* lock_fd holds the entry's build lock (a miss being built) */
        int lock_fd;
} CacheEntry;

/* Looks the entry up; on a miss creates the temporary directory. Two builds
 * of the same entry at once (two `forja iso build` runs, two e2e runs) do not
 * both build it: the second waits for the first's lock, then finds a hit. The
 * lock is held from a miss until cache_commit() or cache_entry_done(). */
int cache_lookup(const char *cache_dir, const char *kind, const char *key_text, CacheEntry *ret);

/* Makes a miss's temporary directory the entry (writes key.txt first). */
int cache_commit(CacheEntry *e);

/* Frees the entry, removing an uncommitted temporary directory. */
void cache_entry_done(CacheEntry *e);

/* Where a step's output file is: in dir when hit or committed, else in tmp. */
char *cache_path(const CacheEntry *e, const char *name);

/* Keeps the cache bounded: of the entries of kind, keeps `in_use` and the
 * `keep` most recently used others, removes the rest. */
int cache_prune(const char *cache_dir, const char *kind, const CacheEntry *in_use, unsigned keep);

/* Removes the temporary directories of builds that were interrupted (their
 * process is gone): an interrupted node image step leaves ~700 MB. */
int cache_remove_stale(const char *cache_dir);

/* Removes all entries and temporary directories of forja's cache kinds. */
int cache_clean(const char *cache_dir, unsigned *ret_removed);
