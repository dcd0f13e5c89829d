/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* No reinstall loops (docs/pxe.md): the install records the answer's SHA-256
 * on the node's ESP (forja/install.json); stage "check" refuses a disk that
 * holds a node installed from this same answer unless the answer sets
 * disk-setup.reinstall = true. */

#include "engine-internal.h"

/* Stage "check": 0, or -EEXIST with the engine's error set. Reads only. */
int reinstall_guard_check(Engine *e);

/* Writes the record on the mounted ESP, when there is one; 0 or -errno. */
int reinstall_guard_mark(Engine *e);
