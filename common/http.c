/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "http.h"
#include "log.h"
#include "macro.h"
#include "strutil.h"

typedef struct Transfer {
        const HttpRequest *req;
        CURL *curl;                     /* of the attempt running */
        char *body;
        size_t size, cap, max_size;
        bool too_big;
        bool aborted;
        char expected_fp[96];           /* normalised pin, empty when none */
        char peer_fp[96];
        bool pin_mismatch;
} Transfer;

void http_response_done(HttpResponse *r) {
        if (!r)
                return;
        free(r->body);
        free(r->content_type);
        r->body = r->content_type = NULL;
}

bool http_url_is_plain(const char *url) {
        return !url || strncasecmp(url, "https://", 8) != 0;
}

int http_normalize_fingerprint(const char *in, char ret[96]) {
        size_t n = 0, j = 0;
        for (const char *p = in; *p; p++) {
                if (*p == ':' || *p == ' ')
                        continue;
                if (!strchr("0123456789abcdefABCDEF", *p) || n >= 64)
                        return -EINVAL;
                if (n > 0 && n % 2 == 0)
                        ret[j++] = ':';
                ret[j++] = (char) (*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
                n++;
        }
        ret[j] = 0;
        return n == 64 ? 0 : -EINVAL;
}

static void fingerprint_of(X509 *cert, char ret[96]) {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        ret[0] = 0;
        if (!cert || X509_digest(cert, EVP_sha256(), d, &len) != 1)
                return;
        for (unsigned i = 0; i < len; i++)
                sprintf(ret + 3 * i, i + 1 < len ? "%02X:" : "%02X", d[i]);
}

/* Replaces OpenSSL's chain verification when a fingerprint is pinned: the leaf
 * certificate must hash to the pin, whoever signed it. */
static int verify_pinned(X509_STORE_CTX *store, void *userdata) {
        Transfer *t = userdata;
        fingerprint_of(X509_STORE_CTX_get0_cert(store), t->peer_fp);
        if (t->peer_fp[0] && streq(t->peer_fp, t->expected_fp))
                return 1;
        t->pin_mismatch = true;
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
        return 0;
}

static CURLcode setup_ssl_ctx(CURL *curl, void *ssl_ctx, void *userdata) {
        SSL_CTX_set_cert_verify_callback(ssl_ctx, verify_pinned, userdata);
        return CURLE_OK;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
        Transfer *t = userdata;
        size_t n = size * nmemb;

        if (t->req->on_data) {
                /* An error page is not the stream: it is dropped, and the
                 * status decides the outcome. */
                long status = 0;
                curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
                if (t->req->resume_from > 0 ? status != 206 : status != 200 && status != 201)
                        return n;
                if (t->req->on_data(data, n, t->req->userdata) < 0) {
                        t->aborted = true;
                        return 0;
                }
                t->size += n;
                return n;
        }
        if (t->size + n > t->max_size) {
                t->too_big = true;
                return 0;
        }
        if (t->size + n + 1 > t->cap) {
                size_t cap = MAX(t->cap * 2, t->size + n + 1);
                char *b = realloc(t->body, cap);
                if (!b)
                        return 0;
                t->body = b;
                t->cap = cap;
        }
        memcpy(t->body + t->size, data, n);
        t->size += n;
        t->body[t->size] = 0;
        return n;
}

static bool curl_code_is_transient(CURLcode c) {
        switch (c) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return true;
        default:
                return false;
        }
}

static int errno_for_curl_code(CURLcode c) {
        switch (c) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
                return -EPERM;
        case CURLE_FILESIZE_EXCEEDED:
                return -EFBIG;
        default:
                return -EPROTO;
        }
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static void curl_cleanup_p(CURL **c) {
        if (*c)
                curl_easy_cleanup(*c);
}
static void slist_free_p(struct curl_slist **l) {
        if (*l)
                curl_slist_free_all(*l);
}

