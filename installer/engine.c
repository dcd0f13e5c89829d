/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "env-hooks.h"
#include "engine-internal.h"
#include "fileio.h"
#include "json-out.h"
#include "log.h"
#include "spawn.h"
#include "strutil.h"

static const char *const stage_names[_STAGE_MAX] = {
        [STAGE_CHECK] = "check",
        [STAGE_VERIFY] = "verify",
        [STAGE_DISKS] = "disks",
        [STAGE_STORAGE] = "storage",
        [STAGE_IMAGE] = "image",
        [STAGE_CONFIGURE] = "configure",
        [STAGE_BOOTLOADER] = "bootloader",
        [STAGE_FINISH] = "finish",
};

static int (*const stage_bodies[_STAGE_MAX])(Engine *e) = {
        [STAGE_CHECK] = stage_check,
        [STAGE_VERIFY] = stage_verify,
        [STAGE_DISKS] = stage_disks,
        [STAGE_STORAGE] = stage_storage,
        [STAGE_IMAGE] = stage_image,
        [STAGE_CONFIGURE] = stage_configure,
        [STAGE_BOOTLOADER] = stage_bootloader,
        [STAGE_FINISH] = stage_finish,
};

const char *install_stage_name(InstallStage s) {
        return s >= 0 && s < _STAGE_MAX ? stage_names[s] : "unknown";
}

int engine_fail(Engine *e, int r, const char *format, ...) {
        if (!e->c->error) {
                va_list ap;
                va_start(ap, format);
                if (vasprintf(&e->c->error, format, ap) < 0)
                        e->c->error = NULL;
                va_end(ap);
        }
        return r < 0 ? r : -EIO;
}

void engine_kill_point(const char *name) {
        const char *at = env_hook(ENV_FORJA_KILL_AT);
        if (at && streq(at, name)) {
                log_warning("FORJA_KILL_AT=%s: killing the installer here (fault injection).", name);
                raise(SIGKILL);
        }
}

