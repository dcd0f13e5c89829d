/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The management network for systemd-networkd, shaped like Proxmox VE's: a
 * bridge vmbr0 with the management NIC as its only port and the address on
 * the bridge, so guests can join the LAN. The address, gateway and DNS are
 * written as static configuration even when the installer learned them by
 * DHCP (as Proxmox does): a node's address must not move. With interface
 * name pinning, a .link file per NIC fixes its name by MAC address.
 * The image has no systemd-resolved, so /etc/resolv.conf is a plain file.
 * networkd calls the bridge configured, and systemd-networkd-wait-online
 * lets the boot go on, only once every address and route is in place: a
 * gateway outside the address's subnet gets GatewayOnLink=, or its route
 * could never be added and every boot would wait for wait-online's timeout. */

#include "answer-check.h"
#include "configure-internal.h"
#include "json-out.h"

#define BRIDGE "vmbr0"
#define NETWORK_DIR "/etc/systemd/network"

static bool ifname_ok(const char *s) {
        /* what the kernel accepts (dev_valid_name) and udev can match */
        return config_value_ok(s) && strlen(s) < 16 && !strpbrk(s, " \t/:") && !streq(s, ".") && !streq(s, "..");
}

static bool mac_ok(const char *s) {
        if (!s || strlen(s) != 17)
                return false;
        for (size_t i = 0; i < 17; i++)
                if (i % 3 == 2 ? s[i] != ':' : !strchr("0123456789abcdefABCDEF", s[i]))
                        return false;
        return true;
}

