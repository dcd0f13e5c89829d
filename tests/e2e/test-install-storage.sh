#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e: unattended installs onto the storage layouts beyond one plain disk,
# then boots of the installed disks.
#   test-install-storage.sh SCENARIO
#   btrfs-raid1-uefi  Btrfs raid1 over two disks, OVMF; the node boots with
#                     both disks, then with only the second one
#   md-raid1-bios     ext4 on LVM on md RAID1 over two disks, SeaBIOS; boots
#                     with both disks, then with only the second one
#   zfs-raid1-bios    a ZFS mirror over two disks (zstd compression, ARC
#                     maximum), /boot on md RAID1, SeaBIOS, from an ISO built
#                     with --with-zfs; boots with both disks, then with only
#                     the second one
#   zfs-raidz1-uefi   ZFS RAID-Z1 over three disks, /boot on a three-way md
#                     RAID1, an ESP on each disk, OVMF, from the same ISO;
#                     boots with all three disks, then without the first
#   luks-lvm-bios     ext4 on LVM on LUKS2, one disk, separate /boot, SeaBIOS;
#                     the test types the passphrase on the serial console at
#                     the node's unlock prompt; the passphrase must be in no
#                     serial log, nor in the node's install log or stored answer
#   luks-lvm-tpm2-secureboot
#                     the same layout under OVMF with Secure Boot and a TPM 2.0
#                     (swtpm), encrypt-tpm2 = true: the recovery key goes to a
#                     pinned https webhook and tty1 (Enter pressed there through
#                     QMP). The node boots with no passphrase prompt at all, its
#                     PCR 7 equal to the installer's; with the same TPM and
#                     Secure Boot off it reaches the prompt (then stops); with
#                     another TPM it reaches the prompt and the recovery key
#                     unlocks (then stops). Neither secret is on any serial log,
#                     in the node's records or in the plain parts of its disk.
# In every scenario a disk outside the plan holding data is attached during
# the install and must be byte-identical afterwards.
# The probe (tests/e2e/data/probe.sh, the answer's first-boot hook) reports
# the node's facts on serial; check-storage.py compares them with the answer.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

scenario=${1:?scenario}
disks=2 degraded=1 extra='' iso_flags='' tpm=0
case $scenario in
btrfs-raid1-uefi) firmware=uefi
        extra='filesystem = "btrfs"
btrfs.raid = "raid1"
disk-list = ["vda", "vdb"]' ;;
md-raid1-bios) firmware=bios
        extra='filesystem = "ext4"
raid = "raid1"
disk-list = ["vda", "vdb"]' ;;
zfs-raid1-bios) firmware=bios iso_flags=--with-zfs
        extra='filesystem = "zfs"
zfs.raid = "raid1"
zfs.compress = "zstd"
zfs.arc-max = 128
disk-list = ["vda", "vdb"]' ;;
zfs-raidz1-uefi) firmware=uefi disks=3 iso_flags=--with-zfs
        extra='filesystem = "zfs"
zfs.raid = "raidz-1"
zfs.compress = "zstd"
zfs.arc-max = 128
disk-list = ["vda", "vdb", "vdc"]' ;;
luks-lvm-bios) firmware=bios disks=1 degraded=0
        passphrase="luks-$RANDOM-$RANDOM-$RANDOM"
        extra="filesystem = \"ext4\"
encrypt = true
encrypt-passphrase = \"$passphrase\"
disk-list = [\"vda\"]" ;;
luks-lvm-tpm2-secureboot) firmware=secureboot disks=1 degraded=0 tpm=1
        passphrase="luks-$RANDOM-$RANDOM-$RANDOM"
        extra="filesystem = \"ext4\"
