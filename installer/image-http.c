/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include "http.h"
#include "image-http.h"
#include "log.h"
#include "macro.h"
#include "strutil.h"

#define MANIFEST_MAX_SIZE (16u << 20)
#define DEFAULT_ATTEMPTS 5u
/* A stream that delivers nothing for this long is broken (the extractor
 * never holds the socket full that long: it writes what it reads). */
#define STALL_TIMEOUT_SEC 120u
/* A whole attempt; the image arrives as fast as it is extracted. */
#define STREAM_TIMEOUT_SEC (6u * 3600u)

bool image_is_url(const char *s) {
        return s && (startswith(s, "http://") || startswith(s, "https://"));
}

int image_manifest_url(const char *image_url, char **ret) {
        const char *base = strrchr(image_url, '/');
        base = base ? base + 1 : image_url;
        const char *dot = strstr(base, ".tar");
        size_t n = dot ? (size_t) (dot - image_url) : strlen(image_url);
        char *m = NULL;
        if (asprintf(&m, "%.*s.manifest.json", (int) n, image_url) < 0)
                return -ENOMEM;
        *ret = m;
        return 0;
}

int image_http_get_manifest(const char *url, const ImageHttpOptions *o, char **ret_text, char **ret_error) {
        HttpRequest req = {
                .url = url,
                .fingerprint = o->fingerprint,
                .attempts = o->attempts ?: DEFAULT_ATTEMPTS,
                .backoff_ms = o->backoff_ms,
                .max_size = MANIFEST_MAX_SIZE,
        };
        HttpResponse resp = {};
        int r = http_request(&req, &resp, ret_error);
        if (r >= 0)
                *ret_text = TAKE_PTR(resp.body);
        http_response_done(&resp);
        return r;
}

/* A failed attempt worth repeating: the network or the server hiccuped.
 * 404, a pin mismatch, a refused range or the receiver stopping are final. */
static bool failure_is_transient(int r, long status) {
        if (r == -ENOENT || r == -EPERM || r == -ECANCELED || r == -EINVAL || r == -EFBIG || r == -ENOMEM)
                return false;
        if (r == -EPROTO && status >= 400 && status < 500 && status != 408 && status != 429)
                return false;
        return true;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int discard(const void *data, size_t size, void *userdata) {
        return 0;
}

int image_http_probe(const char *url, uint64_t size, const ImageHttpOptions *o, char **ret_error) {
        unsigned attempts = o->attempts ?: DEFAULT_ATTEMPTS, delay = o->backoff_ms ?: 1000;
        int r = -EINVAL;

        if (size == 0)
                return -EINVAL;
        for (unsigned i = 1; i <= attempts; i++) {
                HttpRequest req = {
                        .url = url,
                        .fingerprint = o->fingerprint,
                        .on_data = discard,
                        .resume_from = size - 1,
                        .timeout_sec = 60,
                };
                HttpResponse resp = {};
                _cleanup_free_ char *err = NULL;
                r = http_request(&req, &resp, &err);
                long status = resp.status;
                http_response_done(&resp);
                if (r >= 0)
                        return 0;
                if (!failure_is_transient(r, status) || i == attempts) {
                        error_setf(ret_error, "%s", err ?: strerror(-r));
                        return r;
                }
                log_warning("Image probe, attempt %u of %u failed: %s; retrying in %u ms.", i, attempts,
                            strempty(err), delay);
                sleep_ms(delay);
                delay = MIN(delay * 2, 30000u);
        }
        return r;
}

typedef struct Stream {
        const char *url;
        const ImageHttpOptions *o;
        int fd;                 /* the writing end */
        uint64_t delivered;     /* bytes handed to the extractor */
        int r;
        char *error;
} Stream;

static int stream_write(const void *data, size_t size, void *userdata) {
        Stream *s = userdata;
        const char *p = data;
        while (size > 0) {
                ssize_t k = send(s->fd, p, size, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;  /* the extractor stopped reading */
                }
                p += k;
                size -= (size_t) k;
                s->delivered += (uint64_t) k;
        }
        return 0;
}

static void *stream_thread(void *userdata) {
        Stream *s = userdata;
        unsigned attempts = s->o->attempts ?: DEFAULT_ATTEMPTS, delay = s->o->backoff_ms ?: 1000;
        bool resumable = true;

        for (unsigned i = 1; i <= attempts; i++) {
                HttpRequest req = {
                        .url = s->url,
                        .fingerprint = s->o->fingerprint,
                        .on_data = stream_write,
                        .userdata = s,
                        .resume_from = s->delivered,
                        .timeout_sec = STREAM_TIMEOUT_SEC,
                        .stall_timeout_sec = STALL_TIMEOUT_SEC,
                };
                HttpResponse resp = {};
                uint64_t before = s->delivered;
                free(s->error);
                s->error = NULL;
                s->r = http_request(&req, &resp, &s->error);
                long status = resp.status;
                http_response_done(&resp);
                if (s->r >= 0)
                        break;
                if (s->r == -EPROTO && before > 0 && status == 200)
                        resumable = false;      /* range refused: cannot go on without rereading */
                if (!resumable || !failure_is_transient(s->r, status) || i == attempts)
                        break;
                log_warning("Image download, attempt %u of %u failed after %llu bytes: %s; %s in %u ms.", i, attempts,
                            (unsigned long long) s->delivered, strempty(s->error),
                            s->delivered > 0 ? "resuming from there" : "retrying", delay);
                sleep_ms(delay);
                delay = MIN(delay * 2, 30000u);
        }
        /* EOF for the extractor, whatever happened. */
        (void) shutdown(s->fd, SHUT_WR);
        return NULL;
}

int image_http_extract(const char *url, const ImageHttpOptions *o, const char *target, const ExtractOptions *eo,
                       ExtractStats *ret_stats, char **ret_error) {
        int sv[2];
        pthread_t tid;
        int r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        Stream s = { .url = url, .o = o, .fd = sv[1] };
        r = -pthread_create(&tid, NULL, stream_thread, &s);
        if (r < 0) {
                close(sv[0]);
                close(sv[1]);
                return r;
        }

        _cleanup_free_ char *extract_error = NULL;
        r = image_extract_fd(sv[0], target, eo, ret_stats, &extract_error);
        /* Whatever the extractor did not read makes the writer stop. */
        (void) shutdown(sv[0], SHUT_RDWR);
        pthread_join(tid, NULL);
        close(sv[0]);
        close(sv[1]);

        bool download_failed = s.r < 0 && s.r != -ECANCELED;  /* -ECANCELED: the extractor stopped it */
        if (r >= 0)
                ;
        else if (download_failed && r != -EBADMSG) {
                /* The transfer's reason explains a short stream better than
                 * the extractor's "unexpected end of data". */
                error_setf(ret_error, "downloading the image failed after %llu bytes: %s",
                           (unsigned long long) s.delivered, s.error ?: strerror(-s.r));
                r = s.r;
        } else if (download_failed)
                error_setf(ret_error, "%s (the download failed too: %s)", strempty(extract_error), strempty(s.error));
        else
                error_setf(ret_error, "%s", extract_error ?: strerror(-r));
        free(s.error);
        return r;
}
