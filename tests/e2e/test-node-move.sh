#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e, full tier: guests move between nodes that forja installed (issue 16).
# A host member n1 (incusd from bookworm-backports, bootstrapped by forja join
# inside a network namespace, tests/cluster/cluster-lib.sh) and two nodes
# installed unattended in QEMU (fjmove1, fjmove2; taps on the test bridge,
# QEMU inside the bridge's namespace) make a cluster of three. On it:
#   1. fjmove1 imports its built-in images (forja/trixie, forja/trixie-vm);
#      a container and a VM are created on fjmove1 (the VM is not started:
#      a nested VM with OVMF aborts this machine's TCG QEMU,
#      docs/nested-vms.md);
#   2. both move, stopped, to fjmove2 (`incus move --target`); the container
#      starts there and answers exec; moving it running is refused (CRIU);
#   3. fjmove2 is evacuated: with cluster.evacuate = auto (the default) the
#      instances are only stopped (a NIC bridged onto vmbr0 does not count as
#      migratable), and restore starts the container again; with --action migrate both land on fjmove1 (n1 has
#      scheduler.instance = manual: it takes instances only when targeted,
#      and has no /dev/kvm), the container running again; restore brings
#      both back;
#   4. fjmove2 powers off: n1 lists it OFFLINE, its instances stay listed
#      on it (status ERROR); cluster.healing_threshold set: the member is
#      marked evacuated and they still stay, because healing only moves
#      instances on shared (remote) storage and these are on a local pool.
# The host kernel has no device-mapper, so every pool is a dir pool.
#
#   198.18.104.0/24 (exists only inside our namespaces)
#   n1 .11   fjmove1 .31   fjmove2 .32
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

e2e_require
require_cmd ip incus openssl sha256sum qemu-img
INCUSD=$(command -v incusd || true)
[ -n "$INCUSD" ] || INCUSD=/usr/libexec/incus/incusd
[ -x "$INCUSD" ] || skip "incusd not found (scripts/install-deps installs incus from bookworm-backports)"
[ -c /dev/net/tun ] || skip "needs /dev/net/tun for the nodes' taps"

e2e_build_iso

TMPD=$(mktemp -d /tmp/forja-e2e-move.XXXXXX)
chmod 755 "$TMPD"
work=$E2E_DIR/node-move
rm -rf "$work"
mkdir -p "$work"
P=fjm$$
NET=198.18.104
NODES=(fjmove1 fjmove2)
declare -A IP=([n1]=$NET.11 [fjmove1]=$NET.31 [fjmove2]=$NET.32)
declare -A MAC=([fjmove1]=52:54:00:fa:04:31 [fjmove2]=52:54:00:fa:04:32)
declare -A TAP=([fjmove1]=${P}t1 [fjmove2]=${P}t2)
declare -A HPID=()      # the harness of each running QEMU boot
declare -A DPID=()
NAMESPACES=()
CL_HOST_BRIDGE=vmbr0    # the name the nodes' management bridge has
. "$FORJA_SRCDIR/tests/cluster/cluster-lib.sh"

log() { echo "[$(date +%T)] $*" >&2; }

