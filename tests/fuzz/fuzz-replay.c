/* SPDX-License-Identifier: GPL-2.0-or-later */

/* Replays fuzz inputs through a target's LLVMFuzzerTestOneInput() without
 * libFuzzer, so the corpus (and every crash found, kept there as a
 * regression input) runs in the normal test suite with gcc.
 * Usage: fuzz-replay-NAME FILE|DIR...  (fails when no input was found) */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path, unsigned *count) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_full_file(path, 0, &data, &size);
        if (r < 0) {
                fprintf(stderr, "Failed to read '%s': %s\n", path, strerror(-r));
                return r;
        }
        LLVMFuzzerTestOneInput((const uint8_t *) data, size);
        (*count)++;
        return 0;
}

static int replay(const char *path, unsigned *count) {
        struct stat st;
        struct dirent **names = NULL;
        int n, r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "Failed to stat '%s': %m\n", path);
                return -errno;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path, count);

        n = scandir(path, &names, NULL, alphasort);
        if (n < 0) {
                fprintf(stderr, "Failed to list '%s': %m\n", path);
                return -errno;
        }
        for (int i = 0; i < n; i++) {
                if (names[i]->d_name[0] != '.' && r >= 0) {
                        _cleanup_free_ char *child = NULL;

                        if (asprintf(&child, "%s/%s", path, names[i]->d_name) < 0)
                                r = -ENOMEM;
                        else
                                r = replay(child, count);
                }
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char *argv[]) {
        unsigned count = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: %s FILE|DIR...\n", argv[0]);
                return 2;
        }
        for (int i = 1; i < argc; i++)
                if (replay(argv[i], &count) < 0)
                        return 1;
        if (count == 0) {
                fprintf(stderr, "no inputs found\n");
                return 1;
        }
        printf("%u inputs replayed\n", count);
        return 0;
}
