/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The one way forja runs external tools (mkfs, lvm, grub-install, mmdebstrap,
 * xorriso...): an argv vector, never a shell. The argv is logged (with secrets
 * redacted) and stderr is captured so a failure can quote the tool. */

#include <stdbool.h>
#include <stddef.h>

typedef struct SpawnOptions {
        const char *root;          /* chroot into this directory first, or NULL */
        const char *cwd;           /* working directory (inside root), or NULL */
        char *const *env_extra;    /* "NAME=value" entries added to the environment */
        const char *stdin_data;    /* fed to the child's stdin (NULL: /dev/null) */
        size_t stdin_size;
        bool capture_stdout;       /* otherwise stdout goes to our stderr (the log) */
        bool quiet;                /* do not log the argv at info level (still at debug) */
        unsigned timeout_sec;      /* 0: no limit; on expiry the child is killed */
} SpawnOptions;

typedef struct SpawnResult {
        int exit_status;           /* 0..255, or 128+signal when killed */
        char *out;                 /* captured stdout (NUL terminated), or NULL */
        char *err;                 /* captured stderr (NUL terminated, trimmed), never NULL on success */
} SpawnResult;

void spawn_result_done(SpawnResult *r);

/* Runs argv[0] (looked up in PATH). Returns 0 when the child ran (whatever its
 * exit status, see ret->exit_status), or -errno when it could not be started. */
int spawn(char *const argv[], const SpawnOptions *opts, SpawnResult *ret);

/* Runs and requires exit status 0; on failure logs "<tool> failed (status N): <stderr>"
 * and returns -EIO (or the spawn error). ret_stdout gets stdout when non-NULL. */
int spawn_checked(char *const argv[], const SpawnOptions *opts, char **ret_stdout);

/* Every argv forja runs is appended (redacted, one line, shell-quoted for reading)
 * to this file when set; tests use it to prove no secret reaches a command line. */
int spawn_set_argv_log(const char *path);

/* Formats argv as one readable, shell-quoted line. */
char *spawn_format_argv(char *const argv[]);
