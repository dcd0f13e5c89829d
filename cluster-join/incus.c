/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Incus REST API over the local unix socket. */

#define FORJA_CLEANUP_CURL
#define FORJA_CLEANUP_JSON
#include "env-hooks.h"
#include "cleanup-libs.h"
#include "cluster-internal.h"
#include "incus.h"
#include "json-out.h"

#include <sys/stat.h>

#define MAX_RESPONSE (16u << 20)

int incus_client_init(IncusClient *c, const char *socket) {
        const char *dir = env_hook(ENV_INCUS_DIR);
        char *p = NULL;
        if (socket)
                p = strdup(socket);
        else if (dir && *dir) {
                if (asprintf(&p, "%s/unix.socket", dir) < 0)
                        p = NULL;
        } else
                p = strdup("/var/lib/incus/unix.socket");
        if (!p)
                return -ENOMEM;
        *c = (IncusClient) { .socket_path = p };
        return 0;
}

void incus_client_done(IncusClient *c) {
        free(c->socket_path);
        c->socket_path = NULL;
}

static int errno_for_status(long status) {
        switch (status) {
        case 400: return -EBADR;
        case 403: return -EPERM;
        case 404: return -ENOENT;
        case 409: return -EEXIST;
        default: return -EIO;
        }
}

/* An image upload instead of a JSON body: one file as the body (a unified
 * image), or metadata + rootfs as multipart/form-data (a split image). */
typedef struct IncusUpload {
        const char *file;
        const char *metadata, *rootfs, *rootfs_part;
} IncusUpload;

static void curl_mime_freep(curl_mime **m) {
        if (*m)
                curl_mime_free(*m);
}

/* Sends the request; on an API error *ret_error gets the daemon's message
 * as is, and *ret_code its error code. */
static int incus_call_upload(IncusClient *c, const char *method, const char *path, json_object *body,
                             const IncusUpload *up, json_object **ret_metadata, char **ret_operation, long *ret_code,
                             char **ret_error) {
        _cleanup_curl_ CURL *h = curl_easy_init();
        _cleanup_curl_slist_ struct curl_slist *headers = NULL;
        _cleanup_free_ char *url = NULL;
        char errbuf[CURL_ERROR_SIZE] = {};
        CurlBuffer buf = { .max = MAX_RESPONSE };
        _cleanup_free_ char *data_owner = NULL;
        _cleanup_(curl_mime_freep) curl_mime *mime = NULL;
        _cleanup_fclose_ FILE *f = NULL;

        if (!h)
                return -ENOMEM;
        if (asprintf(&url, "http://incus%s", path) < 0)
                return -ENOMEM;
        headers = curl_slist_append(NULL, up && up->file ? "Content-Type: application/octet-stream"
                                          : up ? "Expect:" : "Content-Type: application/json");
        if (!headers)
                return -ENOMEM;
        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->socket_path);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cluster_curl_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &buf);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, (long) (c->timeout_sec ?: 30));
        if (body) {
                const char *js = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
                                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
                if (!js)
                        return -ENOMEM;
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, js);
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long) strlen(js));
        }
        if (up && up->file) {
                struct stat st;
                f = fopen(up->file, "re");
                if (!f || fstat(fileno(f), &st) < 0) {
                        error_setf(ret_error, "cannot read %s: %s", up->file, strerror(errno));
                        return -errno;
                }
                curl_easy_setopt(h, CURLOPT_POST, 1L);
                curl_easy_setopt(h, CURLOPT_READDATA, f);
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) st.st_size);
        } else if (up) {
                mime = curl_mime_init(h);
                curl_mimepart *m = mime ? curl_mime_addpart(mime) : NULL;
                if (!m || curl_mime_name(m, "metadata") != CURLE_OK || curl_mime_filedata(m, up->metadata) != CURLE_OK)
                        return -ENOMEM;
                m = curl_mime_addpart(mime);
                if (!m || curl_mime_name(m, up->rootfs_part) != CURLE_OK || curl_mime_filedata(m, up->rootfs) != CURLE_OK)
                        return -ENOMEM;
                curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
        }

        CURLcode cc = curl_easy_perform(h);
        data_owner = buf.data;
        if (cc != CURLE_OK) {
                /* curl speaks of "incus port 80" here; say what is wrong with the socket. */
                if (access(c->socket_path, F_OK) < 0)
                        error_setf(ret_error, "cannot talk to incusd at %s: %s (is incusd running?)",
                                          c->socket_path, strerror(errno));
                else if (cc == CURLE_COULDNT_CONNECT)
                        error_setf(ret_error, "cannot talk to incusd at %s: connection refused (is incusd running?)",
                                          c->socket_path);
                else
                        error_setf(ret_error, "cannot talk to incusd at %s: %s", c->socket_path,
                                          *errbuf ? errbuf : curl_easy_strerror(cc));
                return -ENOTCONN;
        }
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);

        _cleanup_json_ json_object *o = buf.data ? json_tokener_parse(buf.data) : NULL;
        if (!o || !json_object_is_type(o, json_type_object)) {
                error_setf(ret_error, "%s %s: HTTP %ld with a response that is not Incus JSON", method, path,
                                  status);
                return -EPROTO;
        }
        const char *type = json_get_string(o, "type");
        if (status >= 400 || streq_ptr(type, "error")) {
                json_object *code = json_get(o, "error_code");
                long ecode = code ? json_object_get_int(code) : status;
                error_setf(ret_error, "%s", json_get_string(o, "error") ?: "error");
                *ret_code = ecode;
                return errno_for_status(ecode);
        }
        if (ret_operation) {
                const char *op = json_get_string(o, "operation");
                *ret_operation = NULL;
                if (streq_ptr(type, "async") && op && *op && !(*ret_operation = strdup(op)))
                        return -ENOMEM;
        }
        if (ret_metadata) {
                json_object *m = json_get(o, "metadata");
                *ret_metadata = m ? json_object_get(m) : NULL;
        }
        return 0;
}

