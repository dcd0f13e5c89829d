/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja iso prepare: a copy of an existing forja ISO with its answer source
 * on it, made by xorriso replaying the input's boot setup (El Torito images,
 * MBR, GPT and the appended EFI partition). Nothing is rebuilt. The medium
 * gets /forja-fetch.toml (the answer source it was prepared with, read by
 * answer_fetch()), for --fetch-from iso the answer as /answer.toml, and a
 * first-boot hook as /forja-first-boot. */

#include <sys/stat.h>

#include "isobuild.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

/* Whether the ISO holds path: xorriso -lsd prints it quoted on stdout (a
 * missing one is only a warning, and exit status 0). */
static bool iso_has_file(const char *iso, const char *path) {
        char *argv[] = { (char *) "xorriso", (char *) "-indev", (char *) iso, (char *) "-lsd", (char *) path, NULL };
        SpawnOptions o = { .quiet = true, .capture_stdout = true };
        SpawnResult res = {};
        _cleanup_free_ char *quoted = NULL;
        bool found = asprintf(&quoted, "'%s'", path) >= 0 && spawn(argv, &o, &res) >= 0 && res.exit_status == 0 &&
                     res.out && strstr(res.out, quoted);
        spawn_result_done(&res);
        return found;
}

/* The mode file's text in a private temporary file (it may hold a token). */
static int write_fetch_file(const char *text, char **ret_path) {
        _cleanup_free_ char *path = strdup("/tmp/forja-fetch.XXXXXX");
        if (!path)
                return log_oom();
        int fd = mkstemp(path);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create a temporary file: %m");
        size_t n = strlen(text);
        bool ok = write(fd, text, n) == (ssize_t) n;
        close(fd);
        if (!ok) {
                (void) unlink(path);
                return log_error_errno(EIO, "Failed to write %s.", path);
        }
        *ret_path = TAKE_PTR(path);
        return 0;
}

int iso_prepare(const char *in_iso, const char *answer, const char *fetch_text, const char *first_boot,
                const char *out_iso) {
        _cleanup_free_ char *tmp_out = NULL, *fetch_path = NULL;
        if (asprintf(&tmp_out, "%s.forja-tmp.%d", out_iso, (int) getpid()) < 0)
                return log_oom();
        (void) unlink(tmp_out);
        int r = write_fetch_file(fetch_text, &fetch_path);
        if (r < 0)
                return r;

        ArgV a = {};
        r = argv_add_many(&a, "xorriso", "-abort_on", "FAILURE", "-indev", in_iso, "-outdev", tmp_out,
                          "-boot_image", "any", "replay",
                          "-map", fetch_path, "/forja-fetch.toml", "-chmod", "0444", "/forja-fetch.toml", "--", NULL);
        if (r >= 0 && answer)
                r = argv_add_many(&a, "-map", answer, "/answer.toml", "-chmod", "0444", "/answer.toml", "--", NULL);
        else if (r >= 0 && iso_has_file(in_iso, "/answer.toml"))
                /* An earlier prepare's answer would come before the network. */
                r = argv_add_many(&a, "-rm", "/answer.toml", "--", NULL);
        if (r >= 0 && first_boot)
                /* The [first-boot] from-iso hook. */
                r = argv_add_many(&a, "-map", first_boot, "/forja-first-boot",
                                  "-chmod", "0555", "/forja-first-boot", "--", NULL);
        if (r >= 0)
                r = argv_add(&a, "-commit");
        if (r < 0) {
                argv_done(&a);
                (void) unlink(fetch_path);
                return log_oom();
        }
        r = run_visible(a.v, NULL);
        argv_done(&a);
        (void) unlink(fetch_path);
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
