/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TPM2-bound unlock of the node's LUKS2 volume (disk-setup.encrypt-tpm2,
 * docs/node-config.md): a random recovery key in its own keyslot, the
 * volume bound with clevis to PCR 7 from the target chroot, and a crypttab
 * keyscript that asks the TPM first and prints the passphrase prompt only
 * when the TPM refuses.
 *
 * The recovery key lives in memory only: registered as a secret for the log,
 * given to luksAddKey through a file on the installer's RAM file system that
 * is removed at once, and delivered only by the succeeded webhook or on tty1. */

#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "engine-internal.h"
#include "fileio.h"
#include "log.h"
#include "spawn.h"
#include "strutil.h"

#define KEYSCRIPT_PATH "/usr/lib/forja/luks-tpm2-key"
#define TTY1_WAIT_SEC 600

/* Runs in the initramfs as the crypttab keyscript of a TPM-bound volume (and
 * is copied there again by cryptsetup-initramfs at every update-initramfs).
 * Debian's clevis-initramfs answers the askpass prompt after it is printed;
 * this script asks the TPM before any prompt, so a node whose TPM agrees
 * boots without one. clevis-initramfs puts clevis, jose, tpm2-tools and bash
 * into the initramfs. */
static const char keyscript[] =
        "#!/bin/bash\n"
        "# Written by the forja installer (docs/node-config.md): the key of $CRYPTTAB_NAME\n"
        "# from the TPM (clevis, PCR 7) on the first try; else the passphrase prompt.\n"
        "PATH=/sbin:/usr/sbin:/bin:/usr/bin\n"
        "if [ \"${CRYPTTAB_TRIED:-0}\" = 0 ]; then\n"
        "        for ((i = 0; i < 50; i++)); do [ -e /dev/tpmrm0 ] && break; sleep 0.1; done\n"
        "        if . clevis-luks-common-functions 2>/dev/null &&\n"
        "           key=$(clevis_luks_unlock_device \"$CRYPTTAB_SOURCE\" 2>/dev/null) && [ -n \"$key\" ]; then\n"
        "                echo \"forja: $CRYPTTAB_NAME unlocked by the TPM\" >&2\n"
        "                printf '%s' \"$key\"\n"
        "                exit 0\n"
        "        fi\n"
        "        echo \"forja: the TPM did not unlock $CRYPTTAB_NAME (PCR 7 changed or another TPM)\" >&2\n"
        "fi\n"
        "exec /lib/cryptsetup/askpass \"Please unlock disk $CRYPTTAB_NAME: \"\n";

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

bool luks_tpm2_wanted(json_object *luks) {
        return json_get(luks, "tpm2") != NULL;
}

static bool recovery_to(json_object *luks, const char *where) {
        json_object *to = json_get(json_get(luks, "tpm2"), "recovery-key");
        for (size_t i = 0; i < json_array_len(to); i++)
                if (streq_ptr(json_object_get_string(json_array_at(to, i)), where))
                        return true;
        return false;
}

/* 128 random bits as eight groups of four hex digits: typed by a person at
 * the passphrase prompt when the TPM refuses. */
static int make_recovery_key(char **ret) {
        uint8_t raw[16];
        if (getrandom(raw, sizeof raw, 0) != (ssize_t) sizeof raw)
                return -errno ?: -EIO;
        char *k = malloc(8 * 5);
        if (!k)
                return -ENOMEM;
        char *p = k;
        for (size_t i = 0; i < sizeof raw; i += 2)
                p += sprintf(p, "%s%02x%02x", i ? "-" : "", raw[i], raw[i + 1]);
        explicit_bzero(raw, sizeof raw);
        *ret = k;
        return 0;
}

int luks_add_recovery_key(Engine *e, const char *dev, const char *passphrase, const char *pbkdf_memory) {
        InstallContext *c = e->c;
        _cleanup_free_ char *key = NULL;
        int r = make_recovery_key(&key);
        if (r < 0)
                return engine_fail(e, r, "cannot make a recovery key: %s", strerror(-r));
        r = log_register_secret(key);
        if (r < 0)
                return r;
        /* luksAddKey reads the passphrase from stdin and the new key from a
         * file: one on the installer's RAM file system, gone right after. */
        char path[64];
        snprintf(path, sizeof path, "/run/forja-recovery-%d", (int) getpid());
        r = write_file_atomic(path, key, strlen(key), 0600);
        if (r >= 0) {
                char *argv[] = { "cryptsetup", "luksAddKey", "--batch-mode", "--key-file=-", (char *) dev, path,
                                 (char *) pbkdf_memory, NULL };
                r = engine_run_input(e, "adding the recovery key", argv, passphrase, strlen(passphrase));
        } else
                r = engine_fail(e, r, "cannot hold the recovery key in /run: %s", strerror(-r));
        (void) unlink(path);
        if (r < 0)
                return r;
        if (c->recovery_key) {
                explicit_bzero(c->recovery_key, strlen(c->recovery_key));
                free(c->recovery_key);
        }
        c->recovery_key = TAKE_PTR(key);
        c->recovery_key_webhook = recovery_to(json_array_at(json_get(e->storage, "luks"), 0), "webhook");
        c->recovery_key_tty1 = recovery_to(json_array_at(json_get(e->storage, "luks"), 0), "tty1");
        return 0;
}