cleanup() {
        local rc=$?
        set +e
        trap - EXIT
        stop_pids_and_namespaces "${HPID[@]}" "${DPID[@]}"
        rm -rf "$TMPD"
        if [ ${#CL_LEFT[@]} -gt 0 ]; then
                echo "FAIL: processes left running: ${CL_LEFT[*]}" >&2
                rc=1
        fi
        log "cleanup done (incusd ${DPID[*]}, harnesses ${HPID[*]})"
        exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Every Incus command of the test goes to n1 (the cluster forwards it), with
# a time limit: a hung migration fails the test instead of holding it.
incn() { timeout 1200 env INCUS_DIR="$TMPD/n1" incus "$@"; }
# timed VAR CMD...: runs CMD, stores its wall time (s) in VAR.
timed() {
        local var=$1 t0=$SECONDS
        shift
        "$@"
        local rc=$?
        printf -v "$var" '%s' $((SECONDS - t0))
        return $rc
}
# where NAME: "location status" of an instance as n1 lists it.
where() {
        incn list -f csv -c nLs | awk -F, -v n="$1" '$1 == n {print $2, $3}'
}
expect_where() {   # expect_where NAME LOCATION STATUS
        local w
        w=$(where "$1") || fail "incus list on n1 failed"
        [ "$w" = "$2 $3" ] || fail "$1 is at '$w', expected '$2 $3' ($(incn list -f csv -c nLs 2>&1 | tr '\n' ' '))"
}

# --- the host member -------------------------------------------------------------
add_bridge_ns
add_node_ns n1
for n in "${NODES[@]}"; do
        ip -n "$P-br" tuntap add dev "${TAP[$n]}" mode tap
        ip -n "$P-br" link set "${TAP[$n]}" master br0
        ip -n "$P-br" link set "${TAP[$n]}" up
done
cat >"$TMPD/n1.json" <<JSON
{
  "mode": "bootstrap",
  "server_name": "n1",
  "address": "${IP[n1]}:8443",
  "storage": { "pool": "local", "driver": "dir", "source": "$TMPD/pool-n1" },
  "network": { "mode": "bridge", "name": "vmbr0" }
}
JSON
chmod 600 "$TMPD/n1.json"
start_daemon n1
wait_daemon n1
expect_exit 0 fj n1 join --settings "$TMPD/n1.json" --socket "$TMPD/n1/unix.socket" --ready-file "$TMPD/n1.ready"
# n1 takes no instance unless targeted: it has no /dev/kvm, and evacuations
# should land on the other installed node.
incn cluster set n1 scheduler.instance manual || fail "cannot set scheduler.instance on n1"
log "host member n1 bootstrapped: incus $(dpkg-query -W -f='${Version}' incus) (bookworm-backports)"

# --- two unattended installs, side by side -----------------------------------------
password="e2e-$RANDOM-$RANDOM-secret"
answer() {   # answer NODE TOKEN
        cat <<TOML
[global]
keyboard = "en-us"
country = "us"
fqdn = "$1.forja.test"
mailto = "root@forja.test"
timezone = "UTC"
root-password = "$password"
reboot-mode = "power-off"

[network]
source = "from-answer"
cidr = "${IP[$1]}/24"
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
token = "$2"
verify = true
storage.driver = "dir"
TOML
}
for n in "${NODES[@]}"; do
        expect_exit 0 fj n1 cluster token --socket "$TMPD/n1/unix.socket" "$n"
        token=$(awk -v n="$n" '$1 == n {print $2}' <<<"$OUT")
        [ -n "$token" ] || fail "no token for $n: $OUT"
        answer "$n" "$token" >"$work/$n.toml"
        chmod 600 "$work/$n.toml"
        expect_exit 0 "$FORJA" answer validate "$work/$n.toml"
        expect_exit 0 "$FORJA" iso prepare --answer "$work/$n.toml" --on-first-boot "$E2E_HERE/data/move-probe.sh" \
                --in "$E2E_ISO" -o "$work/$n.iso"
        qemu-img create -q -f qcow2 "$work/$n.qcow2" 16G
done
t0=$SECONDS
for n in "${NODES[@]}"; do
        ip netns exec "$P-br" python3 "$HARNESS" --serial-log "$E2E_DIR/move-install-$n.serial.log" \
                --iso "$work/$n.iso" --firmware bios --disk "$work/$n.qcow2" --tap "${TAP[$n]}" --mac "${MAC[$n]}" \
                --memory 1536 --timeout 2400 \
                --expect '^FORJA-UNATTENDED ' --expect '^FORJA-INSTALL-OK' \
                --fail '^FORJA-INSTALL-FAILED' --wait-exit &
        HPID[$n]=$!
done
for n in "${NODES[@]}"; do
        if wait "${HPID[$n]}"; then rc=0; else rc=$?; fi
        unset "HPID[$n]"
        [ "$rc" = 0 ] || fail "the install of $n failed (serial log $E2E_DIR/move-install-$n.serial.log)"
done
T_INSTALL=$((SECONDS - t0))
log "both nodes installed in $T_INSTALL s (QEMU wall time, side by side)"

# --- first boots: fjmove1 joins, then fjmove2 (one join at a time) ------------------
boot() {   # boot NODE
        local n=$1
        rm -f "$E2E_DIR/move-$n.serial.log"
        ip netns exec "$P-br" python3 "$HARNESS" --serial-log "$E2E_DIR/move-$n.serial.log" --firmware bios \
                --disk "$work/$n.qcow2" --tap "${TAP[$n]}" --mac "${MAC[$n]}" --memory 1536 --timeout 7200 \
                --expect 'FORJA-PROBE-BEGIN' --expect 'FORJA-PROBE-END' --wait-exit &
        HPID[$n]=$!
}
wait_serial() {   # wait_serial NODE REGEX SECONDS
        local n=$1 i
        for i in $(seq "$3"); do
                grep -aq "$2" "$E2E_DIR/move-$n.serial.log" 2>/dev/null && return 0
                kill -0 "${HPID[$n]}" 2>/dev/null || break
                sleep 1
        done
        fail "$n: no '$2' within $3 s (serial log $E2E_DIR/move-$n.serial.log)"
}
fact() {   # fact NODE KEY
        grep -ao "FORJA-PROBE $2 .*" "$E2E_DIR/move-$1.serial.log" | head -n 1 | sed "s/^FORJA-PROBE $2 //; s/\r$//"
}
t0=$SECONDS
boot fjmove1
wait_serial fjmove1 'FORJA-PROBE forja-join' 1800
T_BOOT1=$((SECONDS - t0))
boot fjmove2
t0=$SECONDS
wait_serial fjmove2 'FORJA-PROBE-END' 1800
T_BOOT2=$((SECONDS - t0))
wait_serial fjmove1 'FORJA-PROBE-END' 1800
for n in "${NODES[@]}"; do
        [ "$(fact $n forja-join)" = active ] || fail "forja-join on $n: $(fact $n forja-join): $(fact $n join-log)"
        [ "$(member_status n1 $n)" = Online ] || fail "n1 does not see $n Online"
done
log "first boots to joined: fjmove1 $T_BOOT1 s, fjmove2 $T_BOOT2 s; /dev/kvm on the nodes:" \
    "$(fact fjmove1 kvm), $(fact fjmove2 kvm)"
incn cluster list -f csv >&2 || true
IMPORT=$(fact fjmove1 images-import)
[ "${IMPORT%% *}" = 0 ] || fail "fjmove1 could not import its built-in images: $IMPORT"
log "fjmove1 imported forja/trixie and forja/trixie-vm: $IMPORT; images: $(fact fjmove1 images)"
for n in "${NODES[@]}"; do
        # environment.driver lists the instance drivers, e.g. "lxc | qemu".
        incn query "/1.0?target=$n" | python3 -c '
import json, sys
d = json.load(sys.stdin)["environment"].get("driver", "")
assert {"lxc", "qemu"} <= {x.strip() for x in d.split("|")}, d' ||
                fail "$n does not offer both containers and VMs (environment.driver of /1.0?target=$n)"
done

# --- 1. a container and a VM on fjmove1 ----------------------------------------------
timed T_CT_INIT incn init forja/trixie c1 --target fjmove1 || fail "incus init c1 on fjmove1 failed"
# The VM's root disk at 1 GiB (the image is 919 MiB): a stopped move copies it.
timed T_VM_INIT incn init forja/trixie-vm v1 --vm --target fjmove1 -d root,size=1GiB ||
        fail "incus init --vm v1 on fjmove1 failed"
expect_where c1 fjmove1 STOPPED
expect_where v1 fjmove1 STOPPED
log "created on fjmove1: container c1 in $T_CT_INIT s, VM v1 in $T_VM_INIT s"

# --- 2. stopped moves to fjmove2 -------------------------------------------------------
timed T_CT_MOVE incn move c1 --target fjmove2 || fail "incus move c1 --target fjmove2 failed"
expect_where c1 fjmove2 STOPPED
timed T_VM_MOVE incn move v1 --target fjmove2 || fail "incus move v1 --target fjmove2 failed"
expect_where v1 fjmove2 STOPPED
timed T_CT_START incn start c1 || fail "c1 does not start on fjmove2"
OSREL=$(incn exec c1 -- cat /etc/os-release) || fail "incus exec c1 on fjmove2 failed"
grep -q 'VERSION_CODENAME=trixie' <<<"$OSREL" || fail "c1 is not the trixie image: $OSREL"
expect_where c1 fjmove2 RUNNING
# A running container does not move: live container migration needs CRIU,
# which the nodes do not carry.
if REFUSAL=$(incn move c1 --target fjmove1 2>&1); then
        fail "the running container c1 moved: $REFUSAL"
fi
grep -q 'CRIU' <<<"$REFUSAL" || fail "a running container's move failed for another reason than CRIU: $REFUSAL"
expect_where c1 fjmove2 RUNNING
log "stopped moves to fjmove2: c1 $T_CT_MOVE s, v1 $T_VM_MOVE s; c1 started there in $T_CT_START s;" \
    "moving it running is refused: $(tail -n 1 <<<"$REFUSAL")"

# --- 3. evacuate fjmove2, then restore it ------------------------------------------------
# cluster.evacuate = auto (the default) only stops these instances where they
# are: their NIC is bridged onto the host bridge vmbr0 (forja's default
# profile), which auto does not count as migratable; restore starts the
# running ones again.
timed T_EVACUATE_AUTO incn cluster evacuate fjmove2 --force || fail "incus cluster evacuate fjmove2 (auto) failed"
[ "$(member_status n1 fjmove2)" = Evacuated ] || fail "fjmove2 is $(member_status n1 fjmove2) after evacuate"
expect_where c1 fjmove2 STOPPED
expect_where v1 fjmove2 STOPPED
timed T_RESTORE_AUTO incn cluster restore fjmove2 --force || fail "incus cluster restore fjmove2 (auto) failed"
expect_where c1 fjmove2 RUNNING
expect_where v1 fjmove2 STOPPED
log "evacuate (auto) of fjmove2: $T_EVACUATE_AUTO s, c1 and v1 stopped in place; restore $T_RESTORE_AUTO s, c1 running again"
# --action migrate moves them (copies their volumes) to the other installed node.
timed T_EVACUATE incn cluster evacuate fjmove2 --force --action migrate ||
        fail "incus cluster evacuate fjmove2 --action migrate failed"
[ "$(member_status n1 fjmove2)" = Evacuated ] || fail "fjmove2 is $(member_status n1 fjmove2) after evacuate"
expect_where c1 fjmove1 RUNNING
expect_where v1 fjmove1 STOPPED
incn exec c1 -- true || fail "c1 does not answer exec on fjmove1 after the evacuation"
timed T_RESTORE incn cluster restore fjmove2 --force || fail "incus cluster restore fjmove2 failed"
[ "$(member_status n1 fjmove2)" = Online ] || fail "fjmove2 is $(member_status n1 fjmove2) after restore"
expect_where c1 fjmove2 RUNNING
expect_where v1 fjmove2 STOPPED
incn exec c1 -- true || fail "c1 does not answer exec on fjmove2 after the restore"
log "evacuated fjmove2 with --action migrate in $T_EVACUATE s (c1 running on fjmove1, v1 there stopped)," \
    "restored in $T_RESTORE s (both back)"

# --- 4. fjmove2 powers off ------------------------------------------------------------------
incn config set user.forja-e2e-off-fjmove2 true || fail "cannot set user.forja-e2e-off-fjmove2"
t0=$SECONDS
if wait "${HPID[fjmove2]}"; then rc=0; else rc=$?; fi
unset "HPID[fjmove2]"
[ "$rc" = 0 ] || fail "fjmove2 did not power off (serial log $E2E_DIR/move-fjmove2.serial.log)"
T_POWEROFF=$((SECONDS - t0))
t0=$SECONDS
for i in $(seq 180); do
        [ "$(member_status n1 fjmove2)" = Offline ] && break
        sleep 1
done
[ "$(member_status n1 fjmove2)" = Offline ] || fail "n1 does not see the powered-off fjmove2 Offline within 180 s"
T_OFFLINE=$((SECONDS - t0))
incn cluster list -f csv -c nsm >"$TMPD/members.csv" 2>&1 || fail "incus cluster list on n1 failed"
cat "$TMPD/members.csv" >&2
grep -q '^fjmove2,OFFLINE' "$TMPD/members.csv" || fail "incus cluster list does not show fjmove2 OFFLINE"
incn list -f csv -c nLs >&2 || true
expect_where c1 fjmove2 ERROR
expect_where v1 fjmove2 ERROR
log "fjmove2 powered off in $T_POWEROFF s, Offline on n1 $T_OFFLINE s later (cluster.offline_threshold" \
    "$(incn config get cluster.offline_threshold || true), default 20); its instances stay listed there (ERROR)"
# Healing: on, with a short threshold. The instances are on a local pool, so
# Incus leaves them where they are (healing moves only instances on shared
# storage without local devices).
incn config set cluster.healing_threshold 10 || fail "cannot set cluster.healing_threshold"
sleep 60
incn list -f csv -c nLs >&2 || true
expect_where c1 fjmove2 ERROR
expect_where v1 fjmove2 ERROR
# Healing marked the member evacuated (it must be restored by hand once back).
[ "$(member_status n1 fjmove2)" = Evacuated ] || fail "fjmove2 is $(member_status n1 fjmove2) after healing, not Evacuated"
log "cluster.healing_threshold 10, 60 s later: fjmove2 Evacuated, c1 and v1 still on it (local pool: not healed)"

incn config set user.forja-e2e-off-fjmove1 true || fail "cannot set user.forja-e2e-off-fjmove1"
if wait "${HPID[fjmove1]}"; then rc=0; else rc=$?; fi
unset "HPID[fjmove1]"
[ "$rc" = 0 ] || fail "fjmove1 did not power off (serial log $E2E_DIR/move-fjmove1.serial.log)"
! grep -qaF "$password" "$E2E_DIR"/move-*.serial.log || fail "the root password appeared on a serial console"

log "e2e node-move: installs $T_INSTALL s; boots to joined $T_BOOT1 + $T_BOOT2 s; create ct $T_CT_INIT s, vm $T_VM_INIT s;" \
    "stopped moves ct $T_CT_MOVE s, vm $T_VM_MOVE s; evacuate auto $T_EVACUATE_AUTO s, restore $T_RESTORE_AUTO s;" \
    "evacuate migrate $T_EVACUATE s, restore $T_RESTORE s;" \
    "offline after power-off $T_OFFLINE s"
echo "e2e node-move: all checks passed"