static int incus_call(IncusClient *c, const char *method, const char *path, json_object *body,
                      json_object **ret_metadata, char **ret_operation, long *ret_code, char **ret_error) {
        return incus_call_upload(c, method, path, body, NULL, ret_metadata, ret_operation, ret_code, ret_error);
}

int incus_upload_image(IncusClient *c, const char *metadata, const char *rootfs, const char *rootfs_part,
                       char **ret_operation, char **ret_error) {
        IncusUpload up = rootfs ? (IncusUpload) { .metadata = metadata, .rootfs = rootfs, .rootfs_part = rootfs_part }
                                : (IncusUpload) { .file = metadata };
        IncusClient uc = *c;
        _cleanup_free_ char *err = NULL;
        long code = 0;
        uc.timeout_sec = 600; /* hundreds of MB over a socket, on a slow disk */
        int r = incus_call_upload(&uc, "POST", "/1.0/images", NULL, &up, NULL, ret_operation, &code, &err);
        if (r < 0)
                error_setf(ret_error, "POST /1.0/images: %s", strempty(err));
        return r;
}

int incus_request(IncusClient *c, const char *method, const char *path, json_object *body,
                  json_object **ret_metadata, char **ret_operation, char **ret_error) {
        _cleanup_free_ char *err = NULL;
        long code = 0;
        int r = incus_call(c, method, path, body, ret_metadata, ret_operation, &code, &err);
        if (r < 0 && code > 0)
                error_setf(ret_error, "%s %s: %s (HTTP %ld)", method, path, strempty(err), code);
        else if (r < 0)
                error_setf(ret_error, "%s", strempty(err));
        return r;
}

int incus_wait_operation(IncusClient *c, const char *operation, unsigned timeout_sec,
                         json_object **ret_metadata, char **ret_error) {
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *m = NULL;
        IncusClient wc = *c;
        int r;

        /* The request itself must outlive the server-side wait. */
        wc.timeout_sec = timeout_sec + 10;
        if (asprintf(&path, "%s/wait?timeout=%u", operation, timeout_sec) < 0)
                return -ENOMEM;
        long code = 0;
        _cleanup_free_ char *err = NULL;
        r = incus_call(&wc, "GET", path, NULL, &m, NULL, &code, &err);
        if (r == -ENOENT) {
                error_setf(ret_error, "operation %s is gone", operation);
                return r;
        }
        if (r < 0) {
                /* A failed operation comes back as an error of the wait. */
                error_setf(ret_error, "%s", strempty(err));
                return r == -ENOTCONN ? r : code == 403 ? -EPERM : -EIO;
        }
        const char *status = json_get_string(m, "status");
        if (streq_ptr(status, "Success")) {
                if (ret_metadata)
                        *ret_metadata = TAKE_PTR(m);
                return 0;
        }
        if (streq_ptr(status, "Running") || streq_ptr(status, "Pending")) {
                error_setf(ret_error, "operation %s still running after %u s", operation, timeout_sec);
                return -ETIMEDOUT;
        }
        error_setf(ret_error, "%s", json_get_string(m, "err") ?: status ?: "operation failed");
        return -EIO;
}
