/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The kernel command line, split into parameters as the kernel splits it
 * (next_arg() in the kernel's kernel/params.c), for every part of forja that
 * reads one: the answer source (forja.answer=...), the image source
 * (forja.image=...), the serial console, the hardware check (intel_iommu=...).
 *
 *   - Parameters are separated by white space outside double quotes.
 *   - A parameter is KEY or KEY=VALUE, split at its first '='.
 *   - A double quote opening the parameter or its value is dropped, and so is
 *     the quote that closes it at the parameter's end:
 *     forja.answer="http://host/a b" and "forja.answer=http://host/a b" both
 *     give forja.answer = `http://host/a b`. Other quotes stay.
 *   - A bare "--" ends the kernel's parameters (what follows goes to init as
 *     its arguments), so nothing after it is returned.
 *   - Keys are compared exactly (the kernel's own '-' = '_' rule is for its
 *     module parameters, not for forja's).
 *   - Given several times, the last one counts, as for the kernel. */

#include <stdbool.h>

/* The next parameter at *p: 1 with *ret_key and *ret_value (NULL for a bare
 * KEY) allocated, *p moved past it; 0 at the end; -ENOMEM. */
int kernel_cmdline_next(const char **p, char **ret_key, char **ret_value);

/* The value of the last `key` on cmdline (NULL cmdline: none). Returns 1 and
 * *ret_value (NULL for a bare key; ret_value may be NULL), 0 when key is not
 * there, -ENOMEM. */
int kernel_cmdline_get(const char *cmdline, const char *key, char **ret_value);

/* Whether the last `key` on cmdline has a value whose comma-separated list
 * holds word (intel_iommu=on,sm_on has "on"). */
bool kernel_cmdline_value_has(const char *cmdline, const char *key, const char *word);
