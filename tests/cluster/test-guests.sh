#!/usr/bin/env bash
# forja check --guests against a real incusd (Incus 6.0 from bookworm-backports)
# started ONLY inside a network namespace of its own, with images this test
# makes: a busybox container image (unified tarball, zstd, as forja iso build
# makes forja/trixie) and a placeholder VM image (split: metadata tarball +
# qcow2, as forja/trixie-vm), both imported by `forja join --guest-images`.
#
#   - forja join imports both once under their aliases and removes the files;
#     a second run with the files back skips them (aliases already there)
#   - the container path passes: exec, a DHCP lease on the managed bridge the
#     check makes (forjachk0), snapshot/restore of a marker file
#   - this host has no /dev/kvm: the VM path fails with Incus's reason (exit 1),
#     never "skipped"
#   - JSON carries the same verdict; the guests and the bridge are gone after
. "$TESTS_LIB/testlib.sh"

require_root
require_cmd ip incus python3 zstd qemu-img dnsmasq
INCUSD=$(command -v incusd || true)
[ -n "$INCUSD" ] || INCUSD=/usr/libexec/incus/incusd
[ -x "$INCUSD" ] || skip "incusd not found (scripts/install-deps installs incus from bookworm-backports)"
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || skip "needs busybox (busybox-static)"
file -L "$BUSYBOX" 2>/dev/null | grep -q "statically linked" || skip "needs a static busybox (busybox-static)"

# A child subreaper (see test-cluster.sh): container monitors incusd
# double-forks are reaped here.
if [ -z "${FORJA_CLUSTER_SUBREAPER:-}" ]; then
        export FORJA_CLUSTER_SUBREAPER=1
        exec python3 -c 'import ctypes, os, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
os.execv("/bin/bash", ["bash"] + sys.argv[1:])' "$0" "$@"
fi

TMPD=$(mktemp -d /tmp/forja-guests.XXXXXX)
chmod 755 "$TMPD"
P=fjg$$
declare -A IP=([g1]=198.18.101.11)
declare -A DPID=()
NAMESPACES=()
log() { echo "[$(date +%T)] $*" >&2; }
. "$(dirname "$0")/cluster-lib.sh"

