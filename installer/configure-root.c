/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The root account: the password hashed with yescrypt (libcrypt), or the hash
 * the answer gave, put into root's line of /etc/shadow with every other field
 * and the file's owner and mode kept; and root's ssh keys. The plain password
 * is only ever handed to crypt(); sshd keeps Debian's default, which refuses
 * root logins by password (keys only). */

#include <crypt.h>
#include <sys/stat.h>

#include "answer-check.h"
#include "configure-internal.h"
#include "fileio.h"

#define SHADOW "/etc/shadow"

/* A yescrypt hash of the password with a fresh random salt. */
static int hash_password(const char *password, char **ret) {
        _cleanup_free_ char *setting = crypt_gensalt_ra("$y$", 0, NULL, 0);
        if (!setting)
                return negative_errno();
        void *data = NULL;
        int size = 0;
        errno = 0;
        const char *h = crypt_ra(password, setting, &data, &size);
        int r = 0;
        char *copy = NULL;
        if (!h || h[0] == '*')
                r = errno > 0 ? -errno : -EINVAL;
        else if (!(copy = strdup(h)))
                r = -ENOMEM;
        if (data) {
                /* crypt's scratch space held the password */
                explicit_bzero(data, size);
                free(data);
        }
        if (r < 0)
                return r;
        *ret = copy;
        return 0;
}

/* Returns the shadow text with root's password field replaced. */
static int shadow_replace_root(const char *data, const char *hash, char **ret) {
        const char *line = data;
        while (line && !startswith(line, "root:")) {
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        if (!line)
                return -ENOENT;
        const char *field = line + strlen("root:");
        const char *rest = strchr(field, ':'), *eol = strchr(field, '\n');
        if (!rest || (eol && rest > eol))
                return -EBADMSG;
        char *n;
        if (asprintf(&n, "%.*s%s%s", (int) (field - data), data, hash, rest) < 0)
                return -ENOMEM;
        *ret = n;
        return 0;
}

int configure_root_password(const ConfigureInput *in, char **ret_error) {
        const char *plain = in->answer->global.root_password, *given = in->answer->global.root_password_hashed;
        _cleanup_free_ char *path = target_path(in->root, SHADOW), *data = NULL, *hash = NULL, *text = NULL;
        if (!path)
                return -ENOMEM;

        if (!plain && !given)
                return target_error(ret_error, -EINVAL, in->root, SHADOW, "the answer gives no root password");
        /* The plan refused this already (answer-validate.c); checked again here. */
        const char *why = plain ? NULL : check_shadow_field(given);
        if (why)
                return target_error(ret_error, -EINVAL, in->root, SHADOW, "global.root-password-hashed %s", why);

        struct stat st;
        int r = read_full_file(path, 16 * 1024 * 1024, &data, NULL);
        if (r < 0 || stat(path, &st) < 0)
                return target_error(ret_error, r < 0 ? r : negative_errno(), in->root, SHADOW, NULL);

        if (plain) {
                r = hash_password(plain, &hash);
                if (r < 0)
                        return target_error(ret_error, r, in->root, SHADOW, "cannot hash the root password with yescrypt: %s",
                                            strerror(-r));
        } else if (!(hash = strdup(given)))
                return -ENOMEM;

        r = shadow_replace_root(data, hash, &text);
        if (r == -ENOENT)
                return target_error(ret_error, r, in->root, SHADOW, "no line for root");
        if (r == -EBADMSG)
                return target_error(ret_error, r, in->root, SHADOW, "root's line has no password field");
        if (r < 0)
                return r;
        return target_write_full(in->root, SHADOW, text, strlen(text), st.st_mode & 07777, st.st_uid, st.st_gid,
                                 ret_error);
}

int configure_root_ssh_keys(const ConfigureInput *in, char **ret_error) {
        char **keys = in->answer->global.root_ssh_keys;
        if (!keys || !keys[0])
                return 0;

        _cleanup_free_ char *text = NULL, *dir = target_path(in->root, "/root/.ssh");
        if (!dir)
                return -ENOMEM;
        for (char **k = keys; *k; k++) {
                const char *why = check_ssh_key_line(*k);
                if (why)
                        return target_error(ret_error, -EINVAL, in->root, "/root/.ssh/authorized_keys",
                                            "global.root-ssh-keys[%zu] %s", (size_t) (k - keys), why);
                if (text_append(&text, "%s\n", *k) < 0)
                        return -ENOMEM;
        }
        int r = target_mkdir_p(in->root, "/root/.ssh", 0700, ret_error);
        if (r < 0)
                return r;
        if (chmod(dir, 0700) < 0 || (geteuid() == 0 && chown(dir, 0, 0) < 0))
                return target_error(ret_error, negative_errno(), in->root, "/root/.ssh", NULL);
        return target_write(in->root, "/root/.ssh/authorized_keys", text, 0600, ret_error);
}
