/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Verification of a join token's cluster over the network, before anything is
 * wiped: TLS to each address, the certificate pinned by the token's SHA-256
 * fingerprint (of the DER certificate, as Incus computes it), and GET /1.0
 * answering as the Incus API. Only GET /1.0 is sent: no secret leaves. */

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define FORJA_CLEANUP_CURL
#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "cluster-internal.h"
#include "cluster.h"
#include "json-out.h"

#define MAX_BODY (4u << 20)

void cluster_probe_done(ClusterProbe *p) {
        if (!p)
                return;
        free(p->address);
        free(p->certificate_pem);
        *p = (ClusterProbe) {};
}

/* SHA-256 of the DER form of a PEM certificate, lower-case hex. */
static int pem_fingerprint(const char *pem, char ret[65]) {
        BIO *bio = BIO_new_mem_buf(pem, -1);
        if (!bio)
                return -ENOMEM;
        X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        BIO_free(bio);
        if (!x)
                return -EBADMSG;
        unsigned char *der = NULL;
        int n = i2d_X509(x, &der);
        X509_free(x);
        if (n <= 0)
                return -EBADMSG;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned mdlen = 0;
        int ok = EVP_Digest(der, (size_t) n, md, &mdlen, EVP_sha256(), NULL);
        OPENSSL_free(der);
        if (!ok || mdlen != 32)
                return -EIO;
        for (unsigned i = 0; i < mdlen; i++)
                snprintf(ret + 2 * i, 3, "%02x", md[i]);
        return 0;
}

/* The leaf certificate's PEM from libcurl's certinfo ("Cert:" field). */
static const char *leaf_pem(CURL *h) {
        struct curl_certinfo *ci = NULL;
        if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
                return NULL;
        for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next) {
                const char *v = startswith(s->data, "Cert:");
                if (v)
                        return v;
        }
        return NULL;
}

/* Checks one address. 0: verified (ret_pem set); otherwise -errno and a
 * reason (without the address) in *ret_reason. */
static int probe_address(const char *address, const char *fingerprint, unsigned connect_timeout,
                         char **ret_pem, char **ret_reason) {
        _cleanup_curl_ CURL *h = curl_easy_init();
        _cleanup_free_ char *url = NULL, *body_data = NULL;
        char errbuf[CURL_ERROR_SIZE] = {};
        CurlBuffer body = { .max = MAX_BODY };

        if (!h)
                return -ENOMEM;
        if (asprintf(&url, "https://%s/1.0", address) < 0)
                return -ENOMEM;
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
        /* Trust comes from the pinned fingerprint below, not from a CA. */
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long) connect_timeout);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, (long) connect_timeout * 2);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cluster_curl_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

        CURLcode cc = curl_easy_perform(h);
        body_data = body.data;
        const char *pem = leaf_pem(h);
        if (cc != CURLE_OK && !pem) {
                error_setf(ret_reason, "unreachable (%s)", *errbuf ? errbuf : curl_easy_strerror(cc));
                return -EHOSTUNREACH;
        }
        if (!pem) {
                error_setf(ret_reason, "no TLS certificate seen");
                return -EPROTO;
        }
        char got[65];
        int r = pem_fingerprint(pem, got);
        if (r < 0) {
                error_setf(ret_reason, "unreadable TLS certificate");
                return -EPROTO;
        }
        if (strcasecmp(got, fingerprint) != 0) {
                error_setf(ret_reason, "certificate fingerprint mismatch: expected %s, got %s", fingerprint, got);
                return -EKEYREJECTED;
        }
        if (cc != CURLE_OK) {
                error_setf(ret_reason, "right certificate, but GET /1.0 failed (%s)",
                                  *errbuf ? errbuf : curl_easy_strerror(cc));
                return -EPROTO;
        }

        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        _cleanup_json_ json_object *o = body.data ? json_tokener_parse(body.data) : NULL;
        json_object *m = json_get(o, "metadata");
        json_object *ext = json_get(m, "api_extensions");
        bool has_join = false;
        for (size_t i = 0; ext && json_object_is_type(ext, json_type_array) && i < json_object_array_length(ext); i++)
                has_join = has_join ||
                           streq_ptr(json_object_get_string(json_object_array_get_idx(ext, i)), "clustering_join_token");
        if (status != 200 || !streq_ptr(json_get_string(m, "api_version"), "1.0") || !has_join) {
                error_setf(ret_reason,
                                  "right certificate, but GET /1.0 does not answer as Incus (HTTP %ld, %s)", status,
                                  !o ? "not JSON" : !streq_ptr(json_get_string(m, "api_version"), "1.0")
                                                  ? "no api_version 1.0"
                                                  : "no join token support");
                return -EPROTO;
        }
        if (!(*ret_pem = strdup(pem)))
                return -ENOMEM;
        return 0;
}

int cluster_probe_token(const ClusterToken *t, unsigned connect_timeout_sec, ClusterProbe *ret, char **ret_error) {
        _cleanup_free_ char *reasons = NULL;
        int worst = -EHOSTUNREACH;

        for (char **a = t->addresses; a && *a; a++) {
                _cleanup_free_ char *pem = NULL, *reason = NULL;
                int r = probe_address(*a, t->fingerprint, connect_timeout_sec ?: 5, &pem, &reason);
                if (r == -ENOMEM)
                        return r;
                if (r == 0) {
                        char *addr = strdup(*a);
                        if (!addr)
                                return -ENOMEM;
                        *ret = (ClusterProbe) { .address = addr, .certificate_pem = TAKE_PTR(pem) };
                        return 0;
                }
                /* A certificate mismatch matters more than an unreachable address. */
                if (r == -EKEYREJECTED || (r == -EPROTO && worst == -EHOSTUNREACH))
                        worst = r;
                if (strextendf_with_separator(&reasons, "; ", "%s: %s", *a, strempty(reason)) < 0)
                        return -ENOMEM;
        }
        error_setf(ret_error, "cluster.token: %s: %s",
                          worst == -EKEYREJECTED ? "the cluster in the token could not be verified, a server presented another certificate"
                          : worst == -EPROTO     ? "the cluster in the token could not be verified"
                                                 : "none of the cluster addresses in the token could be reached",
                          strempty(reasons));
        return worst;
}

int cluster_verify(const ClusterSettings *s, char **ret_error) {
        _cleanup_free_ char *token = NULL, *name = NULL;
        _cleanup_(cluster_token_done) ClusterToken t = {};
        _cleanup_(cluster_probe_done) ClusterProbe p = {};
        int r;

        if (s->mode != CLUSTER_MODE_JOIN)
                return 0;
        r = cluster_settings_token(s, &token, ret_error);
        if (r < 0)
                return r;
        r = cluster_settings_server_name(s, &name);
        if (r < 0)
                return r;
        r = cluster_token_decode(token, &t, ret_error);
        explicit_bzero(token, strlen(token));
        if (r < 0)
                return r;
        r = cluster_token_validate(&t, name, time(NULL), ret_error);
        if (r < 0 || !s->verify)
                return r;
        return cluster_probe_token(&t, 0, &p, ret_error);
}