encrypt = true
encrypt-passphrase = \"$passphrase\"
encrypt-tpm2 = true
encrypt-recovery-key = [\"webhook\", \"tty1\"]
disk-list = [\"vda\"]" ;;
*) fail "unknown scenario $scenario" ;;
esac

e2e_require
require_cmd ssh-keygen sfdisk mkfs.ext4 sha256sum
[ "$tpm" = 0 ] || require_cmd swtpm openssl qemu-img
e2e_build_iso $iso_flags

work=$E2E_DIR/install-$scenario
rm -rf "$work"
mkdir -p "$work"
server_pid=
cleanup() {
        if [ -n "$server_pid" ]; then
                kill "$server_pid" 2>/dev/null || true
                wait "$server_pid" 2>/dev/null || true
        fi
}
trap cleanup EXIT
webhook='' install_extra=()
if [ "$tpm" = 1 ]; then
        # The fleet server that escrows the recovery key: https with its own
        # certificate, pinned by the answer, reached at 10.0.2.100:443.
        mkdir -p "$work/http"
        : >"$work/http/webhook"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls-key.pem" -out "$work/cert.pem" -days 1 \
                -subj /CN=10.0.2.100 2>/dev/null || fail "openssl req failed"
        fp=$(openssl x509 -in "$work/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
        python3 "$TESTS_LIB/http-test-server.py" --root "$work/http" --tls "$work/cert.pem" "$work/tls-key.pem" \
                --port-file "$work/port" --log "$work/http.log" 2>"$work/server.stderr" &
        server_pid=$!
        for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
        [ -s "$work/port" ] || fail "the https server did not start: $(cat "$work/server.stderr")"
        webhook="[post-installation-webhook]
url = \"https://10.0.2.100/webhook\"
cert-fingerprint = \"$fp\""
        # guestfwd's tcp: target is one connection for QEMU's whole life;
        # cmd: runs a relay for each connection (started, then succeeded).
        relay="bash -c 'exec 3<>/dev/tcp/127.0.0.1/$(cat "$work/port"); cat <&3 & exec cat >&3'"
        install_extra=(--tpm "$work/tpm-a" --guestfwd "tcp:10.0.2.100:443-cmd:$relay"
                       --on 'FORJA-RECOVERY-KEY-ON-TTY1=key:ret')
fi
ssh-keygen -q -t ed25519 -N '' -C "forja-e2e" -f "$work/key"
password="e2e-$RANDOM-$RANDOM-secret"
cat >"$work/answer.toml" <<TOML
[global]
keyboard = "en-us"
country = "us"
fqdn = "$scenario.forja.test"
mailto = "root@forja.test"
timezone = "UTC"
root-password = "$password"
root-ssh-keys = ["$(cat "$work/key.pub")"]
reboot-mode = "power-off"

[network]
source = "from-dhcp"

[disk-setup]
$extra

[first-boot]
source = "from-iso"
ordering = "fully-up"

$webhook
TOML
"$FORJA" answer validate "$work/answer.toml" >/dev/null || fail "the test's answer is invalid"
expect_exit 0 "$FORJA" iso prepare --answer "$work/answer.toml" --on-first-boot "$E2E_HERE/data/probe.sh" \
        --in "$E2E_ISO" -o "$work/auto.iso"

node_disks=()
for i in $(seq 1 "$disks"); do
        qemu-img create -q -f qcow2 "$work/node$i.qcow2" 16G
        node_disks+=(--disk "$work/node$i.qcow2")
done
# A disk that is not in the plan, holding someone's data (the one after the
# node's disks).
data=$work/data.raw
truncate -s 2G "$data"
printf 'label: gpt\nstart=2048, size=2097152, type=linux\n' | sfdisk -q "$data"
mkdir "$work/files"
echo "not forja's disk" >"$work/files/keep.txt"
mkfs.ext4 -q -F -E offset=$((2048 * 512)) -d "$work/files" "$data" 1G
data_before=$(sha256sum <"$data")
install_disks=("${node_disks[@]}" --disk "$data")

t0=$SECONDS
e2e_boot "install-$scenario" --iso "$work/auto.iso" --firmware "$firmware" "${install_disks[@]}" \
        --memory 1536 --timeout 2400 "${install_extra[@]}" \
        --expect '^FORJA-UNATTENDED ' --expect '^FORJA-INSTALL-START' \
        --expect '^FORJA-STAGE-END bootloader ok' --expect '^FORJA-INSTALL-OK' \
        --fail '^FORJA-INSTALL-FAILED' --wait-exit || fail "the install failed (serial log $SERIAL_LOG)"
install_log=$SERIAL_LOG
echo "e2e: installed in $((SECONDS - t0)) s (QEMU wall time, boot included); load $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E '^Stage [a-z]+ done in ' "$install_log" | sed 's/^/e2e:   /' || true
! grep -q -F "$password" "$install_log" || fail "the root password appeared on the serial console"
e2e_no_secrets "$work/answer.toml" "$install_log" || fail "a secret of the answer appeared on the serial console"
if [ -n "${passphrase:-}" ]; then
        ! grep -q -F "$passphrase" "$install_log" || fail "the LUKS passphrase appeared on the serial console"
fi
[ "$(sha256sum <"$data")" = "$data_before" ] || fail "the data disk outside the plan changed during the install"
echo "e2e: the disk outside the plan is byte-identical after the install"

# boot_node NAME EXPECTATION DISK-ARGS...: boots the node to its probe and
# compares the facts with the answer.
# TPM unlock (luks-lvm-tpm2-secureboot): the boots after the install.
tpm_checks() {
        local recovery pcr7 logs=("$install_log") t0
        # the recovery key, escrowed by the pinned webhook (and nowhere else)
        recovery=$(python3 - "$work/http.log" <<'PY'
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    if r["method"] == "POST" and r["path"] == "/webhook":
        f = json.loads(r["body"]).get("forja", {})
        if f.get("event") == "succeeded":
            print(f.get("recovery-key", ""))
PY
)
        [[ "$recovery" =~ ^[0-9a-f]{4}(-[0-9a-f]{4}){7}$ ]] || fail "no recovery key in the succeeded webhook: '$recovery'"
        grep -q 'FORJA-RECOVERY-KEY-ON-TTY1' "$install_log" || fail "the recovery key was not shown on tty1"
        pcr7=$(sed -n 's/.*FORJA-TPM-PCR7 sha256 \([0-9A-Fa-f]\{64\}\).*/\1/p' "$install_log" | tail -n 1)
        [ -n "$pcr7" ] || fail "the installer did not report PCR 7"
        echo "e2e: PCR 7 at install: $pcr7"

        # 1. same firmware, Secure Boot state and TPM: unlocked by the TPM,
        #    no prompt at all
        t0=$SECONDS
        e2e_boot "node-$scenario" --firmware "$firmware" --tpm "$work/tpm-a" "${node_disks[@]}" --memory 1536 \
                --timeout 2400 --fail 'Please unlock disk' \
                --expect 'forja: cryptroot unlocked by the TPM' --expect 'cryptroot: set up successfully' \
                --expect 'FORJA-PROBE-BEGIN' --expect 'FORJA-PROBE-END' --wait-exit ||
                fail "node-$scenario: the node did not boot unlocked by the TPM (serial log $SERIAL_LOG)"
        echo "e2e: node-$scenario booted and probed in $((SECONDS - t0)) s; load $(cut -d' ' -f1-3 /proc/loadavg)"
        logs+=("$SERIAL_LOG")
        ! grep -q 'Please unlock disk' "$SERIAL_LOG" || fail "node-$scenario: a passphrase prompt on the console"
        python3 "$E2E_HERE/check-storage.py" --scenario "$scenario" --expect complete --pcr7 "$pcr7" \
                --hostname "$scenario" --key-fingerprint "$(ssh-keygen -lf "$work/key.pub" | awk '{print $2}')" \
                --secret "$password" --secret "$passphrase" --secret "$recovery" "$SERIAL_LOG" ||
                fail "node-$scenario: the node does not match the answer (serial log $SERIAL_LOG)"

        # 2. the same TPM, Secure Boot off (PCR 7 differs): the prompt
        t0=$SECONDS
        e2e_boot "node-$scenario-sb-off" --firmware uefi --tpm "$work/tpm-a" "${node_disks[@]}" --memory 1536 \
                --timeout 1800 --fail 'cryptroot unlocked by the TPM' --expect 'Please unlock disk cryptroot' ||
                fail "node-$scenario-sb-off: no passphrase prompt with Secure Boot off (serial log $SERIAL_LOG)"
        echo "e2e: node-$scenario-sb-off reached the prompt in $((SECONDS - t0)) s"
        logs+=("$SERIAL_LOG")

        # 3. another TPM (fresh state), Secure Boot on: the prompt; the
        #    recovery key typed there unlocks
        t0=$SECONDS
        e2e_boot "node-$scenario-other-tpm" --firmware "$firmware" --tpm "$work/tpm-b" "${node_disks[@]}" --memory 1536 \
                --timeout 1800 --fail 'cryptroot unlocked by the TPM' --send "Please unlock disk cryptroot=$recovery" \
                --expect 'Please unlock disk cryptroot' --expect 'cryptroot: set up successfully' ||
                fail "node-$scenario-other-tpm: no prompt, or the recovery key did not unlock (serial log $SERIAL_LOG)"
        echo "e2e: node-$scenario-other-tpm: prompt, unlocked by the recovery key in $((SECONDS - t0)) s"
        logs+=("$SERIAL_LOG")

        # Neither secret on any console nor in the plain parts of the node's
        # disk (ESP, /boot, the LUKS header holds only wrapped keys).
        for l in "${logs[@]}"; do
                for s in "$passphrase" "$recovery"; do
                        ! grep -q -F "$s" "$l" || fail "a LUKS secret appeared on the serial console ($l)"
                done
        done
        qemu-img convert -O raw "$work/node1.qcow2" "$work/node1.raw"
        for s in "$passphrase" "$recovery" "$password"; do
                ! grep -q -a -F "$s" "$work/node1.raw" || fail "a secret is in the plain parts of the node's disk"
        done
        rm -f "$work/node1.raw"
        echo "e2e: no secret on the consoles or the node's disk"
}

boot_node() {
        local name=$1 expect=$2; shift 2
        local send=()
        [ -n "${passphrase:-}" ] && send=(--send "Please unlock disk cryptroot=$passphrase")
        t0=$SECONDS
        e2e_boot "$name" --firmware "$firmware" "$@" "${send[@]}" --memory 1536 --timeout 2400 \
                --expect 'FORJA-PROBE-BEGIN' --expect 'FORJA-PROBE-END' --wait-exit ||
                fail "$name: the installed node did not boot to its probe (serial log $SERIAL_LOG)"
        echo "e2e: $name booted and probed in $((SECONDS - t0)) s; load $(cut -d' ' -f1-3 /proc/loadavg)"
        if [ -n "${passphrase:-}" ]; then
                # the passphrase was typed at the prompt (no echo)
                grep -q 'Please unlock disk cryptroot' "$SERIAL_LOG" || fail "$name: no unlock prompt on the console"
                ! grep -q -F "$passphrase" "$SERIAL_LOG" || fail "$name: the LUKS passphrase appeared on the serial console"
        fi
        e2e_no_secrets "$work/answer.toml" "$SERIAL_LOG" || fail "$name: a secret of the answer appeared on the serial console"
        python3 "$E2E_HERE/check-storage.py" --scenario "$scenario" --expect "$expect" \
                --hostname "$scenario" --key-fingerprint "$(ssh-keygen -lf "$work/key.pub" | awk '{print $2}')" \
                --secret "$password" ${passphrase:+--secret "$passphrase"} "$SERIAL_LOG" ||
                fail "$name: the node does not match the answer (serial log $SERIAL_LOG)"
}

if [ "$tpm" = 1 ]; then
        tpm_checks
        echo "e2e install $scenario: all checks passed"
        exit 0
fi
boot_node "node-$scenario" complete "${node_disks[@]}"
if [ "$degraded" = 1 ]; then
        # The first disk is gone: the others (now vda...) must boot.
        rest=()
        for i in $(seq 2 "$disks"); do rest+=(--disk "$work/node$i.qcow2"); done
        boot_node "node-$scenario-degraded" degraded "${rest[@]}"
fi
e2e_drop_images "$work"
echo "e2e install $scenario: all checks passed"
