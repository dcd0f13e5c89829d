/* SPDX-License-Identifier: GPL-2.0-or-later */
/* forja iso build: resolves the mirror, then runs the cached steps in order
 * (forja .deb, with --with-zfs the ZFS modules, node image, installer
 * environment) and assembles the ISO. */

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "env-hooks.h"
#include "fileio.h"
#include "isobuild-paths.h"
#include "isobuild.h"
#include "log.h"
#include "steps.h"

static bool running_from_build_tree(void) {
        char self[4096];
        ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (k <= 0)
                return false;
        self[k] = 0;
        return startswith(self, ISOBUILD_BUILD_ROOT "/") != NULL;
}

const char *isobuild_default_data_dir(void) {
        bool dev = running_from_build_tree();
        const char *first = dev ? ISOBUILD_SOURCE_DATADIR : ISOBUILD_INSTALLED_DATADIR;
        const char *second = dev ? ISOBUILD_INSTALLED_DATADIR : ISOBUILD_SOURCE_DATADIR;
        return access(first, F_OK) == 0 || access(second, F_OK) < 0 ? first : second;
}

const char *isobuild_default_source_dir(void) {
        return running_from_build_tree() ? ISOBUILD_SOURCE_ROOT : NULL;
}

static const char *const required_tools[] = {
        "mmdebstrap", "xorriso", "mkfs.vfat", "mmd", "mcopy", "zstd", "cpio", "dpkg-query",
};

static bool in_path(const char *tool) {
        const char *path = env_hook(ENV_PATH) ?: "/usr/sbin:/usr/bin:/sbin:/bin";
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;
        if (!copy)
                return false;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = path_join(d, tool);
                if (p && access(p, X_OK) == 0)
                        return true;
        }
        return false;
}

static void context_done(BuildContext *c) {
        mirror_done(&c->mirror);
        strv_free(c->sources);
        free(c->sources_text);
        free(c->forja_deb);
        cache_entry_done(&c->deb);
        cache_entry_done(&c->zfs);
        free(c->zfs_deb);
        cache_entry_done(&c->node_base);
        cache_entry_done(&c->node);
        cache_entry_done(&c->installer_base);
        cache_entry_done(&c->installer);
        cache_entry_done(&c->guest_ct);
        cache_entry_done(&c->guest_vm);
        strv_free(c->forja_depends);
}

/* The installer environment is built by a child process while this one
 * builds the node image: on a cold cache their two mmdebstrap runs overlap
 * (both wait on downloads and dpkg as much as on a CPU). The child's output
 * goes to a log file, shown in part if it fails; a cached environment makes
 * the child return at once. */
typedef struct Background {
        pid_t pid;
        char log[64];
} Background;

static int installer_env_start(BuildContext *c, Background *ret) {
        snprintf(ret->log, sizeof(ret->log), "/tmp/forja-iso-installer.XXXXXX");
        int fd = mkostemp(ret->log, O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Cannot create a log file for the installer environment: %m");
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                close(fd);
                (void) unlink(ret->log);
                return log_error_errno(r, "Cannot start the installer environment's build: %m");
        }
        if (pid == 0) {
                (void) setpgid(0, 0); /* its own group: stopped as a whole on failure */
                if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
                        _exit(1);
                int r = step_installer_env(c);
                fflush(NULL);
                _exit(r < 0 ? 1 : 0);
        }
        close(fd);
        (void) setpgid(pid, pid);
        ret->pid = pid;
        log_info("installer environment: building beside the node image (log: %s)...", ret->log);
        return 0;
}

/* Waits for the child (stopping it first when `stop`); returns 0 when it
 * succeeded, else shows the end of its log. */
static int installer_env_wait(Background *b, bool stop) {
        int status = 0;
        if (b->pid <= 0)
                return 0;
        if (stop)
                (void) kill(-b->pid, SIGTERM);
        while (waitpid(b->pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "Lost the installer environment's build: %m");
        b->pid = 0;
        _cleanup_free_ char *text = NULL;
        bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok && !stop && read_full_file(b->log, 16 << 20, &text, NULL) >= 0 && text) {
                const char *tail = text + strlen(text);
                for (int lines = 0; tail > text && lines <= 30; tail--)
                        if (tail[-1] == '\n')
                                lines++;
                fprintf(stderr, "%s", tail);
        }
        if (ok || stop)
                (void) unlink(b->log);
        if (!ok && !stop)
                return log_error_errno(EIO, "The installer environment's build failed (log: %s).", b->log);
        return ok ? 0 : -EIO;
}

