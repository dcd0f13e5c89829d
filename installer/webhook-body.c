/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bodies the webhook sends (webhook.h): pure builders over the install
 * context, the installed target's files and cpuinfo, so they can be tested
 * on a directory tree standing in for the target. */

#include <dirent.h>
#include <fcntl.h>
#include <sys/utsname.h>

#include "fileio.h"
#include "json-out.h"
#include "machine-identity.h"
#include "strutil.h"
#include "webhook.h"

/* The field set of Proxmox's post-hook schema 1.2 (with debian-version and reboot-mode). */
#define PROXMOX_POST_HOOK_SCHEMA "1.2"

static const char *const event_names[] = {
        [INSTALL_EVENT_STARTED] = "started",
        [INSTALL_EVENT_SUCCEEDED] = "succeeded",
        [INSTALL_EVENT_FAILED] = "failed",
};

/* product, iso, fqdn and dmi: who is talking, in Proxmox's shapes. */
static void add_identity(json_object *body, const InstallContext *c) {
        webhook_add_identity(body, json_get_string(json_get(c->plan, "system"), "fqdn"), c->hw);
}

static json_object *forja_object(InstallEvent e) {
        return webhook_forja_object(event_names[e]);
}

json_object *webhook_event_body(const InstallContext *c, InstallEvent e, InstallStage stage, const char *error,
                                char *const *log_tail) {
        json_object *body = json_object_new_object();
        json_object *f = forja_object(e);
        if (e == INSTALL_EVENT_FAILED) {
                json_add_string(f, "stage", install_stage_name(stage));
                json_add_string(f, "error", error ?: "unknown error");
                json_add_bool(f, "disks-written", stage >= STAGE_DISKS);
                json_object *t = json_object_new_array();
                for (char *const *l = log_tail; l && *l; l++)
                        json_object_array_add(t, json_object_new_string(*l));
                json_add(f, "log-tail", t);
        }
        json_add(body, "forja", f);
        add_identity(body, c);
        return body;
}

static int vmlinuz_filter(const struct dirent *d) {
        return startswith(d->d_name, "vmlinuz-") != NULL;
}

/* The version string of an x86 bzImage: the setup header ("HdrS" at 0x202)
 * holds at 0x20e the offset, less 0x200, of a NUL-terminated string
 * "RELEASE (BUILDER) VERSION..." (Documentation/arch/x86/boot.rst). */
static char *bzimage_version(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        unsigned char hdr[16];
        char buf[257];
        if (fd < 0 || pread(fd, hdr, sizeof hdr, 0x202) != (ssize_t) sizeof hdr || memcmp(hdr, "HdrS", 4) != 0)
                return NULL;
        off_t off = (off_t) (hdr[0x20e - 0x202] | hdr[0x20f - 0x202] << 8) + 0x200;
        ssize_t n = pread(fd, buf, sizeof buf - 1, off);
        if (n <= 0)
                return NULL;
        buf[n] = 0;
        return strlen(buf) < (size_t) n ? strdup(buf) : NULL;
}

static json_object *kernel_version(const char *root) {
        _cleanup_free_ char *boot = NULL;
        struct dirent **list = NULL;
        if (asprintf(&boot, "%s/boot", root) < 0)
                return NULL;
        int n = scandir(boot, &list, vmlinuz_filter, versionsort);
        if (n <= 0) {
                free(list);
                return NULL;
        }
        json_object *k = json_object_new_object();
        struct utsname u;
        json_add_string(k, "sysname", "Linux");
        json_add_string(k, "release", list[n - 1]->d_name + strlen("vmlinuz-"));
        _cleanup_free_ char *path = NULL, *v = NULL;
        if (asprintf(&path, "%s/%s", boot, list[n - 1]->d_name) >= 0)
                v = bzimage_version(path);
        /* "6.12.9-amd64 (builder@host) #1 SMP ...": the version is the third part. */
        const char *sp = v ? strchr(v, ' ') : NULL;
        sp = sp ? strchr(sp + 1, ' ') : NULL;
        json_add_string(k, "version", sp ? sp + 1 : "");
        json_add_string(k, "machine", uname(&u) == 0 ? u.machine : "");
        for (int i = 0; i < n; i++)
                free(list[i]);
        free(list);
        return k;
}