/* Binds the container to the TPM from the target chroot (the node's own
 * clevis and tpm2-tools, /dev bound in), PCR 7 in the sha256 bank: the
 * same firmware and Secure Boot state that boots the installer (Debian's
 * signed shim and GRUB) boots the node. */
int luks_bind_tpm2(Engine *e, const char *dev, json_object *luks) {
        const char *pass = e->c->answer ? e->c->answer->disks.encrypt_passphrase : NULL;
        json_object *t = json_get(luks, "tpm2"), *pcrs = json_get(t, "pcrs");
        _cleanup_free_ char *ids = NULL, *cfg = NULL;
        if (!pass)
                return engine_fail(e, -EINVAL, "the plan binds to the TPM, and the answer has no passphrase");
        for (size_t i = 0; i < json_array_len(pcrs); i++)
                if (strextendf_with_separator(&ids, ",", "%d", json_object_get_int(json_array_at(pcrs, i))) < 0)
                        return -ENOMEM;
        if (asprintf(&cfg, "{\"pcr_bank\":\"%s\",\"pcr_ids\":\"%s\"}", json_get_string(t, "pcr-bank") ?: "sha256",
                     strempty(ids)) < 0)
                return -ENOMEM;
        /* PCR 7 as sealed to, for whoever compares it with the node's boot
         * (not a secret: the measurement of the Secure Boot state) */
        _cleanup_free_ char *pcr7 = NULL;
        if (read_one_line_file("/sys/class/tpm/tpm0/pcr-sha256/7", &pcr7) >= 0)
                log_info("FORJA-TPM-PCR7 sha256 %s", pcr7);
        static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C.UTF-8",
                                     "TPM2TOOLS_TCTI=device:/dev/tpmrm0", NULL };
        char *argv[] = { "clevis", "luks", "bind", "-y", "-k", "-", "-d", (char *) dev, "tpm2", cfg, NULL };
        SpawnOptions o = { .root = e->c->target, .env_extra = env, .stdin_data = pass, .stdin_size = strlen(pass),
                           .timeout_sec = 1200 };
        SpawnResult res = {};
        int r = spawn(argv, &o, &res);
        if (r < 0)
                return engine_fail(e, r, "binding %s to the TPM: cannot run clevis: %s", dev, strerror(-r));
        if (res.exit_status != 0) {
                r = engine_fail(e, -EIO, "binding %s to the TPM: clevis failed (status %d): %s", dev, res.exit_status,
                                strempty(res.err));
                spawn_result_done(&res);
                return r;
        }
        spawn_result_done(&res);
        log_info("%s is bound to the TPM (clevis, PCR %s).", dev, ids);
        return 0;
}

int luks_write_keyscript(Engine *e) {
        _cleanup_free_ char *dir = engine_target_path(e, "/usr/lib/forja"), *path = engine_target_path(e, KEYSCRIPT_PATH);
        if (!dir || !path)
                return -ENOMEM;
        (void) mkdir(dir, 0755);
        int r = write_file_atomic(path, keyscript, strlen(keyscript), 0755);
        if (r < 0)
                return engine_fail(e, r, "writing %s: %s", KEYSCRIPT_PATH, strerror(-r));
        return 0;
}

const char *luks_keyscript_path(void) {
        return KEYSCRIPT_PATH;
}

/* The recovery key on the first virtual console, never on the serial one:
 * shown until Enter is pressed there (at most TTY1_WAIT_SEC), then wiped. */
void luks_show_recovery_key_tty1(const InstallContext *c) {
        if (!c->recovery_key || !c->recovery_key_tty1)
                return;
        _cleanup_close_ int fd = open("/dev/tty1", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
                log_warning("Cannot open /dev/tty1 to show the LUKS recovery key: %m");
                return;
        }
        _cleanup_free_ char *text = NULL;
        if (asprintf(&text, "\033[H\033[2J\n  The LUKS recovery key of this node (its own keyslot; the TPM unlocks the\n"
                     "  disk at boot, this key when the TPM refuses). Write it down:\n\n      %s\n\n"
                     "  Press Enter to go on.\n", c->recovery_key) < 0)
                return;
        if (write_all(fd, text, strlen(text)) < 0) {
                log_warning("Cannot write the LUKS recovery key to /dev/tty1: %m");
                explicit_bzero(text, strlen(text));
                return;
        }
        explicit_bzero(text, strlen(text));
        log_info("FORJA-RECOVERY-KEY-ON-TTY1: the LUKS recovery key is shown on tty1; press Enter there.");
        (void) tcflush(fd, TCIFLUSH);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[64];
        for (int left = TTY1_WAIT_SEC * 1000; left > 0; left -= 1000)
                if (poll(&p, 1, 1000) > 0) {
                        ssize_t n = read(fd, buf, sizeof buf);
                        if (n <= 0 || memchr(buf, '\n', (size_t) n) || memchr(buf, '\r', (size_t) n))
                                break;
                }
        static const char clear[] = "\033[H\033[2J\033[3J";
        (void) write_all(fd, clear, strlen(clear));
}
