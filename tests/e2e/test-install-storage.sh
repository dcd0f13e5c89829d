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
# In every scenario a disk outside the plan holding data is attached during
# the install and must be byte-identical afterwards.
# The probe (tests/e2e/data/probe.sh, the answer's first-boot hook) reports
# the node's facts on serial; check-storage.py compares them with the answer.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

scenario=${1:?scenario}
disks=2 degraded=1 extra='' iso_flags=''
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
*) fail "unknown scenario $scenario" ;;
esac

e2e_require
require_cmd ssh-keygen sfdisk mkfs.ext4 sha256sum
e2e_build_iso $iso_flags

work=$E2E_DIR/install-$scenario
rm -rf "$work"
mkdir -p "$work"
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
        --memory 1536 --timeout 2400 \
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

boot_node "node-$scenario" complete "${node_disks[@]}"
if [ "$degraded" = 1 ]; then
        # The first disk is gone: the others (now vda...) must boot.
        rest=()
        for i in $(seq 2 "$disks"); do rest+=(--disk "$work/node$i.qcow2"); done
        boot_node "node-$scenario-degraded" degraded "${rest[@]}"
fi
echo "e2e install $scenario: all checks passed"
