/* SPDX-License-Identifier: GPL-2.0-or-later */
/* installer/netup.h: the static management address in the installer. */

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "json-out.h"
#include "log.h"
#include "netup.h"
#include "spawn.h"
#include "strutil.h"

/* Does IFNAME carry an IPv4 address or a non-link-local IPv6 address? */
static int has_address(const char *ifname) {
        struct ifaddrs *list = NULL;
        bool found = false;

        if (getifaddrs(&list) < 0)
                return negative_errno();
        for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
                if (!i->ifa_addr || !streq_ptr(i->ifa_name, ifname))
                        continue;
                if (i->ifa_addr->sa_family == AF_INET)
                        found = true;
                else if (i->ifa_addr->sa_family == AF_INET6)
                        found = !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr);
        }
        freeifaddrs(list);
        return found;
}

static bool have_iproute(void) {
        static const char *const paths[] = { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip", NULL };
        for (const char *const *p = paths; *p; p++)
                if (access(*p, X_OK) == 0)
                        return true;
        return false;
}

/* `ip ARGS...`: iproute2 where installed, busybox's applet otherwise. */
static int run_ip(const char *const *args, char **ret_error) {
        const char *argv[12] = {}, **p = argv;
        if (!have_iproute())
                *p++ = "busybox";
        *p++ = "ip";
        for (; *args && p < argv + ELEMENTSOF(argv) - 1; args++)
                *p++ = *args;

        _cleanup_(spawn_result_done) SpawnResult res = {};
        int r = spawn((char *const *) argv, &(SpawnOptions) { .timeout_sec = 30 }, &res);
        if (r < 0 || res.exit_status != 0) {
                _cleanup_free_ char *line = spawn_format_argv((char *const *) argv);
                error_setf(ret_error, "%s: %s", strempty(line), r < 0 ? strerror(-r) : strempty(res.err));
                return r < 0 ? r : -EIO;
        }
        return 0;
}
#define IP(err, ...) run_ip((const char *const[]) { __VA_ARGS__, NULL }, err)

/* The link takes a moment to come up (carrier) after `ip link set up`. */
static void wait_carrier(const char *ifname, unsigned seconds) {
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "/sys/class/net/%s/carrier", ifname) < 0)
                return;
        for (unsigned i = 0; i < seconds * 10; i++) {
                _cleanup_free_ char *v = NULL;
                if (read_one_line_file(path, &v) >= 0 && streq(v, "1"))
                        return;
                nanosleep(&(struct timespec) { .tv_nsec = 100 * 1000 * 1000 }, NULL);
        }
        log_warning("Network interface %s has no link after %u s.", ifname, seconds);
}

int netup_management(json_object *plan, char **ret_error) {
        json_object *net = json_get(plan, "network");
        const char *ifname = json_get_string(net, "interface");
        const char *cidr = json_get_string(net, "cidr");
        const char *gateway = json_get_string(net, "gateway");
        int r;

        if (!streq_ptr(json_get_string(net, "source"), "from-answer") || !ifname || !cidr)
                return 0;
        if (strlen(ifname) >= IFNAMSIZ || if_nametoindex(ifname) == 0) {
                error_setf(ret_error, "network: the management interface '%s' does not exist here", ifname);
                return -ENODEV;
        }
        r = has_address(ifname);
        if (r != 0) {
                if (r < 0)
                        error_setf(ret_error, "network: reading the addresses of %s: %s", ifname, strerror(-r));
                return r < 0 ? r : 0;
        }

        log_info("Bringing up the management address %s on %s for the installer.", cidr, ifname);
        r = IP(ret_error, "link", "set", "dev", ifname, "up");
        if (r >= 0)
                r = IP(ret_error, "address", "add", cidr, "dev", ifname);
        if (r < 0)
                return r;
        wait_carrier(ifname, 10);
        if (gateway) {
                _cleanup_free_ char *err = NULL;
                /* Off-link or unreachable gateways are the answer's business;
                 * the local subnet works without one. */
                if (IP(&err, "route", "replace", "default", "via", gateway, "dev", ifname) < 0)
                        log_warning("No default route via %s: %s", gateway, strempty(err));
        }
        return 1;
}
