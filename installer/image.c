/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stages "verify" and "image": the node image checked against its manifest
 * (docs/iso-build.md) completely before anything is written, then laid onto
 * the mounted target with its chunks checked again as they stream by. An
 * image URL (image-http.h) is checked chunk by chunk while it streams. */

#include <fcntl.h>
#include <inttypes.h>

#include <openssl/evp.h>

#define FORJA_CLEANUP_JSON
#include "cleanup-libs.h"
#include "engine-internal.h"
#include "image-http.h"
#include "image-manifest.h"
#include "json-out.h"
#include "log.h"
#include "zfs.h"

static int load_manifest(Engine *e, uint64_t *ret_size, uint8_t ret_sha[32]) {
        const char *path = e->c->manifest;
        _cleanup_json_ json_object *m = NULL;
        if (image_is_url(path)) {
                ImageHttpOptions o = { .fingerprint = e->c->image_fingerprint };
                _cleanup_free_ char *text = NULL, *error = NULL;
                int r = image_http_get_manifest(path, &o, &text, &error);
                if (r < 0)
                        return engine_fail(e, r, "image manifest: %s", error ?: strerror(-r));
                m = json_tokener_parse(text);
        } else
                m = json_object_from_file(path);
        if (!m)
                return engine_fail(e, -EINVAL, "image manifest %s: cannot read it as JSON", path);
        _cleanup_(image_manifest_done) ImageManifest mf = {};
        _cleanup_free_ char *why = NULL;
        int r = image_manifest_parse(m, &mf, &why);
        if (r == -EINVAL)
                return engine_fail(e, r, "image manifest %s: %s", path, why);
        if (r < 0)
                return r;

        if (json_array_len(json_get(e->storage, "zfs-pools")) > 0 && !zfs_manifest_has_zfs(m))
                return engine_fail(e, -EOPNOTSUPP, "the answer asks for ZFS, and the node image of %s has no ZFS "
                                   "(zfsutils-linux and zfs-initramfs; build it with `forja iso build --with-zfs`): "
                                   "nothing was written", path);

        if (sha256_from_hex(strempty(json_get_string(m, "sha256")), ret_sha) < 0)
                return engine_fail(e, -EINVAL, "image manifest %s: key 'sha256' is not a SHA-256", path);

        free(e->chunk_sha256);
        e->chunk_sha256 = TAKE_PTR(mf.sha256);
        e->chunks = mf.chunks;
        *ret_size = e->chunks.total_size;
        return 0;
}

static void evp_md_ctx_freep(EVP_MD_CTX **c) {
        if (*c)
                EVP_MD_CTX_free(*c);
}

int stage_verify(Engine *e) {
        uint64_t size = 0;
        uint8_t want[32], got[32];
        int r;

        if (!e->c->image || !e->c->manifest)
                return engine_fail(e, -EINVAL, "no node image given (--image and --manifest)");
        r = load_manifest(e, &size, want);
        if (r < 0)
                return r;
        if (image_is_url(e->c->image)) {
                /* Nothing to read ahead: the image is checked chunk by chunk
                 * as it streams, before each chunk is extracted. Here only
                 * that it is there, with its size, and resumable. */
                ImageHttpOptions o = { .fingerprint = e->c->image_fingerprint };
                _cleanup_free_ char *error = NULL;
                r = image_http_probe(e->c->image, size, &o, &error);
                if (r < 0)
                        return engine_fail(e, r, "image %s: %s: nothing was written", e->c->image, error ?: strerror(-r));
                log_info("Image %s: %" PRIu64 " bytes in %zu chunks; streamed over HTTP, every chunk is verified against "
                         "its SHA-256 in the manifest during extraction, before it is extracted.",
                         e->c->image, size, e->chunks.n_chunks);
                return 0;
        }

        _cleanup_close_ int fd = open(e->c->image, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return engine_fail(e, negative_errno(), "image %s: %m", e->c->image);
        _cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_free_ uint8_t *buf = malloc(1 << 20);
        if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
                return -ENOMEM;
        uint64_t done = 0;
        for (;;) {
                ssize_t k = read(fd, buf, 1 << 20);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return engine_fail(e, negative_errno(), "image %s: read error at %" PRIu64 ": %m", e->c->image, done);
                }
                if (k == 0)
                        break;
                EVP_DigestUpdate(ctx, buf, (size_t) k);
                done += (uint64_t) k;
                if (done % (64u << 20) < (uint64_t) k || done == size)
                        ui_progress(e->c->ui, done, size, "bytes");
        }
        unsigned len = 0;
        EVP_DigestFinal_ex(ctx, got, &len);
        if (done != size)
                return engine_fail(e, -EBADMSG, "image %s is %" PRIu64 " bytes, its manifest says %" PRIu64 ": nothing was written",
                                   e->c->image, done, size);
        if (memcmp(got, want, 32) != 0) {
                char g[65], w[65];
                sha256_to_hex(got, g);
                sha256_to_hex(want, w);
                return engine_fail(e, -EBADMSG, "image %s: SHA-256 %s does not match the manifest's %s: nothing was written",
                                   e->c->image, g, w);
        }
        log_info("Image %s verified: %" PRIu64 " bytes, SHA-256 matches the manifest.", e->c->image, size);
        return 0;
}

/* Forwards extraction progress to the front end; FORJA_KILL_AT=image-mid
 * kills the installer halfway through, for the fault injection tests. */
static void image_progress(void *userdata, uint64_t done, uint64_t total, const char *unit) {
        const Engine *e = userdata;
        if (total > 0 && done >= total / 2 && done - total / 2 < e->chunks.chunk_size)
                engine_kill_point("image-mid");
        ui_progress(e->c->ui, done, total, unit);
}

int stage_image(Engine *e) {
        InstallUi ui = { .userdata = e, .progress = image_progress };
        ExtractOptions o = { .chunks = &e->chunks, .ui = &ui, .sync = true };
        ExtractStats st = {};
        _cleanup_free_ char *error = NULL;
        int r;

        if (image_is_url(e->c->image)) {
                ImageHttpOptions ho = { .fingerprint = e->c->image_fingerprint };
                r = image_http_extract(e->c->image, &ho, e->c->target, &o, &st, &error);
        } else {
                _cleanup_close_ int fd = open(e->c->image, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return engine_fail(e, negative_errno(), "image %s: %m", e->c->image);
                r = image_extract_fd(fd, e->c->target, &o, &st, &error);
        }
        /* libarchive says only "Write failed" when the target fills up. */
        if (r == -ENOSPC || r == -EDQUOT) {
                /* The extractor may have named the errno already. */
                bool named = error && strstr(error, strerror(-r));
                return engine_fail(e, r, "extracting %s onto %s: %s%s%s: the target file systems of the plan are too small for the node image",
                                   e->c->image, e->c->target, error ?: "write failed", named ? "" : ": ",
                                   named ? "" : strerror(-r));
        }
        if (r < 0)
                return engine_fail(e, r, "extracting %s onto %s: %s", e->c->image, e->c->target, error ?: strerror(-r));
        log_info("Extracted %" PRIu64 " entries, %" PRIu64 " bytes of file data from %" PRIu64 " compressed bytes.",
                 st.entries, st.data_bytes, st.compressed_bytes);
        return 0;
}
