/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Logging for front ends and the engine: levels, stderr and an optional log
 * file, and redaction of registered secrets from every line written.
 * Library code returns errors; only front ends log them, once. */

#include <stdarg.h>
#include "macro.h"

typedef enum LogLevel {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_NOTICE,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
} LogLevel;

void log_set_max_level(LogLevel level);
LogLevel log_get_max_level(void);
int log_parse_level(const char *s, LogLevel *ret);

/* Also append every line (at any level up to DEBUG) to this file. */
int log_open_file(const char *path);
/* The file log_open_file() opened, or NULL. */
const char *log_file_path(void);
void log_close_file(void);

/* Strings registered here are replaced by "<redacted>" in every log line.
 * Used for passwords, passphrases and tokens read from answer files. */
int log_register_secret(const char *secret);
void log_forget_secrets(void);
/* Copy of s with every registered secret masked; NULL on OOM. */
char *log_redact(const char *s);

/* Keep the last n lines logged (levels up to INFO, or DEBUG when that is the
 * maximum level; redacted) in memory, for failure reports; 0 stops keeping. */
int log_keep_tail(size_t n);
/* Copy of the kept lines, oldest first, NULL-terminated (an empty list when
 * none are kept); NULL on OOM. Free with strv_free(). */
char **log_get_tail(void);

/* Logs and returns -abs(error) so callers can write `return log_error_errno(r, ...)`.
 * %m in the format expands to strerror(error). */
int log_internal(LogLevel level, int error, const char *func, const char *format, ...) _printf_(4, 5);

#define log_full_errno(level, error, ...) log_internal(level, error, __func__, __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_LEVEL_ERROR, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_LEVEL_WARNING, error, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_LEVEL_NOTICE, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
