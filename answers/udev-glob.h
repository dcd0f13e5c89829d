/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Disk and NIC filters: udev property globs, with the semantics of the Proxmox
 * auto-installer (the Rust glob crate): '?' one character, '*' any sequence,
 * '[abc]', '[a-z]' and '[!a-z]' classes, metacharacters matched literally as
 * '[*]', '[?]', '[[]'; case-sensitive; no backslash escapes. Used by answer
 * resolution and by `forja device-match`. */

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"
#include "hardware.h"

/* NULL when the pattern is valid, otherwise why not. */
const char *udev_glob_check(const char *pattern);
bool udev_glob_match(const char *pattern, const char *s);

const char *udev_props_get(const HwProperty *props, size_t n, const char *key);

/* ANSWER_FILTER_ANY: at least one glob matches its property. ANSWER_FILTER_ALL:
 * every glob matches its property. A device without a filtered property does
 * not match that glob. */
bool udev_filter_matches(const AnswerFilters *f, AnswerFilterMatch how, const HwProperty *props, size_t n);
