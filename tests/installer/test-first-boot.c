/* SPDX-License-Identifier: GPL-2.0-or-later */
/* installer/first-boot.c: the hook's integrity. The answer's first-boot.sha256
 * is checked against what was loaded (a mismatch stops the install before
 * any write), and a plan with a plain http hook and neither sha256 nor
 * allow-unverified-http is refused before any request. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "first-boot.h"
#include "testlib.h"

#define HOOK "#!/bin/sh\necho hook\n"
/* printf '#!/bin/sh\necho hook\n' | sha256sum */
#define HOOK_SHA256 "3b3bb6bd3cf2a9b2a0d1cd5a4ec6f1a5a0e0c58b8c8c6dd30b1c4a0e8c8b0d54"

static int load(const char *json, const char *medium, char **ret_error) {
        json_object *fb = json_tokener_parse(json);
        char *data = NULL;
        size_t size = 0;
        CHECK(fb != NULL);
        free(*ret_error);
        *ret_error = NULL;
        int r = first_boot_load(fb, medium, &data, &size, ret_error);
        CHECK(r < 0 ? data == NULL : (data && size == strlen(HOOK)));
        free(data);
        json_object_put(fb);
        return r;
}

int main(void) {
        char dir[] = "/tmp/forja-first-boot.XXXXXX", path[64], want[65] = "", json[512];
        char *error = NULL;
        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/%s", dir, FIRST_BOOT_MEDIUM_FILE);
        FILE *f = fopen(path, "w");
        CHECK(f && fputs(HOOK, f) >= 0 && fclose(f) == 0);

        /* The real digest, from sha256sum (not from the code under test). */
        char cmd[128];
        snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
        FILE *p = popen(cmd, "r");
        CHECK(p && fscanf(p, "%64s", want) == 1);
        pclose(p);
        CHECK(strlen(want) == 64 && strcmp(want, HOOK_SHA256) != 0);

        /* No sha256: loaded as it is. */
        CHECK_INTEQ(load("{\"enabled\": true, \"source\": \"from-iso\"}", dir, &error), 0);
        /* The right sha256 (either case): loaded. */
        snprintf(json, sizeof json, "{\"enabled\": true, \"source\": \"from-iso\", \"sha256\": \"%s\"}", want);
        CHECK_INTEQ(load(json, dir, &error), 0);
        for (char *c = json; *c; c++)
                if (*c >= 'a' && *c <= 'f')
                        *c = (char) (*c - 'a' + 'A');
        CHECK_INTEQ(load(json, dir, &error), 0);
        /* Another sha256: refused, both digests named. */
        snprintf(json, sizeof json, "{\"enabled\": true, \"source\": \"from-iso\", \"sha256\": \"%s\"}", HOOK_SHA256);
        CHECK_INTEQ(load(json, dir, &error), -EBADMSG);
        CHECK(error && strstr(error, want) && strstr(error, HOOK_SHA256) && strstr(error, "first-boot.sha256"));

        /* A plan (written by hand) with a plain http hook and no integrity:
         * refused before any request (nothing listens on port 9). */
        CHECK_INTEQ(load("{\"enabled\": true, \"source\": \"from-url\", \"url\": \"http://127.0.0.1:9/hook\"}", dir, &error),
                    -EPERM);
        CHECK(error && strstr(error, "plain http without sha256 or allow-unverified-http"));

        free(error);
        unlink(path);
        rmdir(dir);
        puts("first-boot: all checks passed");
        return 0;
}
