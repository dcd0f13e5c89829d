/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Small helpers of the iso-build component: SHA-256 of files and strings,
 * a growing string, directories and file copies, and running a long tool
 * with its progress shown live. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "macro.h"

typedef struct Sha256 {
        EVP_MD_CTX *ctx;
} Sha256;

int sha256_begin(Sha256 *s);
int sha256_update(Sha256 *s, const void *data, size_t len);
/* Finishes into 64 hex digits plus NUL and frees the context. */
int sha256_end_hex(Sha256 *s, char ret_hex[65]);
void sha256_done(Sha256 *s);

int sha256_string_hex(const char *s, char ret_hex[65]);
int sha256_file_hex(const char *path, char ret_hex[65]);

/* A growing NUL-terminated string; every call keeps it valid or fails with -ENOMEM. */
typedef struct StrBuf {
        char *s;
        size_t len, cap;
} StrBuf;

int strbuf_append(StrBuf *b, const char *s);
int strbuf_printf(StrBuf *b, const char *fmt, ...) _printf_(2, 3);
static inline void strbuf_done(StrBuf *b) {
        free(b->s);
        b->s = NULL;
        b->len = b->cap = 0;
}

/* A NULL-terminated argv under construction. */
typedef struct ArgV {
        char **v;
        size_t n, cap;
} ArgV;

int argv_add(ArgV *a, const char *s);
int argv_addf(ArgV *a, const char *fmt, ...) _printf_(2, 3);
/* Adds every argument up to a NULL. */
int argv_add_many(ArgV *a, ...) __attribute__((sentinel));
void argv_done(ArgV *a);

char *path_join(const char *a, const char *b);
int mkdir_p(const char *path, mode_t mode);
int rm_rf(const char *path);
int copy_file(const char *from, const char *to, mode_t mode);
bool file_exists(const char *path);

/* Runs a long tool (mmdebstrap, zstd, xorriso) with its output shown live on
 * stderr, so the user sees progress. Returns 0 or -EIO (logged with the exit status). */
int run_visible(char *const argv[], char *const env_extra[]);

/* Rejects paths that cannot be passed through mmdebstrap's hook strings
 * (whitespace, quotes, backslashes, '$'). */
bool path_is_hook_safe(const char *p);

/* Seconds on the monotonic clock, for step timings. */
double now_sec(void);
