/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The installer's state: the fields a person fills in, the answer TOML they
 * make, and the result of running the answer schema on it. */

#include <newt.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "answer.h"
#include "hwcheck.h"
#include "tui.h"

typedef enum TuiScreen {
        TUI_WELCOME,
        TUI_DISKS,
        TUI_SIZES,
        TUI_LOCALE,
        TUI_ADMIN,
        TUI_NETWORK,
        TUI_CLUSTER,
        TUI_SUMMARY,
        _TUI_SCREEN_MAX,
} TuiScreen;

typedef enum TuiField {
        F_NONE,
        F_DISKS, F_FS, F_RAID, F_ENCRYPT, F_PASSPHRASE,
        F_HDSIZE, F_SWAPSIZE, F_MAXROOT, F_MINFREE, F_MAXVZ,
        F_TIMEZONE, F_KEYBOARD, F_COUNTRY,
        F_PASSWORD, F_PASSWORD2, F_MAILTO, F_SSHKEY,
        F_NIC, F_DHCP, F_FQDN, F_CIDR, F_GATEWAY, F_DNS,
        F_CLUSTER_MODE, F_TOKEN, F_SERVER_NAME, F_VERIFY,
        F_WAIVE,
        _F_MAX,
} TuiField;

typedef enum TuiFs { TUI_FS_EXT4, TUI_FS_XFS, TUI_FS_BTRFS, _TUI_FS_MAX } TuiFs;
typedef enum TuiRaid { TUI_RAID_NONE, TUI_RAID0, TUI_RAID1, TUI_RAID10, _TUI_RAID_MAX } TuiRaid;
typedef enum TuiCluster { TUI_CLUSTER_STANDALONE, TUI_CLUSTER_BOOTSTRAP, TUI_CLUSTER_JOIN, _TUI_CLUSTER_MAX } TuiCluster;

extern const char *const tui_fs_names[_TUI_FS_MAX];
extern const char *const tui_raid_names[_TUI_RAID_MAX];

/* What the person chose. Text fields are in text[], indexed by TuiField. */
typedef struct TuiForm {
        const Hardware *hw;
        bool *disk_selected;            /* one per hw->disks */
        TuiFs fs;
        TuiRaid raid;
        bool encrypt;
        size_t nic;                     /* index into hw->nics */
        bool dhcp;
        TuiCluster cluster;
        bool verify;
        char **waive;                   /* failing hardware checks the person accepted */
        char *text[_F_MAX];
} TuiForm;

int tui_form_init(TuiForm *f, const Hardware *hw);
void tui_form_done(TuiForm *f);
/* Replaces a text field; returns true when the value changed. */
bool tui_form_set(TuiForm *f, TuiField field, const char *value);
const char *tui_form_get(const TuiForm *f, TuiField field);

TuiScreen tui_field_screen(TuiField field);
const char *tui_field_label(TuiField field);
/* The field as a phrase in a sentence: "the root password". */
const char *tui_field_noun(TuiField field);
/* "Disk sizes", "Administrator": the name in the title line "3 of 8: ...". */
const char *tui_screen_name(TuiScreen screen);

/* Where the schema's findings go (tui-findings.c). An answer key
 * ("global.root-password", "disk-setup.lvm.swapsize", a section such as
 * "network") belongs to the field that writes it, the longest known prefix
 * winning; F_NONE for a key no field writes. The screen of a key is its
 * field's. */
TuiField tui_key_field(const char *key);
TuiScreen tui_key_screen(const char *key);
/* The key a field writes ("disk-setup.lvm.swapsize"); NULL for F_NONE. */
const char *tui_field_key(TuiField field);

/* The answer TOML of the fields. Fields of screens after `upto` that are
 * still empty get placeholders, so an earlier screen can be resolved and
 * planned before the later ones are filled in; with upto = TUI_SUMMARY the
 * text is the answer file as saved. ret_lines maps each line (from 0) to
 * the field that wrote it. */
int tui_answer_build(const TuiForm *f, TuiScreen upto, char **ret_text, TuiField **ret_lines, size_t *ret_n_lines);

/* The answer schema's verdict on the fields. */
typedef struct TuiCheck {
        char *text;                     /* the answer TOML */
        Answer *answer;                 /* NULL when there were errors */
        json_object *plan;              /* NULL when there were errors */
        char *error[_F_MAX];            /* the first error about each field; F_NONE: about none */
        char *key[_F_MAX];              /* the answer key of that error */
        TuiScreen first_bad;            /* earliest screen with an error; _TUI_SCREEN_MAX: none */
} TuiCheck;

/* Builds the TOML (see tui_answer_build), parses, validates, resolves it
 * against the hardware and builds the plan (plan_make). Errors are mapped to
 * fields by their key, else by the line that produced them. Returns 0 (see
 * c->first_bad for errors) or -ENOMEM. */
