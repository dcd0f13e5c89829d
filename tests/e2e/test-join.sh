#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e, the flagship: a blank machine becomes an Incus cluster member with no
# keyboard. A host cluster (n1 bootstrapped, n2 joined, by forja join) runs
# in network namespaces on a test bridge (tests/cluster/cluster-lib.sh); a
# node installed unattended in QEMU (its tap on that bridge, QEMU inside the
# bridge's namespace) joins it at first boot through forja-join.service, and
# n1 lists it Online.
#
#   198.18.101.0/24 (exists only inside our namespaces)
#   n1 .11, n2 .12   incusd from bookworm-backports (the host's package)
#   fjnode .30       the QEMU node: static address from its answer, Incus
#                    from trixie (the node image)
#
# First a refusal: an answer whose token pins another certificate than n1's.
# The installer brings up its static address (installer/netup.c), reaches
# n1, finds the fingerprint mismatch before stage disks, and the disk (a GPT
# with an ext4 file system holding a file) stays byte-identical.
# Then the real install, the boot, the join. The host cluster's storage pool
# is a dir pool (the host kernel has no device-mapper for an LVM pool), so the
# node's answer asks for a dir pool too: a member's pool must have the
# cluster's driver.
# The real answer has a post-installation webhook: an HTTPS test server
# (pinned) in a namespace of its own on the test bridge (hook .40) captures
# the installer's events and the node's cluster-joined report from forja join.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"
. "$TESTS_LIB/http-server.sh"

e2e_require
require_cmd ip incus openssl base64 sha256sum sfdisk mkfs.ext4 qemu-img
INCUSD=$(command -v incusd || true)
[ -n "$INCUSD" ] || INCUSD=/usr/libexec/incus/incusd
[ -x "$INCUSD" ] || skip "incusd not found (scripts/install-deps installs incus from bookworm-backports)"
[ -c /dev/net/tun ] || skip "needs /dev/net/tun for the node's tap"

e2e_build_iso

TMPD=$(mktemp -d /tmp/forja-e2e-join.XXXXXX)
chmod 755 "$TMPD"
work=$E2E_DIR/join
rm -rf "$work"
mkdir -p "$work"
P=fje$$
NET=198.18.101
NODE=fjnode
TAP=${P}tap
declare -A IP=([n1]=$NET.11 [n2]=$NET.12 [$NODE]=$NET.30 [hook]=$NET.40)
declare -A DPID=()
NAMESPACES=()
HPID=                   # the harness of the running QEMU boot
CL_HOST_BRIDGE=vmbr0    # the name the node's management bridge has
. "$FORJA_SRCDIR/tests/cluster/cluster-lib.sh"

log() { echo "[$(date +%T)] $*" >&2; }

