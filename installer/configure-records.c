/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What forja leaves on the node about the install: the plan's non-secret
 * system facts (/etc/forja/node.json, where the mail address for the node is
 * kept), the answer file without secrets (/etc/forja/answer.toml, 0600) and
 * the install log (/var/log/forja/install.log, 0600). */

#include "configure-internal.h"
#include "fileio.h"
#include "json-out.h"
#include "log.h"

static const char *const system_facts[] = { "hostname", "domain", "fqdn", "country", "timezone", "mailto" };
static const char *const network_facts[] = { "interface-on-target", "mac", "cidr", "gateway", "dns" };

int configure_node_record(const ConfigureInput *in, char **ret_error) {
        json_object *system = json_get(in->plan, "system"), *network = json_get(in->plan, "network");
        json_object *node = json_object_new_object(), *mgmt = json_object_new_object();
        if (!node || !mgmt) {
                json_object_put(node);
                json_object_put(mgmt);
                return -ENOMEM;
        }
        json_add_string(node, "format", "forja-node");
        json_add_int(node, "version", 1);
        for (size_t i = 0; i < ELEMENTSOF(system_facts); i++)
                json_add_string(node, system_facts[i], json_get_string(system, system_facts[i]));
        json_add_string(node, "keyboard", json_get_string(json_get(system, "keyboard"), "layout"));
        json_add_string(mgmt, "bridge", "vmbr0");
        for (size_t i = 0; i < ELEMENTSOF(network_facts); i++)
                json_add_string(mgmt, streq(network_facts[i], "interface-on-target") ? "port" : network_facts[i],
                                json_get_string(network, network_facts[i]));
        json_add(node, "management", mgmt);

        _cleanup_free_ char *text = NULL;
        int r = text_append(&text, "%s\n",
                            json_object_to_json_string_ext(node, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(node);
        if (r < 0)
                return r;
        return target_write(in->root, "/etc/forja/node.json", text, 0644, ret_error);
}

int configure_answer_copy(const ConfigureInput *in, char **ret_error) {
        if (!in->answer_text)
                return 0;
        _cleanup_free_ char *redacted = NULL, *why = NULL;
        size_t size = 0;
        int r = answer_redact(in->answer_text, in->answer_size, &redacted, &size, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return target_error(ret_error, r, in->root, "/etc/forja/answer.toml", "cannot redact: %s", strempty(why));
        r = target_mkdir_p(in->root, "/etc/forja", 0755, ret_error);
        if (r < 0)
                return r;
        return target_write_full(in->root, "/etc/forja/answer.toml", redacted, size, 0600, 0, 0, ret_error);
}

int configure_install_log(const ConfigureInput *in, char **ret_error) {
        if (!in->log_path)
                return 0;
        _cleanup_free_ char *data = NULL, *clean = NULL;
        int r = read_full_file(in->log_path, 0, &data, NULL);
        if (r < 0)
                return target_error(ret_error, r, "", in->log_path, "cannot read the install log: %s", strerror(-r));
        /* the log masks secrets as it writes; mask again in case a line slipped through */
        clean = log_redact(data);
        if (!clean)
                return -ENOMEM;
        r = target_mkdir_p(in->root, "/var/log/forja", 0755, ret_error);
        if (r < 0)
                return r;
        return target_write(in->root, "/var/log/forja/install.log", clean, 0600, ret_error);
}

/* "ttyS0,115200" -> name "ttyS0", options "115200"; only [A-Za-z0-9] in each. */
static bool serial_console_ok(const char *s) {
        size_t name = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (name == 0)
                return false;
        if (s[name] == 0)
                return true;
        return s[name] == ',' && s[name + 1] &&
               strspn(s + name + 1, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(s + name + 1);
}

int configure_grub_defaults(const ConfigureInput *in, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        if (text_append(&text,
                        "# Written by forja at install time (docs/node-config.md); read by\n"
                        "# grub-mkconfig after /etc/default/grub.\n"
                        "GRUB_DISABLE_OS_PROBER=true\n") < 0)
                return -ENOMEM;

        const char *serial = in->serial_console;
        if (serial) {
                if (!serial_console_ok(serial))
                        return target_error(ret_error, -EINVAL, in->root, "/etc/default/grub.d/forja.cfg",
                                            "bad serial console '%s' (expected e.g. ttyS0,115200)", serial);
                /* the last console= is /dev/console: the serial line, where the install ran */
                if (text_append(&text, "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX console=tty0 console=%s\"\n", serial) < 0)
                        return -ENOMEM;
                const char *unit = startswith(serial, "ttyS");
                if (unit && *unit >= '0' && *unit <= '9') {
                        const char *comma = strchr(serial, ',');
                        size_t speed = comma ? strspn(comma + 1, "0123456789") : 0;
                        if (text_append(&text, "GRUB_TERMINAL=\"console serial\"\n"
                                               "GRUB_SERIAL_COMMAND=\"serial --unit=%.*s%s%.*s\"\n",
                                        (int) strspn(unit, "0123456789"), unit, speed ? " --speed=" : "",
                                        (int) speed, speed ? comma + 1 : "") < 0)
                                return -ENOMEM;
                }
        }
        return target_write(in->root, "/etc/default/grub.d/forja.cfg", text, 0644, ret_error);
}
