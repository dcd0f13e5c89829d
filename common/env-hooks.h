/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Every environment variable that forja's own code reads, in one list.
 * Most are test hooks (a fault to inject, a fixture to read instead of the
 * machine); a few move a fixed path, and two belong to others (PATH, Incus's
 * INCUS_DIR). docs/test-hooks.md describes each one. Code reads them with
 * env_hook() only: the unit test env-hooks fails on any other read of the
 * environment in the product and on a name that docs/test-hooks.md does not
 * describe. */

typedef enum EnvHook {
        ENV_FORJA_KILL_AT,              /* test: SIGKILL the installer at a named point */
        ENV_FORJA_PAUSE_AT,             /* test: stop before a stage until a line arrives on stdin */
        ENV_FORJA_EXTRACT_SERIAL,       /* test: 1 extracts the image on one thread, 0 on several */
        ENV_FORJA_TEST_HARDWARE_INSTALL,/* test: `install --hardware` without --dry-run (webhook tests) */
        ENV_FORJA_CHECK_SYSROOT,        /* test: the text installer's hardware check reads this tree */
        ENV_FORJA_NET_DIR,              /* path: the installer's DHCP lease files */
        ENV_FORJA_ISO_CODES_JSON,       /* path: the ISO 3166 country list */
        ENV_FORJA_ZONEINFO_DIR,         /* path: the time zone database */
        ENV_INCUS_DIR,                  /* Incus's own: the folder of its unix socket */
        ENV_PATH,                       /* where the ISO build looks for its tools */
        _ENV_HOOK_MAX,
} EnvHook;

/* The variable's name ("FORJA_KILL_AT"). */
const char *env_hook_name(EnvHook h);

/* Its value in the environment, or NULL. */
const char *env_hook(EnvHook h);