cleanup() {
        local rc=$?
        set +e
        trap - EXIT
        http_servers_stop
        # QEMU runs in a session of its own inside $P-br: the namespace sweep
        # of stop_pids_and_namespaces ends it with the harness.
        stop_pids_and_namespaces ${HPID:+"$HPID"} "${DPID[@]}"
        grep -q " $TMPD" /proc/mounts && awk -v d="$TMPD" '$2 ~ "^"d {print $2}' /proc/mounts | sort -r | xargs -r umount -l
        rm -rf "$TMPD"
        if [ ${#CL_LEFT[@]} -gt 0 ]; then
                echo "FAIL: processes left running: ${CL_LEFT[*]}" >&2
                rc=1
        fi
        log "cleanup done (incusd ${DPID[*]}, harness ${HPID:-none})"
        exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the host cluster ---------------------------------------------------------
add_bridge_ns
for n in n1 n2 hook; do add_node_ns "$n"; done
# The node's NIC: a tap on the test bridge, opened by QEMU inside $P-br.
ip -n "$P-br" tuntap add dev "$TAP" mode tap
ip -n "$P-br" link set "$TAP" master br0
ip -n "$P-br" link set "$TAP" up

settings() {   # settings NODE MODE
        cat >"$TMPD/$1.json" <<EOF
{
  "mode": "$2",
  "server_name": "$1",
  "address": "${IP[$1]}:8443",
  "token_file": "$TMPD/$1.token",
  "storage": { "pool": "local", "driver": "dir", "source": "$TMPD/pool-$1" },
  "network": { "mode": "bridge", "name": "vmbr0" }
}
EOF
        chmod 600 "$TMPD/$1.json"
}
start_daemon n1
start_daemon n2
wait_daemon n1
wait_daemon n2
settings n1 bootstrap
expect_exit 0 fj n1 join --settings "$TMPD/n1.json" --socket "$TMPD/n1/unix.socket"
expect_exit 0 fj n1 cluster token --socket "$TMPD/n1/unix.socket" n2
awk '{print $2}' <<<"$OUT" >"$TMPD/n2.token"
settings n2 join
expect_exit 0 fj n2 join --settings "$TMPD/n2.json" --socket "$TMPD/n2/unix.socket"
for m in n1 n2; do
        [ "$(member_status n1 $m)" = Online ] || fail "host cluster: $m is not Online"
done
HOST_DEB=$(dpkg-query -W -f='${Version}' incus)
HOST_API=$(inc n1 query /1.0 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["environment"]["server_version"], len(d["api_extensions"]))')
log "host cluster n1+n2 Online: incus $HOST_DEB (bookworm-backports), server/API extensions: $HOST_API"
CLUSTER_FP=$(openssl x509 -in "$TMPD/n1/cluster.crt" -outform DER | sha256sum | cut -d' ' -f1)

# The webhook: HTTPS in the hook namespace, its certificate pinned.
http_make_cert
mkdir -p "$TMPD/www"
echo ok >"$TMPD/www/hook"
HTTP_SERVER_WRAP=(ip netns exec "$P-hook")
http_server_start hook "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem" --bind "${IP[hook]}"
HOOK_AUTH="e2e-hook-$RANDOM-$RANDOM-auth"
webhook_section() {
        printf '[post-installation-webhook]\nurl = "https://%s:%s/hook"\ncert-fingerprint = "%s"\nauth-token = "%s"\n' \
                "${IP[hook]}" "$HTTP_PORT" "$CERT_FP" "$HOOK_AUTH"
}

# answer TOKEN [MORE-TOML]: the node's answer (static address on the test bridge, join).
password="e2e-$RANDOM-$RANDOM-secret"
answer() {
        cat <<TOML
[global]
keyboard = "en-us"
country = "us"
fqdn = "$NODE.forja.test"
mailto = "root@forja.test"
timezone = "UTC"
root-password = "$password"
reboot-mode = "power-off"

[network]
source = "from-answer"
cidr = "${IP[$NODE]}/24"
gateway = "$NET.1"
dns = "$NET.1"
filter.INTERFACE = "e*"

[disk-setup]
filesystem = "ext4"
disk-list = ["vda"]

[first-boot]
source = "from-iso"
ordering = "fully-up"

[cluster]
mode = "join"
token = "$1"
verify = true
storage.driver = "dir"

${2:-}
TOML
}
MAC=52:54:00:fa:01:30

# --- refusal: a token pinning another certificate ------------------------------
BAD_FP=$(printf 'not the cluster' | sha256sum | cut -d' ' -f1)
answer "$(mk_token "$NODE" "$BAD_FP" "[\"${IP[n1]}:8443\"]" "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)")" \
        >"$work/refuse.toml"
expect_exit 0 "$FORJA" answer validate "$work/refuse.toml"
expect_exit 0 "$FORJA" iso prepare --answer "$work/refuse.toml" --on-first-boot "$E2E_HERE/data/join-probe.sh" \
        --in "$E2E_ISO" -o "$work/refuse.iso"
disk=$work/data.raw
truncate -s 12G "$disk"
printf 'label: gpt\nstart=2048, size=2097152, type=linux\n' | sfdisk -q "$disk"
mkdir "$work/files"
echo "the only copy" >"$work/files/precious.txt"
mkfs.ext4 -q -F -E offset=$((2048 * 512)) -d "$work/files" "$disk" 1G
# Byte identity of a sparse image, fast: a sparse copy before the boot, then
# both compared over the union of their data extents (SEEK_DATA/SEEK_HOLE;
# holes read as zeros). Prints the byte ranges that differ.
disk_diff() {
        python3 - "$1" "$2" <<'PY'
import os, sys
def extents(fd, end):
    off, out = 0, []
    while off < end:
        try:
            s = os.lseek(fd, off, os.SEEK_DATA)
        except OSError:
            break
        e = os.lseek(fd, s, os.SEEK_HOLE)
        out.append((s, e))
        off = e
    return out
fa, fb = (os.open(p, os.O_RDONLY) for p in sys.argv[1:3])
end = os.fstat(fa).st_size
if os.fstat(fb).st_size != end:
    sys.exit("sizes differ")
bad = []
for s, e in sorted(set(extents(fa, end) + extents(fb, end))):
    for off in range(s, e, 1 << 16):
        n = min(1 << 16, e - off)
        if os.pread(fa, n, off) != os.pread(fb, n, off):
            bad.append(off)
if bad:
    print("differs in 64 KiB blocks at " + " ".join(hex(o) for o in bad[:20]))
    sys.exit(1)
PY
}
cp --sparse=always "$disk" "$work/data.orig"
t0=$SECONDS
ip netns exec "$P-br" python3 "$HARNESS" --serial-log "$E2E_DIR/join-refuse.serial.log" --iso "$work/refuse.iso" \
        --firmware bios --disk "$disk" --tap "$TAP" --mac "$MAC" --timeout 900 \
        --expect '^FORJA-UNATTENDED ' \
        --expect "Bringing up the management address ${IP[$NODE]}/24" \
        --expect '^FORJA-INSTALL-FAILED stage=disks' \
        --expect '^FORJA-INSTALL-END status=1' \
        --fail '^FORJA-INSTALL-OK' --fail '^FORJA-STAGE 3/8 disks' &
HPID=$!
if wait "$HPID"; then rc=0; else rc=$?; fi
HPID=
[ "$rc" = 0 ] || fail "the installer did not refuse the mismatching token as expected (serial log $E2E_DIR/join-refuse.serial.log)"
T_REFUSE=$((SECONDS - t0))
DIFF=$(disk_diff "$work/data.orig" "$disk") || fail "the disk changed although the install refused: $DIFF"
rm -f "$disk" "$work/data.orig"
REFUSE_MSG=$(grep -a '^error: install: ' "$E2E_DIR/join-refuse.serial.log" | head -n 1 | tr -d '\r')
[[ $REFUSE_MSG == *"cluster.token: the cluster in the token could not be verified, a server presented another certificate: ${IP[n1]}:8443: certificate fingerprint mismatch: expected $BAD_FP, got $CLUSTER_FP"* ]] ||
        fail "the refusal does not name the fingerprint mismatch: $REFUSE_MSG"
log "refusal in $T_REFUSE s (QEMU boot included), disk byte-identical: $REFUSE_MSG"

# --- the install ------------------------------------------------------------------
expect_exit 0 fj n1 cluster token --socket "$TMPD/n1/unix.socket" "$NODE"
TOKEN=$(awk -v n="$NODE" '$1 == n {print $2}' <<<"$OUT")
[ -n "$TOKEN" ] || fail "no token for $NODE: $OUT"
answer "$TOKEN" "$(webhook_section)" >"$work/answer.toml"
chmod 600 "$work/answer.toml"
expect_exit 0 "$FORJA" answer validate "$work/answer.toml"
expect_exit 0 "$FORJA" iso prepare --answer "$work/answer.toml" --on-first-boot "$E2E_HERE/data/join-probe.sh" \
        --in "$E2E_ISO" -o "$work/auto.iso"
qemu-img create -q -f qcow2 "$work/node.qcow2" 16G
t0=$SECONDS
ip netns exec "$P-br" python3 "$HARNESS" --serial-log "$E2E_DIR/join-install.serial.log" --iso "$work/auto.iso" \
        --firmware bios --disk "$work/node.qcow2" --tap "$TAP" --mac "$MAC" --memory 1536 --timeout 1500 \
        --expect '^FORJA-UNATTENDED ' \
        --expect 'The cluster answered with the certificate the token names' \
        --expect '^FORJA-STAGE-END bootloader ok' \
        --expect '^FORJA-INSTALL-OK' \
        --fail '^FORJA-INSTALL-FAILED' --wait-exit &
HPID=$!
if wait "$HPID"; then rc=0; else rc=$?; fi
HPID=
[ "$rc" = 0 ] || fail "the install failed (serial log $E2E_DIR/join-install.serial.log)"
T_INSTALL=$((SECONDS - t0))
! grep -qaF -e "$password" -e "$TOKEN" -e "$HOOK_AUTH" "$E2E_DIR/join-install.serial.log" ||
        fail "the root password, the join token or the webhook's auth token appeared on the serial console"
log "installed in $T_INSTALL s (QEMU wall time, boot included)"

# --- first boot: forja-join.service joins ------------------------------------------
SERIAL=$E2E_DIR/join-node.serial.log
rm -f "$SERIAL"
t0=$SECONDS
ip netns exec "$P-br" python3 "$HARNESS" --serial-log "$SERIAL" --firmware bios --disk "$work/node.qcow2" \
        --tap "$TAP" --mac "$MAC" --memory 1536 --timeout 1800 \
        --expect 'FORJA-PROBE-BEGIN' --expect 'FORJA-PROBE-END' --wait-exit &
HPID=$!
for i in $(seq 1800); do
        grep -aq 'FORJA-PROBE-END' "$SERIAL" 2>/dev/null && break
        kill -0 "$HPID" 2>/dev/null || break
        sleep 1
done
grep -aq 'FORJA-PROBE-END' "$SERIAL" 2>/dev/null || fail "the installed node did not reach its probe (serial log $SERIAL)"
T_BOOT=$((SECONDS - t0))

# The probe's facts (through the journal's console prefix: "[ t] hook[pid]: ").
fact() { grep -ao "FORJA-PROBE $1 .*" "$SERIAL" | head -n 1 | sed "s/^FORJA-PROBE $1 //; s/\r$//"; }
NODE_DEB=$(fact incus-deb)
NODE_API=$(fact incus-api | python3 -c '
import json, sys
t = sys.stdin.read()
try:
    d = json.loads(t[t.index("{"):])
    print(d["environment"]["server_version"], len(d["api_extensions"]))
except (ValueError, KeyError):
    print("unknown")')
log "versions: host incus $HOST_DEB (bookworm-backports; server, API extensions: $HOST_API)," \
    "node incus $NODE_DEB (trixie; $NODE_API)"
JOIN_LOG=$(fact join-log)
if [ "$(fact forja-join)" != active ]; then
        echo "forja-join on the node: $JOIN_LOG" | tr '|' '\n' >&2
        if [ "$NODE_API" != "$HOST_API" ]; then
                fail "Incus $HOST_DEB (host, bookworm-backports: $HOST_API) and $NODE_DEB (node, trixie: $NODE_API)" \
                     "cannot cluster: Incus only accepts members with the same version and API extension count"
        fi
        fail "forja-join.service on the node is $(fact forja-join), not active (serial log $SERIAL)"
fi
grep -q "Joined the cluster through ${IP[n1]}:8443 as '$NODE' in [0-9.]\+ s" <<<"$JOIN_LOG" ||
        fail "forja join did not report joining through n1: $JOIN_LOG"
T_JOIN=$(grep -o "as '$NODE' in [0-9.]\+ s" <<<"$JOIN_LOG" | grep -o '[0-9.]\+')

# The host cluster lists the node Online, from n1 (inside its namespace, its socket).
ip netns exec "$P-n1" env INCUS_DIR="$TMPD/n1" incus cluster list -f csv >"$TMPD/members.csv" ||
        fail "incus cluster list on n1 failed"
cat "$TMPD/members.csv" >&2
python3 - "$TMPD/members.csv" "$NODE" "${IP[$NODE]}" <<'PY' || fail "n1 does not list $NODE Online"
import csv, sys
rows = {r[0]: r for r in csv.reader(open(sys.argv[1]))}
node, ip = sys.argv[2], sys.argv[3]
assert set(rows) == {"n1", "n2", node}, f"members {sorted(rows)}"
assert rows[node][1] == f"https://{ip}:8443", f"{node} url {rows[node][1]}"
for name, r in rows.items():
    assert "ONLINE" in r, f"{name}: {r}"
PY
[ "$(member_status n2 "$NODE")" = Online ] || fail "n2 does not see $NODE Online"
inc n1 storage show local --target "$NODE" | grep -q "source: /var/lib/incus/storage-pools/local" ||
        fail "the node's pool local does not use Incus' default directory"

# What the node saw: three members, its pool created, its token gone.
STATUS=$(fact status)
python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["clustered"] is True and s["server_name"] == sys.argv[2] and s["status"] == "Online", s
assert sorted(m["server_name"] for m in s["members"]) == sorted(["n1", "n2", sys.argv[2]]), s
assert all(m["status"] == "Online" for m in s["members"]), s' "$STATUS" "$NODE" ||
        fail "forja join --status on the node: $STATUS"
[ "$(fact vmbr0 | awk '{print $3}')" = "${IP[$NODE]}/24" ] || fail "vmbr0 on the node: $(fact vmbr0)"
# cluster.json is 0600 and lost its token after the join.
[ "$(fact settings)" = "600 tokens=0" ] || fail "/etc/forja/cluster.json after the join: $(fact settings)"

# The node's report to the webhook: one cluster-joined body from forja join
# (after the installer's events), the node Online among n1 and n2, no secret.
TOKEN_SECRET=$(base64 -d <<<"$TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
python3 - "$TMPD/hook.log" "$NODE" "$NET" "$HOOK_AUTH" "$TOKEN" "$TOKEN_SECRET" "$password" <<'PY' ||
import json, sys
log, node, net, auth = sys.argv[1:5]
secrets = sys.argv[4:]
reqs = [json.loads(l) for l in open(log)]
bodies = [json.loads(r["body"]) for r in reqs]
events = [b.get("forja", {}).get("event") for b in bodies]
print("webhook events: " + " ".join(map(str, events)))
for r in reqs:
    assert r["method"] == "POST" and r["path"] == "/hook", (r["method"], r["path"])
    assert r["headers"].get("Authorization") == "Bearer " + auth, "bearer token header"
    # The webhook's own auth token stands in the body as "token" (as Proxmox's
    # post-hook sends it) and nowhere else; no other secret at all.
    b = json.loads(r["body"])
    assert b.pop("token", None) == auth, "the body token"
    for s in secrets:
        assert s not in json.dumps(b) and (s == auth or s not in r["body"]), "a secret in a body"
joined = [b for b in bodies if b.get("forja", {}).get("event") == "cluster-joined"]
assert "cluster-join-failed" not in events, events
assert len(joined) == 1, events
f = joined[0]["forja"]
assert f["mode"] == "join" and f["server-name"] == node, f
assert f["cluster-address"] == f"{net}.30:8443" and f["joined-through"] == f"{net}.11:8443", f
assert sorted(m["name"] for m in f["members"]) == sorted(["n1", "n2", node]), f
assert all(m["status"] == "Online" for m in f["members"]), f
assert joined[0]["fqdn"] == f"{node}.forja.test", joined[0].get("fqdn")
assert len(joined[0].get("machine-id", "")) == 32, joined[0].get("machine-id")
assert "dmi" in joined[0] and joined[0]["product"]["short"] == "pve" and joined[0]["product"]["fullname"].startswith("forja "), joined[0]
print("cluster-joined: " + json.dumps(joined[0], sort_keys=True))
PY
        fail "the webhook did not get the node's cluster-joined report as expected (requests: $TMPD/hook.log)"
[ "$(fact webhook-file)" = absent ] || fail "/etc/forja/cluster-webhook.json after the report: $(fact webhook-file)"
grep -q "Webhook: cluster-joined report delivered to https://${IP[hook]}:$HTTP_PORT/hook" <<<"$JOIN_LOG" ||
        fail "forja join on the node did not log the delivered report: $JOIN_LOG"

# Tell the node the host has seen it (a cluster-wide key), and let it power off.
inc n1 config set user.forja-e2e-done true
if wait "$HPID"; then rc=0; else rc=$?; fi
HPID=
[ "$rc" = 0 ] || fail "the node did not power off after the host's signal (serial log $SERIAL)"
[ "$(fact host-done)" = true ] || fail "the node never saw the cluster-wide key the host set"

log "e2e join: install $T_INSTALL s; first boot to probe $T_BOOT s (forja join: $T_JOIN s);" \
    "refusal $T_REFUSE s; incus host $HOST_DEB, node $NODE_DEB"
e2e_drop_images "$work"
echo "e2e join: all checks passed"