int tui_check(const TuiForm *f, TuiScreen upto, const char *answer_name, TuiCheck *ret);
void tui_check_done(TuiCheck *c);

/* What a screen shows in place of its plan preview when c has no plan: the
 * error that stops it and where it is fixed. An error of a field on `here`
 * comes first, else the one on the earliest screen:
 *   ret_line0 "The plan needs the root password: see the Administrator screen."
 *   ret_line1 "`global.root-password` must be at least 8 characters long"
 * (the key is put before a message that does not name it). The key and the
 * message are always in the text, so a screen never points
 * at errors that it does not show. Returns 0 or -ENOMEM. */
int tui_plan_missing(const TuiCheck *c, TuiScreen here, char **ret_line0, char **ret_line1);

/* Plan text (plan_print_text) as a string. */
int tui_plan_text(json_object *plan, char **ret);
/* "447.13 GiB" */
void tui_format_gib(char *buf, size_t size, uint64_t bytes);

/* The whole installer session. */
typedef struct Tui {
        const TuiOptions *o;
        TuiForm form;
        HwcheckReport *report;
        char *check_error;              /* the hardware check could not run */
        char *save_path;                /* where the answer was saved, if it was */
        char *log_path;
} Tui;

/* Each screen returns the screen to show next; TUI_QUIT to stop, TUI_DONE
 * when the summary was confirmed. */
#define TUI_QUIT ((int) -1)
#define TUI_DONE ((int) _TUI_SCREEN_MAX)

int tui_screen_welcome(Tui *t);
int tui_screen_disks(Tui *t);
int tui_screen_sizes(Tui *t);
int tui_screen_locale(Tui *t);
int tui_screen_admin(Tui *t);
int tui_screen_network(Tui *t);
int tui_screen_cluster(Tui *t);
int tui_screen_summary(Tui *t);

/* A screen: a window with fields, an error line under each field, and
 * Back/Next. The page runs the answer schema after every change (a timer
 * notices edits) and shows its findings in place. */
typedef struct TuiPage TuiPage;

typedef struct TuiPageOps {
        /* Copies the widgets into t->form; returns true when a value changed. */
        bool (*read)(TuiPage *p);
        /* After each check: live values (sizes, details). May be NULL. */
        void (*live)(TuiPage *p, const TuiCheck *c);
        /* Extra work before leaving with Next (passwords match, the join
         * token verifies); false stays on the page. May be NULL. */
        bool (*next)(TuiPage *p, const TuiCheck *c);
        /* Another component ended the form (a Save button). May be NULL. */
        void (*other)(TuiPage *p, newtComponent co);
} TuiPageOps;

struct TuiPage {
        Tui *t;
        TuiScreen screen;
        const TuiPageOps *ops;
        void *userdata;
        newtComponent form, back, next;
        newtComponent err[_F_MAX];      /* the error line of each field on this page */
        int err_left[_F_MAX];
        newtComponent focus[_F_MAX];    /* the widget of each field */
        bool entry[_F_MAX];             /* the widget is an entry holding text[field] */
        newtComponent general;          /* errors of fields without their own line */
        bool touched[_F_MAX];
        int err_width;
};

#define TUI_WIN_WIDTH 76
#define TUI_WIN_HEIGHT 19
#define TUI_COLOR_ERROR NEWT_COLORSET_CUSTOM(1)
#define TUI_COLOR_ERASE NEWT_COLORSET_CUSTOM(2)

void tui_page_open(TuiPage *p, Tui *t, TuiScreen s, const char *title, const TuiPageOps *ops, void *userdata);
/* A field's widget and its error line (at left, top). */
void tui_page_field(TuiPage *p, TuiField f, newtComponent widget, int left, int top);
/* An entry for a text field, with its error line under it. */
newtComponent tui_page_entry(TuiPage *p, TuiField f, int left, int top, int width, int flags);
/* A label at (left, top). */
void tui_page_label(TuiPage *p, int left, int top, const char *text);
/* Back and Next on the last row; back NULL: none. Adds them to the form last. */
void tui_page_buttons(TuiPage *p, const char *back, const char *next);
int tui_page_run(TuiPage *p);
void tui_page_close(TuiPage *p);

/* Sets a label to text, padded or cut to width. */
void tui_label_set(newtComponent label, int width, const char *text);
newtComponent tui_label_blank(int left, int top, int width);
/* A wrapping text box, with a scroll bar when the text is longer than height. */
newtComponent tui_textbox(int left, int top, int width, int height, const char *text);

/* Runs the engine with the progress screen; failure screen with retry,
 * shell and save log; done screen. Returns the exit code. */
int tui_run_install(Tui *t);