cleanup() {
        local rc=$? left=()
        set +e
        trap - EXIT
        if [ -n "${DPID[g1]:-}" ] && kill -0 "${DPID[g1]}" 2>/dev/null; then
                for i in $(inc g1 list -c n -f csv 2>/dev/null); do inc g1 delete -f "$i" >/dev/null 2>&1; done
        fi
        stop_pids_and_namespaces "${DPID[@]}"
        awk -v d="$TMPD" '$2 ~ "^"d {print $2}' /proc/mounts | sort -r | xargs -r umount -l
        left=("${CL_LEFT[@]}")
        rm -rf "$TMPD"
        if [ ${#left[@]} -gt 0 ]; then
                echo "FAIL: processes left running: ${left[*]}" >&2
                rc=1
        fi
        exit $rc
}
trap cleanup EXIT
[ -n "${KEEP_LOG:-}" ] && trap 'cp "$TMPD/g1.log" /tmp/ng/incusd-g1.log 2>/dev/null; cp -r "$TMPD/g1/logs" /tmp/ng/g1-logs 2>/dev/null; cleanup' EXIT
trap 'exit 130' INT TERM

add_bridge_ns
add_node_ns g1
start_daemon g1
wait_daemon g1
log "incusd $(inc g1 version 2>/dev/null | tr '\n' ' ')"

# --- the images --------------------------------------------------------------
# The container: busybox init, udhcpc on eth0 (the check looks the lease up
# by the NIC's MAC), /root for the marker file.
img=$TMPD/img
mkdir -p "$img/rootfs"/{bin,sbin,etc,proc,sys,dev,root,tmp,run,usr/share/udhcpc}
cp "$BUSYBOX" "$img/rootfs/bin/busybox"
for a in $("$BUSYBOX" --list); do [ -e "$img/rootfs/bin/$a" ] || ln -s busybox "$img/rootfs/bin/$a"; done
ln -sf ../bin/busybox "$img/rootfs/sbin/init"
cat >"$img/rootfs/etc/inittab" <<'EOF'
::sysinit:/bin/sh /etc/rc
::respawn:/bin/sleep 3600
EOF
cat >"$img/rootfs/etc/rc" <<'EOF'
mount -t proc proc /proc 2>/dev/null
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -b -s /usr/share/udhcpc/default.script >/dev/null 2>&1
EOF
cat >"$img/rootfs/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
case "$1" in
bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface" ;;
esac
EOF
chmod 755 "$img/rootfs/usr/share/udhcpc/default.script"
cat >"$img/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: forja guest check test (busybox)
  os: busybox
EOF
guests=$TMPD/guest-images
mkdir -p "$guests" "$TMPD/vm"
tar -C "$img" -cf - metadata.yaml rootfs | zstd -q -o "$guests/forja-trixie.tar.zst"
# The VM: an empty disk (this host cannot run it anyway: no /dev/kvm).
cat >"$TMPD/vm/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: forja guest check test (empty VM disk)
  os: none
EOF
tar -C "$TMPD/vm" -cJf "$guests/forja-trixie-vm.meta.tar.xz" metadata.yaml
qemu-img create -q -f qcow2 "$guests/forja-trixie-vm.qcow2" 64M
cp -a "$guests" "$TMPD/guest-images.again"

# --- forja join imports them (standalone, no network for instances) ---------
cat >"$TMPD/g1.json" <<EOF
{
  "mode": "standalone",
  "server_name": "g1",
  "storage": { "pool": "local", "driver": "dir", "source": "$TMPD/pool-g1" },
  "network": { "mode": "none" }
}
EOF
chmod 600 "$TMPD/g1.json"
fj g1 join --settings "$TMPD/g1.json" --socket "$TMPD/g1/unix.socket" --guest-images "$guests" >"$TMPD/join1" 2>&1 ||
        { cat "$TMPD/join1" >&2; fail "forja join failed"; }
grep -q "Imported the guest image forja/trixie " "$TMPD/join1" || { cat "$TMPD/join1" >&2; fail "forja join did not import forja/trixie"; }
grep -q "Imported the guest image forja/trixie-vm " "$TMPD/join1" || { cat "$TMPD/join1" >&2; fail "forja join did not import forja/trixie-vm"; }
[ ! -e "$guests" ] || fail "the imported image files were not removed: $(ls "$guests")"
aliases() { inc g1 query /1.0/images/aliases?recursion=1 | python3 -c 'import json,sys; print(" ".join(sorted(a["name"] for a in json.load(sys.stdin))))'; }
[ "$(aliases)" = "forja/trixie forja/trixie-vm" ] || fail "aliases after the import: '$(aliases)'"
vmtype=$(inc g1 query /1.0/images/aliases/forja/trixie-vm | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')
[ "$vmtype" = virtual-machine ] || fail "forja/trixie-vm is a '$vmtype' image"
n_images=$(inc g1 query /1.0/images | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
# Again, with the files back: skipped, nothing imported twice.
fj g1 join --settings "$TMPD/g1.json" --socket "$TMPD/g1/unix.socket" --guest-images "$TMPD/guest-images.again" \
        >"$TMPD/join2" 2>&1 || { cat "$TMPD/join2" >&2; fail "the second forja join failed"; }
grep -q "The guest image forja/trixie is already there" "$TMPD/join2" || { cat "$TMPD/join2" >&2; fail "second join: no skip"; }
[ "$(inc g1 query /1.0/images | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = "$n_images" ] ||
        fail "the second forja join imported images again"
log "forja join imported both images once ($n_images images)"

# --- can this host freeze a container? --------------------------------------
# Incus freezes a running container to snapshot it. On a forja node (cgroup2)
# it can; on a cgroup-v1 host where LXC finds no freezer hierarchy (this
# build machine) it cannot, and the check must then fail ct-snapshot with that
# reason. Probed with the incus CLI on a container of the same image.
inc g1 init forja/trixie probe -s local >/dev/null
inc g1 start probe
if inc g1 pause probe >"$TMPD/pause.out" 2>&1; then FREEZE=yes; else FREEZE=no; fi
inc g1 delete -f probe >/dev/null
log "freezing a running container works here: $FREEZE ($(tr '\n' ' ' <"$TMPD/pause.out"))"

# --- forja check --guests ----------------------------------------------------
chk() { INCUS_DIR=$TMPD/g1 ip netns exec "$P-g1" "$FORJA" check --guests --vm-timeout 60 "$@"; }
t0=$(date +%s)
set +e
chk >"$TMPD/check.out" 2>"$TMPD/check.err"
rc=$?
set -e
log "forja check --guests: exit $rc in $(( $(date +%s) - t0 )) s"
cat "$TMPD/check.out" >&2
[ "$rc" = 1 ] || { cat "$TMPD/check.err" >&2; fail "forja check --guests exited $rc on a host without /dev/kvm (want 1)"; }
for id in incus bridge ct-start ct-dhcp; do
        grep -Eq "^$id +.* : PASS " "$TMPD/check.out" || { cat "$TMPD/check.err" >&2; fail "check $id did not pass"; }
done
if [ "$FREEZE" = yes ]; then
        grep -Eq "^ct-snapshot +.* : PASS " "$TMPD/check.out" || fail "check ct-snapshot did not pass"
        ct_snap=pass want_result="vm-start failed"
else
        grep -Eq "^ct-snapshot +.* : FAIL .*freezing" "$TMPD/check.out" || fail "ct-snapshot does not name the freeze failure"
        ct_snap=fail want_result="ct-snapshot failed, vm-start failed"
fi
grep -Eq "^vm-start +.* : FAIL .*(KVM|kvm|virtual-machine)" "$TMPD/check.out" ||
        fail "the VM failure does not give Incus's reason (no /dev/kvm)"
grep -Eq "^vm-snapshot +.* : SKIP .*not run: vm-start failed" "$TMPD/check.out" || fail "vm-snapshot is not marked not-run"
grep -q "^Result: .* cannot run every guest: $want_result.$" "$TMPD/check.out" || fail "no failing verdict line"
grep -qi skipped "$TMPD/check.out" && fail "the verdict says 'skipped'"

# JSON: same verdict; then nothing is left behind.
set +e
chk --json >"$TMPD/check.json" 2>/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || fail "forja check --guests --json exited $rc"
python3 - "$TMPD/check.json" "$ct_snap" <<'EOF' || fail "the JSON verdict is wrong"
import json, sys
j = json.load(open(sys.argv[1]))
st = {c["id"]: c["status"] for c in j["checks"]}
assert j["ok"] is False, j
assert st == {"incus": "pass", "bridge": "pass", "ct-start": "pass", "ct-dhcp": "pass", "ct-snapshot": sys.argv[2],
              "vm-start": "fail", "vm-snapshot": "not-run"}, st
assert j["container_start_s"] is not None and j["container_start_s"] > 0, j
assert j["vm_start_s"] is None, j
assert j["server_name"], j
EOF
[ -z "$(inc g1 list -c n -f csv)" ] || fail "instances left behind: $(inc g1 list -c n -f csv)"
inc g1 network show forjachk0 >/dev/null 2>&1 && fail "the check's bridge forjachk0 was left behind"
# Without the images: a clear reason, still a failure.
inc g1 image alias delete forja/trixie
set +e
chk >"$TMPD/check2.out" 2>/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || fail "check --guests without forja/trixie exited $rc"
grep -Eq "^ct-start +.* : FAIL .*no image alias 'forja/trixie'" "$TMPD/check2.out" || { cat "$TMPD/check2.out" >&2; fail "no reason for the missing image"; }
log "container start $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["container_start_s"])' "$TMPD/check.json") s"
echo "ok"
