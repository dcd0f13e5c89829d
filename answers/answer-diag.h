/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Findings about an answer file: every error and warning with the position
 * (line:column) and the dotted key it is about, so `forja answer validate`
 * can print all of them as FILE:LINE:COL: key: message. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "macro.h"
#include "toml.h"

typedef enum AnswerSeverity {
        ANSWER_ERROR,
        ANSWER_WARNING,
} AnswerSeverity;

typedef struct AnswerDiag {
        AnswerSeverity severity;
        TomlPos pos;            /* 0:0 when the finding is about the file as a whole */
        char *key;              /* dotted key, e.g. "disk-setup.lvm.swapsize"; "" for the file */
        char *message;
} AnswerDiag;

typedef struct AnswerDiags {
        AnswerDiag *items;
        size_t n;
        bool oom;               /* a finding could not be recorded */
} AnswerDiags;

void answer_diags_done(AnswerDiags *d);

/* Records a finding. Returns -ENOMEM (and sets d->oom) when out of memory. */
int answer_diags_add(AnswerDiags *d, AnswerSeverity severity, TomlPos pos, const char *key,
                     const char *format, ...) _printf_(5, 6);
int answer_diags_addv(AnswerDiags *d, AnswerSeverity severity, TomlPos pos, const char *key,
                      const char *format, va_list ap) _printf_(5, 0);

size_t answer_diags_errors(const AnswerDiags *d);
/* The first error in file order, or NULL. */
const AnswerDiag *answer_diags_first_error(const AnswerDiags *d);
/* The first error about exactly this key, or NULL. */
const AnswerDiag *answer_diags_find(const AnswerDiags *d, const char *key);

/* Sorts by position (stable), so output follows the file. */
void answer_diags_sort(AnswerDiags *d);

/* Prints "FILE:LINE:COL: key: message" (warnings say "warning: " before the message). */
void answer_diags_print(FILE *f, const char *file, const AnswerDiags *d);