int engine_pause_point(Engine *e, const char *name) {
        const char *at = env_hook(ENV_FORJA_PAUSE_AT);
        if (!at || !streq(at, name))
                return 0;
        log_warning("FORJA_PAUSE_AT=%s: pausing before stage %s until a line arrives on standard input (test hook).", name, name);
        printf("FORJA-PAUSED stage=%s\n", name);
        fflush(stdout);
        for (;;) {
                char ch;
                ssize_t k = read(STDIN_FILENO, &ch, 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return engine_fail(e, negative_errno(), "FORJA_PAUSE_AT=%s: cannot read standard input: %m", name);
                if (k == 0)
                        return engine_fail(e, -ECANCELED, "FORJA_PAUSE_AT=%s: standard input ended before a line asked "
                                           "the paused install to go on; nothing was written", name);
                if (ch == '\n' || ch == '\r')
                        break;
        }
        /* The test may have changed devices meanwhile: their events first. */
        char *settle[] = { "udevadm", "settle", "--timeout=30", NULL };
        (void) spawn_checked(settle, &(SpawnOptions) { .quiet = true }, NULL);
        printf("FORJA-RESUMED stage=%s\n", name);
        fflush(stdout);
        log_notice("FORJA_PAUSE_AT=%s: going on.", name);
        return 0;
}

int engine_add_id(Engine *e, const char *id, const char *path) {
        IdPath *n = realloc(e->ids, (e->n_ids + 1) * sizeof(IdPath));
        if (!n)
                return -ENOMEM;
        e->ids = n;
        n[e->n_ids] = (IdPath) { strdup(id), strdup(path) };
        if (!n[e->n_ids].id || !n[e->n_ids].path)
                return -ENOMEM;
        e->n_ids++;
        return 0;
}

const char *engine_lookup_id(const Engine *e, const char *id) {
        for (size_t i = e->n_ids; i > 0; i--)
                if (streq(e->ids[i - 1].id, id))
                        return e->ids[i - 1].path;
        return NULL;
}

static int run_tool(Engine *e, const char *what, char *const argv[], const SpawnOptions *o) {
        SpawnResult res = {};
        int r = spawn(argv, o, &res);
        if (r < 0)
                return engine_fail(e, r, "%s: cannot run %s: %s", what, argv[0], strerror(-r));
        if (res.exit_status != 0) {
                r = engine_fail(e, -EIO, "%s: %s failed (status %d)%s%s", what, argv[0], res.exit_status,
                                res.err && *res.err ? ": " : "", strempty(res.err));
                spawn_result_done(&res);
                return r;
        }
        spawn_result_done(&res);
        return 0;
}

int engine_run(Engine *e, const char *what, char *const argv[]) {
        return run_tool(e, what, argv, &(SpawnOptions) { .timeout_sec = 1800 });
}

int engine_run_input(Engine *e, const char *what, char *const argv[], const char *input, size_t input_size) {
        return run_tool(e, what, argv, &(SpawnOptions) { .stdin_data = input, .stdin_size = input_size, .timeout_sec = 1800 });
}

int engine_sysfs_devnum(const char *sysdir, dev_t *ret) {
        _cleanup_free_ char *p = NULL, *line = NULL;
        unsigned maj, min;
        if (asprintf(&p, "%s/dev", sysdir) < 0)
                return -ENOMEM;
        if (read_one_line_file(p, &line) < 0 || sscanf(line, "%u:%u", &maj, &min) != 2)
                return -ENOENT;
        *ret = makedev(maj, min);
        return 0;
}

char *engine_target_path(const Engine *e, const char *inner) {
        char *p;
        if (asprintf(&p, "%s%s%s", e->c->target, *inner == '/' ? "" : "/", inner) < 0)
                return NULL;
        return p;
}

int engine_list_push(char ***list, size_t *n, const char *s) {
        char **l = realloc(*list, (*n + 1) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        *list = l;
        l[*n] = strdup(s);
        if (!l[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

char *engine_free_name(const char *name, bool (*taken)(const char *name, void *userdata), void *userdata) {
        if (!taken(name, userdata))
                return strdup(name);
        for (unsigned i = 1; i < 100; i++) {
                char *n;
                if (asprintf(&n, "%s-%u", name, i) < 0)
                        return NULL;
                if (!taken(n, userdata)) {
                        log_notice("The name %s is in use on this machine; using %s instead.", name, n);
                        return n;
                }
                free(n);
        }
        return NULL;
}

int engine_add_mount(Engine *e, const MountRecord *m) {
        MountRecord *n = realloc(e->mounts, (e->n_mounts + 1) * sizeof(MountRecord));
        if (!n)
                return -ENOMEM;
        e->mounts = n;
        MountRecord *c = &n[e->n_mounts++];
        *c = (MountRecord) {
                .mountpoint = strdup(strempty(m->mountpoint)),
                .device = strdup(strempty(m->device)),
                .fstype = strdup(strempty(m->fstype)),
                .uuid = m->uuid ? strdup(m->uuid) : NULL,
                .options = m->options ? strdup(m->options) : NULL,
                .pass = m->pass,
                .mounted_by_tool = m->mounted_by_tool,
        };
        if (!c->mountpoint || !c->device || !c->fstype || (m->uuid && !c->uuid) || (m->options && !c->options))
                return -ENOMEM;
        return 0;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* One undo step: best effort, so a failure is a warning (after a disk
 * vanished, "volume group not found" is expected and not the error). */
static int unwind_tool(char *const argv[]) {
        SpawnResult res = {};
        int r = spawn(argv, &(SpawnOptions) { .quiet = true, .timeout_sec = 120 }, &res);
        if (r >= 0 && res.exit_status != 0) {
                _cleanup_free_ char *cmd = spawn_format_argv(argv);
                log_warning("Undoing the install: %s failed (status %d)%s%s", strempty(cmd), res.exit_status,
                            res.err && *res.err ? ": " : "", strempty(res.err));
                r = -EIO;
        } else if (r < 0)
                log_warning("Undoing the install: cannot run %s: %s", argv[0], strerror(-r));
        spawn_result_done(&res);
        return r < 0;
}

/* Undoes mounts, ZFS pools, LUKS mappings, volume groups and md arrays, newest first, so
 * a failed install leaves nothing busy and a rerun starts from scratch. */
int engine_unwind(Engine *e) {
        int failures = 0;
        for (size_t i = e->n_mounted; i > 0; i--) {
                if (umount2(e->mounted[i - 1], 0) < 0) {
                        log_warning("Failed to unmount %s: %m", e->mounted[i - 1]);
                        failures++;
                        (void) umount2(e->mounted[i - 1], MNT_DETACH);
                }
                free(e->mounted[i - 1]);
        }
        e->n_mounted = 0;
        for (size_t i = e->n_zpools; i > 0; i--) {
                char *argv[] = { "zpool", "export", e->zpools[i - 1], NULL };
                failures += unwind_tool(argv);
                free(e->zpools[i - 1]);
        }
        e->n_zpools = 0;
        for (size_t i = e->n_vgs_active; i > 0; i--) {
                char *argv[] = { "vgchange", "-an", e->vgs_active[i - 1], NULL };
                failures += unwind_tool(argv);
                free(e->vgs_active[i - 1]);
        }
        e->n_vgs_active = 0;
        for (size_t i = e->n_luks_open; i > 0; i--) {
                char *argv[] = { "cryptsetup", "close", e->luks_open[i - 1], NULL };
                failures += unwind_tool(argv);
                free(e->luks_open[i - 1]);
        }
        e->n_luks_open = 0;
        for (size_t i = e->n_md_running; i > 0; i--) {
                char *argv[] = { "mdadm", "--stop", e->md_running[i - 1], NULL };
                failures += unwind_tool(argv);
                free(e->md_running[i - 1]);
        }
        e->n_md_running = 0;
        return failures;
}

static void engine_done(Engine *e) {
        (void) engine_unwind(e);
        for (size_t i = 0; i < e->n_ids; i++) {
                free(e->ids[i].id);
                free(e->ids[i].path);
        }
        free(e->ids);
        free(e->chunk_sha256);
        free(e->first_boot);
        for (size_t i = 0; i < e->n_mounts; i++) {
                MountRecord *m = &e->mounts[i];
                free(m->mountpoint);
                free(m->device);
                free(m->fstype);
                free(m->uuid);
                free(m->options);
        }
        free(e->mounts);
        free(e->mounted);
        free(e->vgs_active);
        free(e->luks_open);
        free(e->md_running);
        free(e->zpools);
}

/* Whether the plan's disk I is in the machine now (its /sys/class/block
 * entry goes away with the device: pulled out, a dead controller). */
static bool plan_disk_present(const Engine *e, size_t i) {
        const char *name = json_get_string(json_array_at(json_get(e->storage, "disks"), i), "name");
        _cleanup_free_ char *p = NULL;
        if (!name || asprintf(&p, "/sys/class/block/%s", name) < 0)
                return true;
        return access(p, F_OK) >= 0 || errno != ENOENT;
}

/* After a failed stage: when a disk that was there at the start has gone,
 * that is the error, whatever the tool that tripped over it said. */
static void name_vanished_disk(Engine *e, InstallStage s, const bool *present_at_start) {
        json_object *disks = json_get(e->storage, "disks");
        for (size_t i = 0; present_at_start && i < json_array_len(disks); i++) {
                if (!present_at_start[i] || plan_disk_present(e, i))
                        continue;
                json_object *d = json_array_at(disks, i);
                char *msg;
                if (asprintf(&msg, "disk %s (serial %s) disappeared from the machine during stage %s: %s",
                             strempty(json_get_string(d, "path")), json_get_string(d, "serial") ?: "unknown",
                             stage_names[s], strempty(e->c->error)) < 0)
                        return;
                free(e->c->error);
                e->c->error = msg;
                return;
        }
}

static void emit(const InstallContext *c, InstallEvent ev, InstallStage stage, const char *error) {
        if (c->hooks.event)
                c->hooks.event(c->hooks.userdata, c, ev, stage, error);
}

int install_run(InstallContext *c) {
        Engine e = { .c = c, .storage = json_get(c->plan, "storage") };
        int r = 0;

        if (!c->target)
                c->target = "/run/forja/target";
        if (!c->medium_dir)
                c->medium_dir = "/run/forja/medium";
        emit(c, INSTALL_EVENT_STARTED, STAGE_CHECK, NULL);
        size_t n_disks = json_array_len(json_get(e.storage, "disks"));
        _cleanup_free_ bool *present = n_disks > 0 ? calloc(n_disks, sizeof(bool)) : NULL;
        for (size_t i = 0; present && i < n_disks; i++)
                present[i] = plan_disk_present(&e, i);

        for (InstallStage s = 0; s < _STAGE_MAX; s++) {
                if (s == STAGE_DISKS) {
                        /* The last moment nothing has been written: verification hooks. */
                        if (c->hooks.before_write) {
                                _cleanup_free_ char *err = NULL;
                                r = c->hooks.before_write(c->hooks.userdata, c, &err);
                                if (r < 0) {
                                        c->failed_stage = s;
                                        engine_fail(&e, r, "%s", err ?: "refused before writing");
                                        r = -ECANCELED;
                                        break;
                                }
                        }
                        engine_kill_point("disks");
                } else if (s > STAGE_DISKS)
                        engine_kill_point(stage_names[s]);
                r = engine_pause_point(&e, stage_names[s]);
                if (r < 0) {
                        c->failed_stage = s;
                        if (s <= STAGE_DISKS)
                                r = -ECANCELED;
                        break;
                }
                if (s == STAGE_FINISH && c->hooks.before_finish)
                        c->hooks.before_finish(c->hooks.userdata, c);

                if (c->ui && c->ui->stage_begin)
                        c->ui->stage_begin(c->ui->userdata, s + 1, _STAGE_MAX, stage_names[s]);
                uint64_t t0 = now_usec();
                r = stage_bodies[s](&e);
                c->stage_usec[s] = now_usec() - t0;
                if (c->ui && c->ui->stage_end)
                        c->ui->stage_end(c->ui->userdata, stage_names[s], r, c->stage_usec[s]);
                log_info("Stage %s %s in %.1f s.", stage_names[s], r < 0 ? "FAILED" : "done", c->stage_usec[s] / 1e6);
                if (r < 0) {
                        c->failed_stage = s;
                        if (!c->error)
                                engine_fail(&e, r, "stage %s failed: %s", stage_names[s], strerror(-r));
                        /* A refusal before the first write is not an I/O failure. */
                        if (s < STAGE_DISKS)
                                r = -ECANCELED;
                        else
                                name_vanished_disk(&e, s, present);
                        break;
                }
        }

        engine_done(&e);
        if (r < 0)
                emit(c, INSTALL_EVENT_FAILED, c->failed_stage, c->error);
        else {
                emit(c, INSTALL_EVENT_SUCCEEDED, STAGE_FINISH, NULL);
                luks_show_recovery_key_tty1(c);
        }
        return r;
}

void install_context_done(InstallContext *c) {
        free(c->error);
        c->error = NULL;
        if (c->recovery_key) {
                explicit_bzero(c->recovery_key, strlen(c->recovery_key));
                free(c->recovery_key);
                c->recovery_key = NULL;
        }
}

void install_print_summary(FILE *f, const InstallContext *c) {
        uint64_t total = 0;
        fprintf(f, "Stage durations:\n");
        for (InstallStage s = 0; s < _STAGE_MAX; s++) {
                fprintf(f, "  %-11s %7.1f s\n", stage_names[s], c->stage_usec[s] / 1e6);
                total += c->stage_usec[s];
        }
        fprintf(f, "  %-11s %7.1f s\n", "total", total / 1e6);
        /* forja's own peak, not the tools it ran (RUSAGE_SELF): the
         * streaming design keeps it bounded whatever the image size. */
        struct rusage ru = {};
        if (getrusage(RUSAGE_SELF, &ru) == 0)
                fprintf(f, "Peak RSS of forja install: %ld KiB (%.1f MiB)\n", ru.ru_maxrss, ru.ru_maxrss / 1024.0);
}
