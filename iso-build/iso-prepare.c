/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja iso prepare: a copy of an existing forja ISO with an answer file as
 * /answer.toml (and a first-boot hook as /forja-first-boot), made by xorriso replaying the input's boot setup (El Torito
 * images, MBR, GPT and the appended EFI partition). Nothing is rebuilt. */

#include <sys/stat.h>

#include "isobuild.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

int iso_prepare(const char *in_iso, const char *answer, const char *first_boot, const char *out_iso) {
        _cleanup_free_ char *tmp_out = NULL;
        if (asprintf(&tmp_out, "%s.forja-tmp.%d", out_iso, (int) getpid()) < 0)
                return log_oom();
        (void) unlink(tmp_out);

        ArgV a = {};
        int r = argv_add_many(&a, "xorriso", "-abort_on", "FAILURE", "-indev", in_iso, "-outdev", tmp_out,
                              "-boot_image", "any", "replay",
                              "-map", answer, "/answer.toml", "-chmod", "0444", "/answer.toml", "--", NULL);
        if (r >= 0 && first_boot)
                /* The [first-boot] from-iso hook. */
                r = argv_add_many(&a, "-map", first_boot, "/forja-first-boot",
                                  "-chmod", "0555", "/forja-first-boot", "--", NULL);
        if (r >= 0)
                r = argv_add(&a, "-commit");
        if (r < 0) {
                argv_done(&a);
                return log_oom();
        }
        r = run_visible(a.v, NULL);
        argv_done(&a);
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
