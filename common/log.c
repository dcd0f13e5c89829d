/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <stdarg.h>
#include <time.h>

#include "log.h"

static LogLevel max_level = LOG_LEVEL_INFO;
static FILE *log_file;
static char *log_file_name;
static char **secrets;
static size_t n_secrets;
/* The kept tail: a ring of tail_max lines, tail_next the oldest once full. */
static char **tail_lines;
static size_t tail_max, tail_next;
/* Image streaming logs from a thread of its own. */
static pthread_mutex_t tail_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_max_level(LogLevel level) {
        max_level = level;
}

LogLevel log_get_max_level(void) {
        return max_level;
}

int log_parse_level(const char *s, LogLevel *ret) {
        static const char *const names[] = {
                [LOG_LEVEL_ERROR] = "error",   [LOG_LEVEL_WARNING] = "warning",
                [LOG_LEVEL_NOTICE] = "notice", [LOG_LEVEL_INFO] = "info",
                [LOG_LEVEL_DEBUG] = "debug",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i])) {
                        *ret = (LogLevel) i;
                        return 0;
                }
        return -EINVAL;
}

int log_open_file(const char *path) {
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        FILE *f = fopen(path, "ae");
        if (!f) {
                int r = negative_errno();
                free(p);
                return r;
        }
        log_close_file();
        setvbuf(f, NULL, _IOLBF, 0);
        log_file = f;
        log_file_name = p;
        return 0;
}

const char *log_file_path(void) {
        return log_file_name;
}

void log_close_file(void) {
        if (log_file)
                fclose(log_file);
        log_file = NULL;
        free(log_file_name);
        log_file_name = NULL;
}

int log_register_secret(const char *secret) {
        if (!secret || !*secret)
                return 0;
        for (size_t i = 0; i < n_secrets; i++)
                if (streq(secrets[i], secret))
                        return 0;
        char **n = realloc(secrets, (n_secrets + 1) * sizeof(char *));
        if (!n)
                return -ENOMEM;
        secrets = n;
        secrets[n_secrets] = strdup(secret);
        if (!secrets[n_secrets])
                return -ENOMEM;
        n_secrets++;
        return 0;
}

void log_forget_secrets(void) {
        for (size_t i = 0; i < n_secrets; i++) {
                explicit_bzero(secrets[i], strlen(secrets[i]));
                free(secrets[i]);
        }
        free(secrets);
        secrets = NULL;
        n_secrets = 0;
}

/* One pass over the original text: every byte that belongs to an occurrence of
 * any secret is marked first, then each run of marked bytes becomes one mask.
 * Searching the output again could find a secret inside the mask ("ed" in
 * "<redacted>") and loop; masking secrets one after another could leave the
 * rest of a longer secret that starts with a shorter one, or the part of an
 * overlapping one. */
char *log_redact(const char *s) {
        static const char mask[] = "<redacted>";
        size_t len = strlen(s);
        _cleanup_free_ bool *hidden = calloc(len + 1, sizeof(bool));
        if (!hidden)
                return NULL;
        for (size_t i = 0; i < n_secrets; i++) {
                size_t sl = strlen(secrets[i]);
                for (const char *hit = strstr(s, secrets[i]); hit; hit = strstr(hit + 1, secrets[i]))
                        memset(hidden + (hit - s), true, sl);
        }
        size_t out_len = 0;
        for (size_t i = 0; i < len; i++)
                if (!hidden[i])
                        out_len++;
                else if (i == 0 || !hidden[i - 1])
                        out_len += sizeof(mask) - 1;
        char *out = malloc(out_len + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++)
                if (!hidden[i])
                        *o++ = s[i];
                else if (i == 0 || !hidden[i - 1])
                        o = mempcpy(o, mask, sizeof(mask) - 1);
        *o = 0;
        return out;
}

