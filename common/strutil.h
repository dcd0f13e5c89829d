/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Small string helpers shared by every component. */

#include "macro.h"

/* Appends a formatted item to *list, with separator before it when *list is
 * not empty; *list may be NULL. Returns 0 or -ENOMEM (*list unchanged). */
int strextendf_with_separator(char **list, const char *separator, const char *format, ...) _printf_(3, 4);

/* Replaces *ret_error with a formatted message, for library functions that
 * describe their failure to the front end. Does nothing when ret_error is
 * NULL. Always returns 0, so callers can write `error_setf(...); return -E...;`. */
int error_setf(char **ret_error, const char *format, ...) _printf_(2, 3);
