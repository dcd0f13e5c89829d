/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja iso prepare: a copy of an existing forja ISO with an answer file as
 * /answer.toml, made by xorriso replaying the input's boot setup (El Torito
 * images, MBR, GPT and the appended EFI partition). Nothing is rebuilt. */

#include <sys/stat.h>

#include "isobuild.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

int iso_prepare(const char *in_iso, const char *answer, const char *out_iso) {
        _cleanup_free_ char *tmp_out = NULL;
        if (asprintf(&tmp_out, "%s.forja-tmp.%d", out_iso, (int) getpid()) < 0)
                return log_oom();
        (void) unlink(tmp_out);

        char *argv[] = {
                (char *) "xorriso",
                (char *) "-abort_on", (char *) "FAILURE",
                (char *) "-indev", (char *) in_iso,
                (char *) "-outdev", tmp_out,
                (char *) "-boot_image", (char *) "any", (char *) "replay",
                (char *) "-map", (char *) answer, (char *) "/answer.toml",
                (char *) "-chmod", (char *) "0444", (char *) "/answer.toml", (char *) "--",
                (char *) "-commit",
                NULL
        };
        int r = run_visible(argv, NULL);
        if (r < 0) {
                (void) unlink(tmp_out);
                return r;
        }
        if (rename(tmp_out, out_iso) < 0) {
                r = log_error_errno(errno, "Failed to rename %s to %s: %m", tmp_out, out_iso);
                (void) unlink(tmp_out);
                return r;
        }
        return 0;
}
