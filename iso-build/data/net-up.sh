#!/bin/sh
# The installer environment's network, run by /init before anything looks
# for an answer (installed as /usr/lib/forja/net-up).
#
#  - every NIC (not lo) is set up; those with a link within a few seconds get
#    busybox udhcpc, which asks for the search domain, the host name and the
#    Proxmox discovery options 250 (answer URL) and 251 (its certificate
#    fingerprint) and keeps renewing the lease in the background
#  - `ip=CLIENT:SERVER:GW:MASK:HOST:IFACE:off[:DNS0[:DNS1]]` on the kernel
#    command line (the kernel's nfsroot syntax) configures IFACE statically
#    instead of DHCP; an empty IFACE means the first NIC with a link.
#    `ip=dhcp` (or no ip=) is DHCP everywhere.
#  - every configured interface gets /run/forja/net/IFACE.env (KEY=VALUE
#    lines, see udhcpc.script); the first lease also becomes
#    /run/forja/dhcp.json, which `forja` reads as the machine's DHCP data.
#
#   net-up CMDLINE
# Prints "FORJA-NET iface=... source=... address=..." per configured NIC and
# "FORJA-NET-NONE" when nothing could be configured. Never fails.
# Tests (tests/iso-build/test-net-up.sh) name the interfaces to use with
# FORJA_NET_IFACES (veth pairs have no device) and the event script with
# FORJA_UDHCPC_SCRIPT.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
cmdline=$1
script=${FORJA_UDHCPC_SCRIPT:-/usr/lib/forja/udhcpc.script}
netdir=/run/forja/net
mkdir -p "$netdir"

say() { echo "forja-net: $*"; }

# 255.255.255.0 -> 24 (a prefix length is passed through).
mask_to_prefix() {
        case $1 in
        *.*) ;;
        *) echo "$1"; return ;;
        esac
        n=0
        for octet in $(echo "$1" | tr . ' '); do
                case $octet in
                255) n=$((n + 8)) ;; 254) n=$((n + 7)) ;; 252) n=$((n + 6)) ;; 248) n=$((n + 5)) ;;
                240) n=$((n + 4)) ;; 224) n=$((n + 3)) ;; 192) n=$((n + 2)) ;; 128) n=$((n + 1)) ;;
                esac
        done
        echo "$n"
}

static_spec=
for arg in $cmdline; do
        case $arg in
        ip=dhcp | ip=on | ip=any | ip=both) ;;
        ip=*:*) static_spec=${arg#ip=} ;;
        esac
done

nics=
for d in /sys/class/net/*; do
        n=${d##*/}
        [ "$n" = lo ] && continue
        if [ -n "${FORJA_NET_IFACES:-}" ]; then
                case " $FORJA_NET_IFACES " in *" $n "*) ;; *) continue ;; esac
        else
                [ -e "$d/device" ] || continue      # physical NICs only (no bridges, tunnels)
        fi
        nics="$nics $n"
        busybox ip link set "$n" up 2>/dev/null
done
[ -n "$nics" ] || { say "no network interface"; echo "FORJA-NET-NONE"; exit 0; }

# Carrier takes a moment after the link is set up.
linked=
tries=0
while [ $tries -lt 10 ]; do
        linked=
        for n in $nics; do
                [ "$(cat "/sys/class/net/$n/carrier" 2>/dev/null)" = 1 ] && linked="$linked $n"
        done
        [ -n "$linked" ] && [ "$linked" = "$(echo "$nics" | sed 's/^ *//;s/^/ /')" ] && break
        tries=$((tries + 1))
        sleep 0.5
done
say "interfaces:$nics; with link:${linked:- none}"

static_if=
if [ -n "$static_spec" ]; then
        old_ifs=$IFS
        IFS=:
        # shellcheck disable=SC2086
        set -- $static_spec
        IFS=$old_ifs
        s_addr=$1 s_gw=$3 s_mask=$4 s_host=$5 s_if=$6 s_dns0=$8 s_dns1=$9
        [ -n "$s_if" ] || s_if=$(echo "$linked" | awk '{print $1}')
        if [ -z "$s_addr" ] || [ -z "$s_if" ] || [ ! -e "/sys/class/net/$s_if" ]; then
                say "ignoring ip=$static_spec: needs an address and an existing interface"
        else
                static_if=$s_if
                prefix=$(mask_to_prefix "${s_mask:-24}")
                busybox ip addr flush dev "$s_if"
                busybox ip addr add "$s_addr/$prefix" dev "$s_if"
                [ -n "$s_gw" ] && busybox ip route replace default via "$s_gw" dev "$s_if"
                dns=$(echo "$s_dns0 $s_dns1" | sed 's/^ *//;s/ *$//')
                [ -n "$dns" ] && for ns in $dns; do echo "nameserver $ns"; done >/etc/resolv.conf
                [ -n "$s_host" ] && busybox hostname "$s_host"
                interface=$s_if source=static ip=$s_addr mask=$prefix router=$s_gw dns=$dns \
                        hostname=$s_host "$script" static
        fi
fi

pids=
for n in $linked; do
        [ "$n" = "$static_if" ] && continue
        # -t/-T: 4 discovers 2 s apart before going to the background (-b),
        # where it keeps trying and renewing. A lease forks it as well.
        busybox udhcpc -i "$n" -s "$script" -p "/run/udhcpc.$n.pid" -t 4 -T 2 -b -S \
                -O search -O 250 -O 251 >/dev/null 2>&1 &
        pids="$pids $!"
done
for p in $pids; do
        wait "$p"
done

configured=
for n in $nics; do
        f=$netdir/$n.env
        [ -f "$f" ] || continue
        configured=1
        line="FORJA-NET iface=$n"
        while IFS='=' read -r key value; do
                case $key in
                SOURCE | ADDRESS | GATEWAY | DOMAIN | HOSTNAME | OPT250 | OPT251)
                        line="$line $(echo "$key" | tr 'A-Z' 'a-z')=$value" ;;
                DNS) line="$line dns=$(echo "$value" | tr ' ' ',')" ;;
                esac
        done <"$f"
        echo "$line"
done
[ -n "$configured" ] || echo "FORJA-NET-NONE no lease and no ip= for any interface"
exit 0
