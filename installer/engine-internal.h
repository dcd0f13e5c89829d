/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the stages share while an install runs. */

#include <stdarg.h>
#include <sys/types.h>

#include "engine.h"
#include "extract.h"
#include "json-out.h"
#include "macro.h"

typedef struct IdPath {
        char *id;               /* plan node id: part:vda3, md:md0, luks:cryptroot, vg:pve, lv:pve/root */
        char *path;             /* the device (or, for a VG, its actual name) */
} IdPath;

typedef struct MountRecord {
        char *mountpoint;       /* inside the target: "/", "/boot/efi" */
        char *device;
        char *fstype;
        char *uuid;
        char *options;
        int pass;
        bool mounted_by_tool;   /* mounted by the tool that made it (a ZFS dataset): not by mount_all, not in fstab */
} MountRecord;

typedef struct Engine {
        InstallContext *c;
        json_object *storage;           /* c->plan.storage (borrowed) */

        IdPath *ids;                    /* devices made so far, by plan id */
        size_t n_ids;
        MountRecord *mounts;            /* file systems and swap for fstab, in mount order */
        size_t n_mounts;

        char *first_boot;               /* the [first-boot] hook, loaded before any write */
        size_t first_boot_size;

        ImageChunks chunks;             /* from the manifest, for extraction */
        uint8_t (*chunk_sha256)[32];

        /* Undo lists, unwound in reverse at the end (also after a failure). */
        char **mounted;                 /* absolute mount points, in mount order */
        size_t n_mounted;
        char **vgs_active;
        size_t n_vgs_active;
        char **luks_open;
        size_t n_luks_open;
        char **md_running;
        size_t n_md_running;
        char **zpools;                  /* ZFS pools created, exported at the end */
        size_t n_zpools;
} Engine;

/* Stage bodies: 0 or -errno, with engine_fail() having set the message. */
int stage_check(Engine *e);
int stage_verify(Engine *e);
int stage_disks(Engine *e);
int stage_storage(Engine *e);
int stage_image(Engine *e);
int stage_configure(Engine *e);
int stage_bootloader(Engine *e);
int stage_finish(Engine *e);

/* Records the error message (first one wins) and returns r. */
int engine_fail(Engine *e, int r, const char *format, ...) _printf_(3, 4);

/* Unmounts, closes and stops what the install set up, newest first; returns
 * how many steps failed. Runs at the end of every install, good or bad. */
int engine_unwind(Engine *e);

/* Dies here when FORJA_KILL_AT names this point (fault injection tests). */
void engine_kill_point(const char *name);

/* Waits here when FORJA_PAUSE_AT names this stage (tests that change the
 * machine before a stage): prints FORJA-PAUSED stage=NAME, reads one line
 * from standard input, waits for udev, prints FORJA-RESUMED stage=NAME.
 * 0, or -errno with the message set when standard input ends first. */
int engine_pause_point(Engine *e, const char *name);

int engine_add_id(Engine *e, const char *id, const char *path);

/* Appends a copy of s to a list (an undo list of the Engine). */
int engine_list_push(char ***list, size_t *n, const char *s);

/* name, else name-1, name-2...: the first for which taken(candidate,
 * userdata) is false (logged when it is not name itself); NULL on OOM or
 * when 100 are taken. */
char *engine_free_name(const char *name, bool (*taken)(const char *name, void *userdata), void *userdata);

/* Appends a copy of m (its strings duplicated) to e->mounts. */
int engine_add_mount(Engine *e, const MountRecord *m);
const char *engine_lookup_id(const Engine *e, const char *id);

/* Runs a tool; on failure records "<what>: <tool> failed (status N): <stderr>". */
int engine_run(Engine *e, const char *what, char *const argv[]);

/* TPM2-bound LUKS unlock (luks-tpm2.c). */
bool luks_tpm2_wanted(json_object *luks);
int luks_add_recovery_key(Engine *e, const char *dev, const char *passphrase, const char *pbkdf_memory);
int luks_bind_tpm2(Engine *e, const char *dev, json_object *luks);
int luks_write_keyscript(Engine *e);
const char *luks_keyscript_path(void);
int engine_run_input(Engine *e, const char *what, char *const argv[], const char *input, size_t input_size);

/* The device number in a sysfs block directory's "dev" file (MAJ:MIN). */
int engine_sysfs_devnum(const char *sysdir, dev_t *ret);

/* The target path of a path inside the node: c->target + inner. */
char *engine_target_path(const Engine *e, const char *inner);