int iso_build(const IsoBuildOptions *opts) {
        BuildContext c = { .opts = opts };
        int r;

        c.cache_dir = opts->cache_dir ?: ISOBUILD_DEFAULT_CACHE_DIR;
        c.data_dir = opts->data_dir ?: isobuild_default_data_dir();

        StrBuf missing = {};
        for (size_t i = 0; i < ELEMENTSOF(required_tools); i++)
                if (!in_path(required_tools[i]) && strbuf_printf(&missing, " %s", required_tools[i]) < 0)
                        return log_oom();
        if (missing.s) {
                log_error("Missing tools:%s (scripts/install-deps installs them).", missing.s);
                strbuf_done(&missing);
                return -ENOENT;
        }
        if (geteuid() != 0)
                return log_error_errno(EPERM, "forja iso build runs mmdebstrap in root mode: run it as root.");

        r = mirror_resolve(opts->mirror, &c.mirror);
        if (r < 0) {
                log_error_errno(r, "No Debian mirror from '%s': %m", opts->mirror ?: ISOBUILD_DEFAULT_SOURCES);
                goto finish;
        }
        /* ZFS (zfs-dkms, zfsutils-linux) is in contrib */
        r = mirror_source_lines(&c.mirror, opts->suite, opts->with_zfs ? "main contrib non-free-firmware" : "main non-free-firmware",
                                &c.sources);
        if (r >= 0) {
                StrBuf b = {};
                for (char **s = c.sources; r >= 0 && *s; s++)
                        r = strbuf_printf(&b, "source: %s\n", *s);
                c.sources_text = b.s;
        }
        if (r < 0) {
                log_oom();
                goto finish;
        }
        log_info("Building forja media for Debian %s from %s (cache %s).", opts->suite, c.mirror.uri, c.cache_dir);
        if (cache_remove_stale(c.cache_dir) < 0)
                log_warning("Could not remove the leftovers of interrupted builds in %s.", c.cache_dir);
        double t0 = now_sec();

        Background bg = {};
        r = step_forja_deb(&c);
        if (r >= 0 && opts->with_zfs)
                r = step_zfs_modules(&c); /* both bases install its .deb */
        if (r >= 0)
                r = installer_env_start(&c, &bg);
        if (r >= 0) {
                r = step_guest_images(&c); /* the node layer carries them */
                if (r >= 0)
                        r = step_node_image(&c);
                int k = installer_env_wait(&bg, r < 0);
                if (r >= 0)
                        r = k;
        }
        if (r >= 0)
                r = step_installer_env(&c); /* a cache hit: the child committed it */
        if (r >= 0)
                r = step_iso_image(&c, opts->output);
        if (r >= 0)
                r = step_pxe_artifacts(&c, opts->output);
        if (r >= 0)
                log_info("Done in %.0f s: %s", now_sec() - t0, opts->output);
        if (r >= 0) {
                /* Bounded cache: what this build used plus the most recent
                 * others (two of each layer, one of each ~1 GB base). */
                const struct { const char *kind; const CacheEntry *e; unsigned keep; } used[] = {
                        { "deb", &c.deb, 2 }, { "nodebase", &c.node_base, 1 }, { "node", &c.node, 2 },
                        { "installerbase", &c.installer_base, 1 }, { "installer", &c.installer, 2 },
                        { "zfsmodules", &c.zfs, 1 }, { "guestct", &c.guest_ct, 1 }, { "guestvm", &c.guest_vm, 1 },
                };
                /* (a build without ZFS or guest images leaves those entries alone) */
                for (size_t i = 0; i < ELEMENTSOF(used); i++)
                        if ((used[i].e->dir || !(streq(used[i].kind, "zfsmodules") || startswith(used[i].kind, "guest"))) &&
                            cache_prune(c.cache_dir, used[i].kind, used[i].e, used[i].keep) < 0)
                                log_warning("Could not prune old %s entries in %s.", used[i].kind, c.cache_dir);
        }
finish:
        context_done(&c);
        return r;
}

int iso_cache_clean(const char *cache_dir) {
        unsigned n = 0;
        int r = cache_clean(cache_dir ?: ISOBUILD_DEFAULT_CACHE_DIR, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to clean %s: %m", cache_dir ?: ISOBUILD_DEFAULT_CACHE_DIR);
        log_info("Removed %u cache entries from %s.", n, cache_dir ?: ISOBUILD_DEFAULT_CACHE_DIR);
        return 0;
}
