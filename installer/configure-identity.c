/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What makes each node unique, which the image deliberately lacks.
 *  - /etc/machine-id (0444): a new random ID (a v4 UUID in systemd's 32-hex
 *    form, as systemd-machine-id-setup makes), so the post-installation
 *    webhook reports the ID the node will have (Proxmox's installer does the
 *    same). A valid ID does not start "first boot" mode; "uninitialized" (or
 *    no file) would set ConditionFirstBoot, which in trixie runs
 *    systemd-firstboot (console prompts) and applies unit presets: neither is
 *    wanted on a configured node.
 *  - SSH host keys made here, by the target's own ssh-keygen in a chroot (the
 *    installer environment has none, and the keys must suit the node's
 *    OpenSSH): sshd-keygen.service only runs on a "first boot", which the
 *    machine-id set here does not start, and the keys exist before the node is
 *    on the network. Their comment names the node, not the installer. */

#include <dirent.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "configure-internal.h"
#include "spawn.h"

#define SSH_KEYGEN "/usr/bin/ssh-keygen"

/* 32 lowercase hex digits and a newline: 128 random bits with the version (4)
 * and variant (10xx) bits of a random UUID, like sd_id128_randomize(). */
static int random_machine_id(char ret[static 34]) {
        uint8_t b[16];
        size_t got = 0;
        while (got < sizeof b) {
                ssize_t n = getrandom(b + got, sizeof b - got, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                got += (size_t) n;
        }
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        for (size_t i = 0; i < sizeof b; i++)
                snprintf(ret + 2 * i, 3, "%02x", b[i]);
        ret[32] = '\n';
        ret[33] = '\0';
        return 0;
}

int configure_machine_id(const ConfigureInput *in, char **ret_error) {
        char id[34];
        int r = random_machine_id(id);
        if (r < 0)
                return target_error(ret_error, r, in->root, "/etc/machine-id", "no random bytes for a machine ID");
        r = target_write(in->root, "/etc/machine-id", id, 0444, ret_error);
        if (r < 0)
                return r;
        /* D-Bus keeps a link to /etc/machine-id; a copy would be a stale ID */
        _cleanup_free_ char *dbus = target_path(in->root, "/var/lib/dbus/machine-id");
        if (!dbus)
                return -ENOMEM;
        struct stat st;
        if (lstat(dbus, &st) == 0 && S_ISREG(st.st_mode) && unlink(dbus) < 0)
                return target_error(ret_error, negative_errno(), in->root, "/var/lib/dbus/machine-id", NULL);
        return 0;
}

static int remove_old_host_keys(const ConfigureInput *in, char **ret_error) {
        _cleanup_free_ char *dir = target_path(in->root, "/etc/ssh");
        if (!dir)
                return -ENOMEM;
        DIR *d = opendir(dir);
        if (!d)
                return target_error(ret_error, negative_errno(), in->root, "/etc/ssh", NULL);
        int r = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (startswith(de->d_name, "ssh_host_") && unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
                        r = target_error(ret_error, negative_errno(), in->root, "/etc/ssh/ssh_host_*", NULL);
                        break;
                }
        closedir(d);
        return r;
}

int configure_ssh_host_keys(const ConfigureInput *in, char **ret_error) {
        static const char *const types[] = { "rsa", "ecdsa", "ed25519" };
        const char *hostname = plan_string(in->plan, "system", "hostname");

        _cleanup_free_ char *keygen = target_path(in->root, SSH_KEYGEN), *comment = NULL;
        if (!keygen || asprintf(&comment, "root@%s", strempty(hostname)) < 0)
                return -ENOMEM;
        int r = access(keygen, X_OK) < 0 ? negative_errno() : 0;
        if (r < 0)
                return target_error(ret_error, r, in->root, SSH_KEYGEN,
                                    "cannot make the SSH host keys: %s (openssh-client must be in the image)",
                                    strerror(-r));
        r = target_mkdir_p(in->root, "/etc/ssh", 0755, ret_error);
        if (r < 0)
                return r;
        r = remove_old_host_keys(in, ret_error);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                _cleanup_free_ char *file = NULL;
                if (asprintf(&file, "/etc/ssh/ssh_host_%s_key", types[i]) < 0)
                        return -ENOMEM;
                char *argv[] = { (char *) SSH_KEYGEN, (char *) "-q", (char *) "-t", (char *) types[i],
                                 (char *) "-N", (char *) "", (char *) "-C", comment, (char *) "-f", file, NULL };
                SpawnOptions opts = { .root = in->root, .quiet = true, .timeout_sec = 300 };
                SpawnResult res = {};
                r = spawn(argv, &opts, &res);
                if (r < 0)
                        return target_error(ret_error, r, in->root, SSH_KEYGEN, "cannot run: %s", strerror(-r));
                if (res.exit_status != 0) {
                        target_error(ret_error, -EIO, in->root, file, "ssh-keygen -t %s failed (status %d): %s",
                                     types[i], res.exit_status, strempty(res.err));
                        spawn_result_done(&res);
                        return -EIO;
                }
                spawn_result_done(&res);
        }
        return 0;
}
