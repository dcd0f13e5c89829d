/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test driver for installer/extract.c:
 *   extract-image [--chunks FILE] IMAGE|- TARGET
 * FILE: first line "CHUNK_SIZE TOTAL_SIZE", then one hex SHA-256 per chunk.
 * Exit 0 on success, 3 on a hash mismatch, 4 on a refused or damaged image, 1 otherwise;
 * the error text goes to stderr. */

#include <fcntl.h>
#include <inttypes.h>

#include "extract.h"
#include "macro.h"

static int load_chunks(const char *path, ImageChunks *c, uint8_t (**ret)[32]) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        uint64_t cs, total;
        if (fscanf(f, "%" SCNu64 " %" SCNu64, &cs, &total) != 2)
                return -EINVAL;
        size_t cap = 16, n = 0;
        uint8_t (*d)[32] = malloc(cap * 32);
        char hex[80];
        while (fscanf(f, "%79s", hex) == 1) {
                if (n == cap)
                        d = realloc(d, (cap *= 2) * 32);
                if (sha256_from_hex(hex, d[n]) < 0)
                        return -EINVAL;
                n++;
        }
        *c = (ImageChunks) { .chunk_size = cs, .total_size = total, .n_chunks = n, .sha256 = (const uint8_t (*)[32]) d };
        *ret = d;
        return 0;
}

int main(int argc, char *argv[]) {
        ImageChunks chunks;
        uint8_t (*digests)[32] = NULL;
        bool have_chunks = false;
        int i = 1;

        if (argc > 2 && streq(argv[1], "--chunks")) {
                if (load_chunks(argv[2], &chunks, &digests) < 0) {
                        fprintf(stderr, "bad chunk file %s\n", argv[2]);
                        return 1;
                }
                have_chunks = true;
                i = 3;
        }
        if (argc - i != 2) {
                fprintf(stderr, "usage: extract-image [--chunks FILE] IMAGE|- TARGET\n");
                return 1;
        }
        int fd = streq(argv[i], "-") ? STDIN_FILENO : open(argv[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                perror(argv[i]);
                return 1;
        }
        ExtractOptions o = { .chunks = have_chunks ? &chunks : NULL, .sync = true };
        ExtractStats st = {};
        char *error = NULL;
        int r = image_extract_fd(fd, argv[i + 1], &o, &st, &error);
        free(digests);
        if (r < 0) {
                fprintf(stderr, "%s\n", error ? error : strerror(-r));
                free(error);
                return r == -EBADMSG ? 3 : r == -EINVAL ? 4 : 1;
        }
        printf("entries=%" PRIu64 " data=%" PRIu64 " compressed=%" PRIu64 "\n", st.entries, st.data_bytes, st.compressed_bytes);
        return 0;
}
