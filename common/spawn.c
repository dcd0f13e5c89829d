/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "log.h"
#include "spawn.h"

extern char **environ;

static char *argv_log_path;

int spawn_set_argv_log(const char *path) {
        free(argv_log_path);
        argv_log_path = path ? strdup(path) : NULL;
        return path && !argv_log_path ? -ENOMEM : 0;
}

void spawn_result_done(SpawnResult *r) {
        if (!r)
                return;
        free(r->out);
        free(r->err);
        r->out = r->err = NULL;
}

char *spawn_format_argv(char *const argv[]) {
        size_t cap = 64, len = 0;
        char *s = malloc(cap);
        if (!s)
                return NULL;
        s[0] = 0;
        for (size_t i = 0; argv[i]; i++) {
                const char *a = argv[i];
                bool plain = *a != 0;
                for (const char *p = a; *p; p++)
                        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%", *p))
                                plain = false;
                size_t need = len + 4 * strlen(a) + 4;
                if (need >= cap) {
                        cap = need * 2;
                        char *n = realloc(s, cap);
                        if (!n) {
                                free(s);
                                return NULL;
                        }
                        s = n;
                }
                if (i > 0)
                        s[len++] = ' ';
                if (plain) {
                        strcpy(s + len, a);
                        len += strlen(a);
                } else {
                        s[len++] = '\'';
                        for (const char *p = a; *p; p++) {
                                if (*p == '\'') {
                                        memcpy(s + len, "'\\''", 4);
                                        len += 4;
                                } else
                                        s[len++] = *p;
                        }
                        s[len++] = '\'';
                }
                s[len] = 0;
        }
        return s;
}

static void record_argv(char *const argv[], bool quiet) {
        _cleanup_free_ char *line = spawn_format_argv(argv);
        if (!line)
                return;
        if (quiet)
                log_debug("Running: %s", line);
        else
                log_info("Running: %s", line);
        if (argv_log_path) {
                _cleanup_fclose_ FILE *f = fopen(argv_log_path, "ae");
                _cleanup_free_ char *red = log_redact(line);
                if (f && red)
                        fprintf(f, "%s\n", red);
        }
}

typedef struct Buffer {
        char *data;
        size_t len, cap;
} Buffer;

static int buffer_append(Buffer *b, const char *p, size_t n) {
        if (b->len + n + 1 > b->cap) {
                size_t cap = MAX(b->cap * 2, b->len + n + 1);
                cap = MAX(cap, (size_t) 4096);
                char *d = realloc(b->data, cap);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
}

static char *buffer_steal_trimmed(Buffer *b) {
        if (!b->data)
                return strdup("");
        while (b->len > 0 && strchr(" \t\r\n", b->data[b->len - 1]))
                b->data[--b->len] = 0;
        return TAKE_PTR(b->data);
}

static _noreturn_ void child(char *const argv[], const SpawnOptions *o, int in_fd, int out_fd, int err_fd) {
        /* Restore default signal handling for the tool. */
        sigset_t ss;
        sigemptyset(&ss);
        sigprocmask(SIG_SETMASK, &ss, NULL);
        signal(SIGPIPE, SIG_DFL);

        if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
                _exit(127);
        if (o->root && (chroot(o->root) < 0 || chdir("/") < 0)) {
                dprintf(STDERR_FILENO, "chroot %s: %s\n", o->root, strerror(errno));
                _exit(127);
        }
        if (o->cwd && chdir(o->cwd) < 0) {
                dprintf(STDERR_FILENO, "chdir %s: %s\n", o->cwd, strerror(errno));
                _exit(127);
        }
        if (o->env_extra)
                for (char *const *e = o->env_extra; *e; e++)
                        putenv(*e);
        execvp(argv[0], argv);
        dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
}

/* A child may exit before reading all of its stdin (a failing cryptsetup); the
 * write then fails with EPIPE and the exit status tells the failure. SIGPIPE is
 * blocked in this thread while stdin is fed, so it cannot kill forja before the
 * unwind, and a SIGPIPE raised by our own write is consumed afterwards. */
static void sigpipe_block(sigset_t *ret_old) {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_set, ret_old);
}

static void sigpipe_restore(const sigset_t *old, bool raised) {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        if (raised && !sigismember(old, SIGPIPE)) {
                sigset_t pending;
                if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE))
                        while (sigtimedwait(&pipe_set, NULL, &(struct timespec) {}) < 0 && errno == EINTR)
                                ;
        }
        pthread_sigmask(SIG_SETMASK, old, NULL);
}