/* Proxmox's cpu-info from cpuinfo: cpus (processor entries), sockets (distinct
 * physical ids, 1 when there are none), cores (distinct physical id/core id
 * pairs), flags and model of the first CPU, hvm (vmx or svm among the flags). */
static json_object *cpu_info(const char *cpuinfo_path) {
        _cleanup_free_ char *data = NULL;
        if (read_full_file(cpuinfo_path ?: "/proc/cpuinfo", 16u << 20, &data, NULL) < 0)
                return NULL;
        _cleanup_strv_free_ char **sockets = calloc(1, sizeof(char *)), **cores = calloc(1, sizeof(char *));
        size_t n_sockets = 0, n_cores = 0;
        unsigned cpus = 0;
        _cleanup_free_ char *flags = NULL, *model = NULL, *physical = NULL;
        if (!sockets || !cores)
                return NULL;
        for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                char *v = colon + 1 + strspn(colon + 1, " \t");
                char *e = colon;
                while (e > line && strchr(" \t", e[-1]))
                        e--;
                *e = 0;
                char ***list = NULL;
                size_t *count = NULL;
                _cleanup_free_ char *item = NULL;
                if (streq(line, "processor"))
                        cpus++;
                else if (streq(line, "physical id")) {
                        free(physical);
                        physical = strdup(v);
                        item = strdup(v);
                        list = &sockets;
                        count = &n_sockets;
                } else if (streq(line, "core id")) {
                        if (asprintf(&item, "%s/%s", strempty(physical), v) < 0)
                                item = NULL;
                        list = &cores;
                        count = &n_cores;
                } else if ((streq(line, "flags") || streq(line, "Features")) && !flags)
                        flags = strdup(v);
                else if (streq(line, "model name") && !model)
                        model = strdup(v);
                if (list && item) {
                        bool seen = false;
                        for (size_t i = 0; i < *count && !seen; i++)
                                seen = streq((*list)[i], item);
                        char **x = seen ? *list : realloc(*list, (*count + 2) * sizeof(char *));
                        if (x && !seen) {
                                *list = x;
                                x[(*count)++] = TAKE_PTR(item);
                                x[*count] = NULL;
                        }
                }
        }
        json_object *o = json_object_new_object();
        json_add_int(o, "cores", (int64_t) n_cores);
        json_add_int(o, "cpus", cpus);
        json_add_string(o, "flags", strempty(flags));
        bool hvm = false;
        for (const char *p = flags; p && *p; p += strcspn(p, " "), p += strspn(p, " ")) {
                size_t l = strcspn(p, " ");
                hvm = hvm || (l == 3 && (strneq(p, "vmx", 3) || strneq(p, "svm", 3)));
        }
        json_add_bool(o, "hvm", hvm);
        json_add_string(o, "model", strempty(model));
        json_add_int(o, "sockets", n_sockets > 0 ? (int64_t) n_sockets : (cpus > 0 ? 1 : 0));
        return o;
}

static json_object *udev_properties(const HwProperty *props, size_t n) {
        json_object *o = json_object_new_object();
        for (size_t i = 0; i < n; i++)
                json_add_string(o, props[i].key, props[i].value);
        return o;
}

static bool plan_has_disk(json_object *plan, const char *name) {
        json_object *disks = json_get(json_get(plan, "storage"), "disks");
        for (size_t i = 0; i < json_array_len(disks); i++)
                if (streq_ptr(json_get_string(json_array_at(disks, i), "name"), name))
                        return true;
        return false;
}

static json_object *disks_info(const InstallContext *c) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; c->hw && i < c->hw->n_disks; i++) {
                const HwDisk *d = &c->hw->disks[i];
                json_object *o = json_object_new_object();
                json_add_int(o, "size", (int64_t) d->size_bytes);
                if (plan_has_disk(c->plan, d->name))
                        json_add_bool(o, "is-bootdisk", true);
                json_add(o, "udev-properties", udev_properties(d->props, d->n_props));
                json_object_array_add(a, o);
        }
        return a;
}