static int write_pinning(const ConfigureInput *in, char **ret_error) {
        json_object *pin = json_get(json_get(in->plan, "network"), "interface-name-pinning");
        json_object *enabled = json_get(pin, "enabled"), *mapping = json_get(pin, "mapping");
        if (!enabled || !json_object_get_boolean(enabled))
                return 0;
        if (!json_object_is_type(mapping, json_type_object))
                return target_error(ret_error, -EINVAL, in->root, NETWORK_DIR,
                                    "the plan's network.interface-name-pinning has no mapping");
        json_object_object_foreach(mapping, mac, v) {
                const char *name = json_object_get_string(v);
                if (!mac_ok(mac) || !ifname_ok(name))
                        return target_error(ret_error, -EINVAL, in->root, NETWORK_DIR,
                                            "bad interface name pinning '%s' = '%s'", mac, strempty(name));
                _cleanup_free_ char *path = NULL, *text = NULL;
                if (asprintf(&path, NETWORK_DIR "/50-forja-%s.link", name) < 0 ||
                    text_append(&text,
                                "# Interface name pinning, written by forja (docs/node-config.md).\n"
                                "[Match]\n"
                                "MACAddress=%s\n"
                                /* not the bridge or VLANs, which carry the same MAC */
                                "Type=ether\n"
                                "\n"
                                "[Link]\n"
                                "Name=%s\n",
                                mac, name) < 0)
                        return -ENOMEM;
                int r = target_write(in->root, path, text, 0644, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int append_dns(char **text, const char *key, const char *dns) {
        _cleanup_free_ char *copy = strdup(dns);
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *w = strtok_r(copy, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save))
                if (text_append(text, "%s%s\n", key, w) < 0)
                        return -ENOMEM;
        return 0;
}

/* A gateway the kernel cannot reach through the subnet of cidr: its route
 * needs the onlink flag (point-to-point and /32 set-ups, or a typo the plan
 * warned about). */
static bool gateway_off_subnet(const char *cidr, const char *gateway) {
        IpAddress addr, gw;
        unsigned prefix;
        if (check_cidr(cidr, &addr, &prefix) || check_ip(gateway, &gw))
                return false;
        return addr.family == gw.family && !ip_in_subnet(&gw, &addr, prefix);
}

static int write_bridge(const ConfigureInput *in, const char *port, const char *mac, char **ret_error) {
        const char *cidr = plan_string(in->plan, "network", "cidr"),
                   *gateway = plan_string(in->plan, "network", "gateway"),
                   *dns = plan_string(in->plan, "network", "dns"),
                   *domain = plan_string(in->plan, "system", "domain");
        if (!config_value_ok(cidr) || !strchr(cidr, '/') || strpbrk(cidr, " \t"))
                return target_error(ret_error, -EINVAL, in->root, NETWORK_DIR, "the plan has no valid network.cidr");
        if ((gateway && (!config_value_ok(gateway) || strpbrk(gateway, " \t"))) || (dns && !config_value_ok(dns)) ||
            (domain && (!config_value_ok(domain) || strpbrk(domain, " \t"))))
                return target_error(ret_error, -EINVAL, in->root, NETWORK_DIR, "bad network.gateway, network.dns or system.domain");

        _cleanup_free_ char *netdev = NULL, *port_path = NULL, *port_net = NULL, *bridge_net = NULL, *resolv = NULL;
        bool onlink = gateway && gateway_off_subnet(cidr, gateway);
        /* The bridge takes the NIC's MAC (as Proxmox does): DHCP reservations and
         * switch port security keep working, and it does not depend on the
         * machine-id. */
        if (text_append(&netdev,
                        "# The management bridge, written by forja (docs/node-config.md).\n"
                        "[NetDev]\n"
                        "Name=" BRIDGE "\n"
                        "Kind=bridge\n"
                        "MACAddress=%s\n"
                        "\n"
                        "[Bridge]\n"
                        "STP=no\n",
                        mac) < 0)
                return -ENOMEM;
        if (asprintf(&port_path, NETWORK_DIR "/20-forja-%s.network", port) < 0 ||
            text_append(&port_net,
                        "# The management NIC, port of " BRIDGE ", written by forja (docs/node-config.md).\n"
                        "[Match]\n"
                        "Name=%s\n"
                        "\n"
                        "[Network]\n"
                        "Bridge=" BRIDGE "\n"
                        "LinkLocalAddressing=no\n",
                        port) < 0)
                return -ENOMEM;
        if (text_append(&bridge_net,
                        "# The management address, written by forja (docs/node-config.md).\n"
                        "[Match]\n"
                        "Name=" BRIDGE "\n"
                        "\n"
                        "[Network]\n"
                        "Address=%s\n",
                        cidr) < 0 ||
            (gateway && !onlink && text_append(&bridge_net, "Gateway=%s\n", gateway) < 0) ||
            (dns && append_dns(&bridge_net, "DNS=", dns) < 0) ||
            (domain && text_append(&bridge_net, "Domains=%s\n", domain) < 0) ||
            (onlink && text_append(&bridge_net, "\n[Route]\nGateway=%s\nGatewayOnLink=yes\n", gateway) < 0))
                return -ENOMEM;

        if (text_append(&resolv, "# Written by forja at install time (docs/node-config.md).\n") < 0 ||
            (domain && text_append(&resolv, "search %s\n", domain) < 0) ||
            (dns && append_dns(&resolv, "nameserver ", dns) < 0))
                return -ENOMEM;

        int r;
        if ((r = target_write(in->root, NETWORK_DIR "/10-forja-" BRIDGE ".netdev", netdev, 0644, ret_error)) < 0 ||
            (r = target_write(in->root, port_path, port_net, 0644, ret_error)) < 0 ||
            (r = target_write(in->root, NETWORK_DIR "/30-forja-" BRIDGE ".network", bridge_net, 0644, ret_error)) < 0 ||
            (r = target_write(in->root, "/etc/resolv.conf", resolv, 0644, ret_error)) < 0)
                return r;
        return 0;
}

int configure_network(const ConfigureInput *in, char **ret_error) {
        const char *port = plan_string(in->plan, "network", "interface-on-target"),
                   *mac = plan_string(in->plan, "network", "mac");
        if (!ifname_ok(port))
                return target_error(ret_error, -EINVAL, in->root, NETWORK_DIR,
                                    "the plan has no valid network.interface-on-target");
        if (!mac_ok(mac))
                return target_error(ret_error, -EINVAL, in->root, NETWORK_DIR, "the plan has no valid network.mac");

        int r = write_pinning(in, ret_error);
        if (r < 0)
                return r;
        r = write_bridge(in, port, mac, ret_error);
        if (r < 0)
                return r;
        return target_enable_unit(in->root, "systemd-networkd.service", ret_error);
}