int spawn(char *const argv[], const SpawnOptions *opts, SpawnResult *ret) {
        static const SpawnOptions none = {};
        const SpawnOptions *o = opts ?: &none;
        int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
        Buffer out = {}, err = {};
        sigset_t old_mask;
        bool pipe_broken = false;
        int r;

        if (!argv || !argv[0])
                return -EINVAL;
        record_argv(argv, o->quiet);
        sigpipe_block(&old_mask);

        if (pipe2(inp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
            (o->capture_stdout && pipe2(outp, O_CLOEXEC) < 0)) {
                r = negative_errno();
                goto fail;
        }

        pid_t pid = fork();
        if (pid < 0) {
                r = negative_errno();
                goto fail;
        }
        if (pid == 0)
                child(argv, o, inp[0], o->capture_stdout ? outp[1] : STDERR_FILENO, errp[1]);

        close(inp[0]);
        inp[0] = -1;
        close(errp[1]);
        errp[1] = -1;
        if (outp[1] >= 0) {
                close(outp[1]);
                outp[1] = -1;
        }

        /* Feed stdin, drain stdout and stderr without deadlocking on full pipes. */
        size_t in_off = 0;
        if (!o->stdin_data) {
                close(inp[1]);
                inp[1] = -1;
        } else
                fcntl(inp[1], F_SETFL, O_NONBLOCK);

        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        bool killed = false;
        for (;;) {
                struct pollfd p[3];
                int n = 0, i_in = -1, i_out = -1, i_err = -1;
                if (inp[1] >= 0) {
                        p[n] = (struct pollfd) { .fd = inp[1], .events = POLLOUT };
                        i_in = n++;
                }
                if (outp[0] >= 0) {
                        p[n] = (struct pollfd) { .fd = outp[0], .events = POLLIN };
                        i_out = n++;
                }
                if (errp[0] >= 0) {
                        p[n] = (struct pollfd) { .fd = errp[0], .events = POLLIN };
                        i_err = n++;
                }
                if (n == 0)
                        break;
                int timeout = -1;
                if (o->timeout_sec > 0 && !killed) {
                        struct timespec now;
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
                        long left = (long) o->timeout_sec * 1000 - elapsed;
                        if (left <= 0) {
                                kill(pid, SIGKILL);
                                killed = true;
                        } else
                                timeout = (int) MIN(left, 1000L);
                }
                if (poll(p, n, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        goto fail;
                }
                if (i_in >= 0 && p[i_in].revents) {
                        ssize_t k = write(inp[1], o->stdin_data + in_off, o->stdin_size - in_off);
                        if (k > 0)
                                in_off += k;
                        if (k < 0 && errno != EAGAIN) {
                                pipe_broken = pipe_broken || errno == EPIPE;
                                close(inp[1]);
                                inp[1] = -1;
                        } else if (in_off >= o->stdin_size) {
                                close(inp[1]);
                                inp[1] = -1;
                        }
                }
                int idx[2] = { i_out, i_err };
                int *fds[2] = { &outp[0], &errp[0] };
                Buffer *bufs[2] = { &out, &err };
                for (int k = 0; k < 2; k++) {
                        if (idx[k] < 0 || !p[idx[k]].revents)
                                continue;
                        char chunk[16384];
                        ssize_t got = read(*fds[k], chunk, sizeof(chunk));
                        if (got <= 0) {
                                close(*fds[k]);
                                *fds[k] = -1;
                        } else if (buffer_append(bufs[k], chunk, got) < 0) {
                                r = -ENOMEM;
                                kill(pid, SIGKILL);
                                waitpid(pid, NULL, 0);
                                goto fail;
                        }
                }
        }

        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        r = negative_errno();
                        goto fail;
                }

        SpawnResult res = {
                .exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                .out = o->capture_stdout ? buffer_steal_trimmed(&out) : NULL,
                .err = buffer_steal_trimmed(&err),
        };
        if (killed)
                log_warning("%s timed out after %us and was killed.", argv[0], o->timeout_sec);
        if (ret)
                *ret = res;
        else
                spawn_result_done(&res);
        r = 0;
fail:
        sigpipe_restore(&old_mask, pipe_broken);
        for (int k = 0; k < 2; k++) {
                closep(&inp[k]);
                closep(&outp[k]);
                closep(&errp[k]);
        }
        free(out.data);
        free(err.data);
        return r;
}

int spawn_checked(char *const argv[], const SpawnOptions *opts, char **ret_stdout) {
        SpawnOptions o = opts ? *opts : (SpawnOptions) {};
        SpawnResult res = {};
        int r;

        o.capture_stdout = o.capture_stdout || ret_stdout;
        r = spawn(argv, &o, &res);
        if (r < 0)
                return log_error_errno(r, "Failed to run %s: %m", argv[0]);
        if (res.exit_status != 0) {
                log_error("%s failed (status %d)%s%s", argv[0], res.exit_status,
                          res.err && *res.err ? ": " : ".", strempty(res.err));
                spawn_result_done(&res);
                return -EIO;
        }
        if (ret_stdout)
                *ret_stdout = TAKE_PTR(res.out);
        spawn_result_done(&res);
        return 0;
}