/* One attempt. Returns 0, or -errno with *ret_transient telling whether a retry may help. */
static int attempt(const HttpRequest *req, Transfer *t, HttpResponse *resp, bool *ret_transient, char **ret_error) {
        _cleanup_(curl_cleanup_p) CURL *c = curl_easy_init();
        _cleanup_(slist_free_p) struct curl_slist *headers = NULL;
        _cleanup_free_ char *auth = NULL, *ctype = NULL;
        char curl_err[CURL_ERROR_SIZE] = "";

        *ret_transient = false;
        if (!c)
                return -ENOMEM;
        t->curl = c;

        curl_easy_setopt(c, CURLOPT_URL, req->url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long) (req->connect_timeout_sec ?: 10));
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long) (req->timeout_sec ?: 60));
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, req->unix_socket ? "http" : "http,https");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "forja");
        if (!req->on_data)
                curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) t->max_size);
        if (req->unix_socket)
                curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, req->unix_socket);
        if (req->on_data && req->resume_from > 0)
                curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) req->resume_from);
        if (req->on_data && req->stall_timeout_sec > 0) {
                curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
                curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long) req->stall_timeout_sec);
        }
        if (t->expected_fp[0]) {
                /* Verification stays on; the pinned callback replaces the CA
                 * chain, so no CA bundle is loaded (the installer has none). */
                curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
                curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
                curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, setup_ssl_ctx);
                curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, t);
        }
        if (req->body) {
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_size);
        }
        if (req->method)
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
        if (req->content_type) {
                if (asprintf(&ctype, "Content-Type: %s", req->content_type) < 0)
                        return -ENOMEM;
                headers = curl_slist_append(headers, ctype);
        }
        if (req->bearer_token) {
                if (asprintf(&auth, "Authorization: Bearer %s", req->bearer_token) < 0)
                        return -ENOMEM;
                headers = curl_slist_append(headers, auth);
        }
        if (headers)
                curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

        CURLcode code = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        resp->status = status;
        char *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        free(resp->content_type);
        resp->content_type = ct ? strdup(ct) : NULL;
        if (auth)
                explicit_bzero(auth, strlen(auth));

        if (t->pin_mismatch) {
                error_setf(ret_error, "%s: server certificate fingerprint %s does not match the pinned %s",
                          req->url, t->peer_fp[0] ? t->peer_fp : "(none)", t->expected_fp);
                return -EPERM;
        }
        if (t->too_big || code == CURLE_FILESIZE_EXCEEDED) {
                error_setf(ret_error, "%s: reply larger than the limit of %zu bytes", req->url, t->max_size);
                return -EFBIG;
        }
        if (t->aborted) {
                error_setf(ret_error, "%s: transfer stopped by the receiver", req->url);
                return -ECANCELED;
        }
        if (code != CURLE_OK) {
                *ret_transient = curl_code_is_transient(code);
                error_setf(ret_error, "%s: %s", req->url, curl_err[0] ? curl_err : curl_easy_strerror(code));
                return errno_for_curl_code(code);
        }
        if (req->on_data && req->resume_from > 0) {
                if (status == 206)
                        return 0;
                if (status == 200) {
                        error_setf(ret_error, "%s: the server ignored the range request (bytes=%llu-)", req->url,
                                   (unsigned long long) req->resume_from);
                        return -EPROTO;
                }
        } else if (status == 200 || status == 201)
                return 0;
        *ret_transient = status >= 500 || status == 408 || status == 429;
        error_setf(ret_error, "%s: HTTP status %ld (only 200 and 201 are accepted)", req->url, status);
        return status == 404 ? -ENOENT : -EPROTO;
}

int http_request(const HttpRequest *req, HttpResponse *ret, char **ret_error) {
        static bool initialized;
        HttpResponse resp = {};
        Transfer t = { .req = req, .max_size = req->max_size ?: (1u << 20) };
        unsigned attempts = req->on_data ? 1 : MAX(req->attempts, 1u);
        unsigned delay = req->backoff_ms ?: 1000;
        int r = -EINVAL;

        if (!req->url)
                return -EINVAL;
        /* The last defence behind the answer checks: a pin cannot be checked
         * and a token would be readable without TLS (a unix socket is local). */
        if (!req->unix_socket && http_url_is_plain(req->url) && (req->fingerprint || req->bearer_token)) {
                if (req->bearer_token)
                        error_setf(ret_error, "%s: refusing to send a bearer token over plain http (an https:// URL is needed)",
                                   req->url);
                else
                        error_setf(ret_error, "%s: a pinned certificate cannot be checked over plain http (an https:// URL is needed)",
                                   req->url);
                return -EINVAL;
        }
        if (req->fingerprint && http_normalize_fingerprint(req->fingerprint, t.expected_fp) < 0) {
                error_setf(ret_error, "Invalid certificate fingerprint '%s': expected 32 hex bytes (SHA-256), colons allowed",
                          req->fingerprint);
                return -EINVAL;
        }
        if (!initialized) {
                if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                        return -ENOMEM;
                initialized = true;
        }

        for (unsigned i = 1; i <= attempts; i++) {
                bool transient;
                t.size = 0;
                t.too_big = t.aborted = t.pin_mismatch = false;
                t.peer_fp[0] = 0;
                resp.attempts = i;
                r = attempt(req, &t, &resp, &transient, ret_error);
                snprintf(resp.peer_fingerprint, sizeof(resp.peer_fingerprint), "%s", t.peer_fp);
                if (r >= 0 || !transient || i == attempts)
                        break;
                log_warning("Attempt %u of %u failed: %s; retrying in %u ms.", i, attempts,
                            ret_error && *ret_error ? *ret_error : req->url, delay);
                sleep_ms(delay);
                delay = MIN(delay * 2, 30000u);
        }
        if (r >= 0 && !req->on_data) {
                resp.body = TAKE_PTR(t.body);
                resp.size = t.size;
                if (!resp.body)
                        resp.body = strdup("");
        }
        if (r >= 0 && ret_error) {
                free(*ret_error);
                *ret_error = NULL;
        }
        free(t.body);
        if (ret)
                *ret = resp;
        else
                http_response_done(&resp);
        return r;
}

bool http_url_is_proxmox_api(const char *url) {
        const char *rest = url ? strstr(url, "://") : NULL;
        if (!rest)
                return false;
        const char *path = strchr(rest + 3, '/');
        return path && startswith(path, "/api2/json/");
}
