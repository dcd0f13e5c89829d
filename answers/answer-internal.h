/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Shared by the answer parser's source files (schema walk and cross-key
 * validation). Not for use outside answers/. */

#include "answer.h"

typedef struct AnswerParser {
        Answer *a;
        AnswerDiags *d;
        /* which option tables the file has, for the cross-key rules */
        bool has_lvm, has_zfs, has_btrfs, has_zfs_raid, has_btrfs_raid, has_md_raid;
        TomlPos global_pos, network_pos, disks_pos;
        TomlPos zfs_raid_pos, btrfs_raid_pos, md_raid_pos;
} AnswerParser;

void answer_error(AnswerParser *p, TomlPos pos, const char *key, const char *format, ...) _printf_(4, 5);
void answer_warning(AnswerParser *p, TomlPos pos, const char *key, const char *format, ...) _printf_(4, 5);

/* Walks the document into p->a, reporting type and value errors. */
void answer_schema_walk(AnswerParser *p, const TomlValue *root);
/* Rules that span several keys, and the locale data checks. */
void answer_validate(AnswerParser *p);
