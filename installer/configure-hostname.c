/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /etc/hostname (the short name, Debian's convention) and /etc/hosts, which
 * maps the FQDN and the short name to the management address as Proxmox VE
 * does, so the node resolves its own name without DNS. */

#include "configure-internal.h"

int configure_hostname(const ConfigureInput *in, char **ret_error) {
        const char *hostname = plan_string(in->plan, "system", "hostname"),
                   *fqdn = plan_string(in->plan, "system", "fqdn"),
                   *address = plan_string(in->plan, "network", "address");

        if (!config_value_ok(hostname) || strpbrk(hostname, " \t./"))
                return target_error(ret_error, -EINVAL, in->root, "/etc/hostname",
                                    "the plan has no valid system.hostname");
        if (fqdn && (!config_value_ok(fqdn) || strpbrk(fqdn, " \t/")))
                return target_error(ret_error, -EINVAL, in->root, "/etc/hosts", "bad system.fqdn '%s'", fqdn);
        if (address && (!config_value_ok(address) || strpbrk(address, " \t/")))
                return target_error(ret_error, -EINVAL, in->root, "/etc/hosts", "bad network.address '%s'", address);

        _cleanup_free_ char *name = NULL, *hosts = NULL;
        if (text_append(&name, "%s\n", hostname) < 0)
                return -ENOMEM;
        int r = target_write(in->root, "/etc/hostname", name, 0644, ret_error);
        if (r < 0)
                return r;

        if (text_append(&hosts, "# Written by forja at install time (docs/node-config.md).\n"
                                "127.0.0.1 localhost\n") < 0)
                return -ENOMEM;
        if (address) {
                bool have_fqdn = fqdn && !streq(fqdn, hostname);
                if (text_append(&hosts, "%s %s%s%s\n", address, have_fqdn ? fqdn : "", have_fqdn ? " " : "",
                                hostname) < 0)
                        return -ENOMEM;
        }
        if (text_append(&hosts, "\n"
                                "# IPv6\n"
                                "::1 localhost ip6-localhost ip6-loopback\n"
                                "ff02::1 ip6-allnodes\n"
                                "ff02::2 ip6-allrouters\n") < 0)
                return -ENOMEM;
        return target_write(in->root, "/etc/hosts", hosts, 0644, ret_error);
}
