#!/usr/bin/env bash
# The installer environment's network (iso-build/data/net-up.sh and
# udhcpc.script) in a network, mount and UTS namespace of its own: busybox
# udhcpc against dnsmasq on a veth pair must write the IFACE.env contract
# (docs/pxe.md) with options 250/251, domain, search list and host name, and
# /run/forja/dhcp.json; ip=...:IFACE:off configures another interface
# statically. /run and /etc/resolv.conf are private to the namespace.
. "$TESTS_LIB/testlib.sh"

require_root
require_cmd unshare busybox dnsmasq ip
busybox udhcpc --help >/dev/null 2>&1 || skip "this busybox has no udhcpc"
make_tmpdir
trap 'rm -rf "$TMPD"' EXIT
data=$FORJA_SRCDIR/iso-build/data

cat >"$TMPD/inner.sh" <<'INNER'
set -eu
TMPD=$1 data=$2
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mount -t sysfs sysfs /sys       # this namespace's interfaces
touch "$TMPD/resolv.conf"
mount --bind "$TMPD/resolv.conf" /etc/resolv.conf
ip link set lo up
ip link add fnet0 type veth peer name fnet1
ip link add fnet2 type veth peer name fnet3
ip addr add 192.0.2.1/24 dev fnet0
ip link set fnet0 up
ip link set fnet2 up
mac=$(cat /sys/class/net/fnet1/address)
# Quoted in a file, dnsmasq sends the text (unquoted, AA:BB would be bytes).
echo 'dhcp-option-force=251,"AA:BB:CC:DD"' >"$TMPD/dnsmasq.conf"
dnsmasq --keep-in-foreground --port=0 --interface=fnet0 --bind-interfaces --pid-file= \
        --dhcp-leasefile="$TMPD/leases" --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
        --dhcp-option=3,192.0.2.1 --dhcp-option=6,192.0.2.53,192.0.2.54 --dhcp-option=15,lab.test \
        --dhcp-option=119,lab.test,corp.test --dhcp-host="$mac,192.0.2.55,node7" \
        --dhcp-option-force=250,https://answers.lab.test/answer \
        --conf-file="$TMPD/dnsmasq.conf" --log-facility="$TMPD/dnsmasq.log" &
dns_pid=$!
sleep 0.5
FORJA_NET_IFACES="fnet1 fnet3" FORJA_UDHCPC_SCRIPT="$data/udhcpc.script" \
        sh "$data/net-up.sh" "quiet ip=192.0.2.77::192.0.2.1:255.255.255.0:static7:fnet3:off:192.0.2.53" \
        >"$TMPD/net-up.out" 2>&1
cp -r /run/forja/net "$TMPD/net"
cp /run/forja/dhcp.json "$TMPD/dhcp.json" || true
cp /etc/resolv.conf "$TMPD/resolv.after"
hostname >"$TMPD/hostname"
ip -4 -o addr show dev fnet1 >"$TMPD/addr"
for f in /run/udhcpc.*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
kill "$dns_pid"
INNER
unshare -n -m -u bash "$TMPD/inner.sh" "$TMPD" "$data" || fail "the namespace run failed: $(cat "$TMPD/net-up.out" 2>/dev/null)"
cat "$TMPD/net-up.out"
mac=$(sed -n 's/^MAC=//p' "$TMPD/net/fnet1.env")
[ -n "$mac" ] || fail "fnet1.env has no MAC: $(cat "$TMPD/net/fnet1.env" 2>/dev/null)"

printf '%s\n' "IFACE=fnet1" "MAC=$mac" "SOURCE=dhcp" "ADDRESS=192.0.2.55/24" "GATEWAY=192.0.2.1" \
        "DNS=192.0.2.53 192.0.2.54" "DOMAIN=lab.test" "SEARCH=lab.test corp.test" "HOSTNAME=node7" \
        "OPT250=https://answers.lab.test/answer" "OPT251=AA:BB:CC:DD" >"$TMPD/expected1"
diff -u "$TMPD/expected1" "$TMPD/net/fnet1.env" || fail "fnet1.env differs from the contract"
mac3=$(sed -n 's/^MAC=//p' "$TMPD/net/fnet3.env")
printf '%s\n' "IFACE=fnet3" "MAC=$mac3" "SOURCE=static" "ADDRESS=192.0.2.77/24" "GATEWAY=192.0.2.1" \
        "DNS=192.0.2.53" "HOSTNAME=static7" >"$TMPD/expected3"
diff -u "$TMPD/expected3" "$TMPD/net/fnet3.env" || fail "fnet3.env (ip=) differs from the contract"

python3 - "$TMPD/dhcp.json" <<'PY' || fail "dhcp.json is not the lease"
import json, sys
d = json.load(open(sys.argv[1]))
want = {"nic": "fnet1", "address": "192.0.2.55/24", "gateway": "192.0.2.1",
        "dns": ["192.0.2.53", "192.0.2.54"], "hostname": "node7", "domain": "lab.test"}
assert d == want, d
PY
grep -q '192.0.2.55/24' "$TMPD/addr" || fail "fnet1 does not carry the leased address: $(cat "$TMPD/addr")"
grep -qx 'nameserver 192.0.2.53' "$TMPD/resolv.after" && grep -qx 'search lab.test corp.test' "$TMPD/resolv.after" ||
        fail "resolv.conf: $(cat "$TMPD/resolv.after")"
grep -q '^FORJA-NET iface=fnet1 source=dhcp address=192.0.2.55/24 gateway=192.0.2.1 dns=192.0.2.53,192.0.2.54 domain=lab.test hostname=node7 opt250=https://answers.lab.test/answer opt251=AA:BB:CC:DD$' "$TMPD/net-up.out" ||
        fail "no FORJA-NET line for fnet1"
grep -q '^FORJA-NET iface=fnet3 source=static address=192.0.2.77/24' "$TMPD/net-up.out" || fail "no FORJA-NET line for fnet3"
echo "net-up: all checks passed"