int log_keep_tail(size_t n) {
        int r = 0;
        pthread_mutex_lock(&tail_lock);
        if (n == tail_max)
                goto out;
        for (size_t i = 0; i < tail_max; i++)
                free(tail_lines[i]);
        free(tail_lines);
        tail_lines = NULL;
        tail_max = tail_next = 0;
        if (n > 0) {
                tail_lines = calloc(n, sizeof(char *));
                if (tail_lines)
                        tail_max = n;
                else
                        r = -ENOMEM;
        }
out:
        pthread_mutex_unlock(&tail_lock);
        return r;
}

char **log_get_tail(void) {
        pthread_mutex_lock(&tail_lock);
        char **l = calloc(tail_max + 1, sizeof(char *));
        size_t k = 0;
        for (size_t i = 0; l && i < tail_max; i++) {
                const char *line = tail_lines[(tail_next + i) % tail_max];
                if (line && !(l[k++] = strdup(line))) {
                        strv_free(l);
                        l = NULL;
                }
        }
        pthread_mutex_unlock(&tail_lock);
        return l;
}

static void tail_add(const char *prefix, const char *text) {
        char *line;
        if (asprintf(&line, "%s%s", prefix, text) < 0)
                return;
        pthread_mutex_lock(&tail_lock);
        if (tail_max > 0) {
                free(tail_lines[tail_next]);
                tail_lines[tail_next] = TAKE_PTR(line);
                tail_next = (tail_next + 1) % tail_max;
        }
        pthread_mutex_unlock(&tail_lock);
        free(line);
}

static const char *level_prefix(LogLevel level) {
        switch (level) {
        case LOG_LEVEL_ERROR:   return "error: ";
        case LOG_LEVEL_WARNING: return "warning: ";
        default:                return "";
        }
}

int log_internal(LogLevel level, int error, const char *func, const char *format, ...) {
        int saved_errno = errno;
        if (error < 0)
                error = -error;

        bool keep = tail_max > 0 && level <= MAX(max_level, LOG_LEVEL_INFO);
        if (level > max_level && !log_file && !keep)
                return -error;

        /* Expand %m ourselves so the error given, not the current errno, is used. */
        char fmt[1024];
        size_t j = 0;
        for (const char *p = format; *p && j < sizeof(fmt) - 1; p++) {
                if (p[0] == '%' && p[1] == 'm') {
                        const char *e = strerror(error);
                        for (; *e && j < sizeof(fmt) - 1; e++)
                                fmt[j++] = *e == '%' ? '?' : *e;
                        p++;
                } else if (p[0] == '%' && p[1] == '%' && j < sizeof(fmt) - 2) {
                        fmt[j++] = *p++;
                        fmt[j++] = *p;
                } else
                        fmt[j++] = *p;
        }
        fmt[j] = 0;

        /* The whole message is formatted and redacted before it is cut to the
         * line limit, so a secret across the limit is not left half readable. */
        char buf[4096];
        _cleanup_free_ char *full = NULL;
        va_list ap, again;
        va_start(ap, format);
        va_copy(again, ap);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (vasprintf(&full, fmt, ap) < 0) {
                full = NULL;
                vsnprintf(buf, sizeof(buf), fmt, again);
        }
#pragma GCC diagnostic pop
        va_end(again);
        va_end(ap);

        _cleanup_free_ char *line = n_secrets > 0 ? log_redact(full ?: buf) : NULL;
        if (n_secrets > 0 && !line)
                snprintf(buf, sizeof(buf), "<line not logged: out of memory while masking secrets>");
        else if (line || full)
                snprintf(buf, sizeof(buf), "%s", line ?: full);
        const char *text = buf;

        if (level <= max_level)
                fprintf(stderr, "%s%s\n", level_prefix(level), text);
        if (keep)
                tail_add(level_prefix(level), text);
        if (log_file) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                struct tm tm;
                gmtime_r(&ts.tv_sec, &tm);
                char stamp[32];
                strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
                fprintf(log_file, "%s.%03ldZ %s%s\n", stamp, ts.tv_nsec / 1000000L,
                        level_prefix(level), text);
        }

        errno = saved_errno;
        return -error;
}