static json_object *nics_info(const InstallContext *c) {
        json_object *net = json_get(c->plan, "network");
        const char *mgmt = json_get_string(net, "interface");
        bool pinned = json_get_bool(json_get(net, "interface-name-pinning"), "enabled");
        json_object *a = json_object_new_array();
        for (size_t i = 0; c->hw && i < c->hw->n_nics; i++) {
                const HwNic *n = &c->hw->nics[i];
                bool is_mgmt = streq_ptr(n->name, mgmt);
                json_object *o = json_object_new_object();
                json_add_string(o, "name", is_mgmt ? (json_get_string(net, "interface-on-target") ?: n->name) : n->name);
                json_add_string(o, "mac", n->mac);
                if (is_mgmt) {
                        json_add_string(o, "address", json_get_string(net, "cidr"));
                        json_add_bool(o, "is-management", true);
                        if (pinned)
                                json_add_bool(o, "is-pinned", true);
                }
                json_add(o, "udev-properties", udev_properties(n->props, n->n_props));
                json_object_array_add(a, o);
        }
        return a;
}

static json_object *os_release(const char *root) {
        _cleanup_free_ char *text = webhook_read_file(root, "etc/os-release");
        if (!text)
                text = webhook_read_file(root, "usr/lib/os-release");
        if (!text)
                return NULL;
        json_object *o = json_object_new_object();
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                char *eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = 0;
                if (!streq(line, "ID") && !streq(line, "VERSION_ID") && !streq(line, "VERSION_CODENAME") &&
                    !streq(line, "PRETTY_NAME"))
                        continue;
                char *v = eq + 1;
                size_t l = strlen(v);
                if (l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0]) {
                        v[l - 1] = 0;
                        v++;
                }
                json_add_string(o, line, v);
        }
        return o;
}

json_object *webhook_installed_body(const InstallContext *c, const char *root, const char *cpuinfo_path) {
        json_object *body = json_object_new_object();
        json_object *schema = json_object_new_object();
        json_add_string(schema, "version", PROXMOX_POST_HOOK_SCHEMA);
        json_add(body, "$schema", schema);
        webhook_add_file(body, "debian-version", root, "etc/debian_version");
        add_identity(body, c);
        json_object *k = kernel_version(root);
        if (k)
                json_add(body, "kernel-version", k);
        json_object *boot = json_object_new_object();
        bool uefi = c->hw ? c->hw->uefi : streq_ptr(json_get_string(json_get(c->plan, "hardware"), "firmware"), "uefi");
        json_add_string(boot, "mode", uefi ? "efi" : "bios");
        if (c->hw && c->hw->secure_boot)
                json_add_bool(boot, "secureboot", true);
        json_add(body, "boot-info", boot);
        json_object *cpu = cpu_info(cpuinfo_path);
        if (cpu)
                json_add(body, "cpu-info", cpu);
        json_add_string(body, "filesystem", json_get_string(json_get(c->plan, "storage"), "filesystem"));
        webhook_add_file(body, "machine-id", root, "etc/machine-id");
        json_add(body, "disks", disks_info(c));
        json_add(body, "network-interfaces", nics_info(c));
        json_object *keys = json_object_new_object();
        webhook_add_file(keys, "ecdsa", root, "etc/ssh/ssh_host_ecdsa_key.pub");
        webhook_add_file(keys, "ed25519", root, "etc/ssh/ssh_host_ed25519_key.pub");
        webhook_add_file(keys, "rsa", root, "etc/ssh/ssh_host_rsa_key.pub");
        json_add(body, "ssh-public-host-keys", keys);
        json_add_string(body, "reboot-mode", json_get_string(json_get(c->plan, "system"), "reboot-mode") ?: "reboot");

        json_object *f = forja_object(INSTALL_EVENT_SUCCEEDED);
        json_object *os = os_release(root);
        if (os)
                json_add(f, "os-release", os);
        json_add(body, "forja", f);
        return body;
}
