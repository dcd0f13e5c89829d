/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The environment variables forja reads (env-hooks.h). */

#include <stdlib.h>

#include "env-hooks.h"
#include "macro.h"

static const char *const names[_ENV_HOOK_MAX] = {
        [ENV_FORJA_KILL_AT] = "FORJA_KILL_AT",
        [ENV_FORJA_PAUSE_AT] = "FORJA_PAUSE_AT",
        [ENV_FORJA_EXTRACT_SERIAL] = "FORJA_EXTRACT_SERIAL",
        [ENV_FORJA_TEST_HARDWARE_INSTALL] = "FORJA_TEST_HARDWARE_INSTALL",
        [ENV_FORJA_CHECK_SYSROOT] = "FORJA_CHECK_SYSROOT",
        [ENV_FORJA_NET_DIR] = "FORJA_NET_DIR",
        [ENV_FORJA_ISO_CODES_JSON] = "FORJA_ISO_CODES_JSON",
        [ENV_FORJA_ZONEINFO_DIR] = "FORJA_ZONEINFO_DIR",
        [ENV_INCUS_DIR] = "INCUS_DIR",
        [ENV_PATH] = "PATH",
};

const char *env_hook_name(EnvHook h) {
        return h >= 0 && h < _ENV_HOOK_MAX ? names[h] : NULL;
}

const char *env_hook(EnvHook h) {
        const char *n = env_hook_name(h);
        return n ? getenv(n) : NULL;
}
