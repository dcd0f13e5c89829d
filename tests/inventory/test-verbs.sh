#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# forja disks, nics and system-info on the fixture sysroot: tables, JSON,
# --hardware round trip, bad usage (exit 2).
. "$TESTS_LIB/testlib.sh"
require_cmd sfdisk mkfs.ext4 mkfs.vfat mkswap jq
make_tmpdir
R=$TMPD/root
"$FORJA_SRCDIR/tests/inventory/make-sysroot.sh" "$R"

# --- disks ---
expect_exit 0 "$FORJA" disks --sysroot "$R"
expect_match '^DEVICE +SIZE +MODEL +SERIAL +TYPE +HOLDS$'
expect_match '^/dev/nvme0n1 +931\.5 GiB +Samsung SSD 980 PRO 1TB +S5GXNF0R123456A +ssd +empty$'
expect_match '^/dev/sda +3\.6 TiB +ST4000NM0035-1V4 +ZC1ABCDE +hdd +gpt, sda1: vfat "EFI", sda2: ext4 "root", sda3: swap "swap0", sda4: \(no signature\)$'
expect_match '^/dev/sdb +14\.3 GiB +DataTraveler 3\.0 +- +ssd,removable +\[install medium\] dos, sdb1: ext4 "FORJA_INSTALL"$'
expect_match '^/dev/sdc +447\.1 GiB +INTEL SSDSC2KB48 +- +ssd +unknown \(not readable\)$'
expect_match '^warning: Cannot read /dev/sdc \(contents unknown\)'
! grep -q loop0 <<<"$OUT" || fail "loop0 listed without --all"
expect_exit 0 "$FORJA" disks --all --sysroot "$R"
expect_match '^/dev/loop0 +8\.0 MiB +- +- +ssd +empty$'
! grep -q loop1 <<<"$OUT" || fail "unattached loop1 listed"

"$FORJA" disks --json --sysroot "$R" >"$TMPD/disks.json" 2>/dev/null
[ "$(jq -c 'keys' "$TMPD/disks.json")" = '["disks"]' ] || fail "disks --json: only a disks member expected"
[ "$(jq -r '[.disks[].name] | join(" ")' "$TMPD/disks.json")" = "nvme0n1 sda sdb sdc" ] || fail "disks --json names"
[ "$(jq -r '.disks[1].pttype' "$TMPD/disks.json")" = gpt ] || fail "sda pttype"
[ "$(jq -r '.disks[2].install_medium' "$TMPD/disks.json")" = true ] || fail "sdb install_medium"
[ "$(jq -r '.disks[3].contents_unknown' "$TMPD/disks.json")" = true ] || fail "sdc contents_unknown"
[ "$(jq -r '.disks[0].properties.ID_SERIAL_SHORT' "$TMPD/disks.json")" = S5GXNF0R123456A ] || fail "udev property"

# --- nics ---
expect_exit 0 "$FORJA" nics --sysroot "$R"
expect_match '^NAME +MAC +DRIVER +LINK$'
expect_match '^eno1 +3c:ec:ef:12:34:56 +e1000e +up$'
expect_match '^enp3s0 +a0:36:9f:00:00:10 +ixgbe +down$'
expect_match '^enp4s0 +a0:36:9f:00:00:11 +ixgbe +up$'
! grep -Eq '^(lo|vmbr0) ' <<<"$OUT" || fail "lo/vmbr0 listed without --all"
expect_exit 0 "$FORJA" nics --all --sysroot "$R"
expect_match '^vmbr0 +3c:ec:ef:12:34:56 +- +up$'
expect_match '^lo +00:00:00:00:00:00 +- +down$'
"$FORJA" nics --json --sysroot "$R" >"$TMPD/nics.json"
[ "$(jq -r '[.nics[] | .name + "=" + .driver] | join(" ")' "$TMPD/nics.json")" = "eno1=e1000e enp3s0=ixgbe enp4s0=ixgbe" ] ||
        fail "nics --json"

# --- system-info ---
expect_exit 0 "$FORJA" system-info --sysroot "$R"
expect_match '^Firmware: +UEFI, Secure Boot on$'
expect_match '^CPU: +AuthenticAMD, AMD Ryzen 7 5800X 8-Core Processor, 4 threads, x86-64$'
expect_match '^Memory: +62\.5 GiB$'
expect_match '^System: +Supermicro SYS-5019C-M, serial S123456X9, uuid 00000000-0000-0000-0000-3cecef123456$'
expect_match '^DHCP: +eno1 192\.168\.10\.23/24 via 192\.168\.10\.1, dns 192\.168\.10\.1 9\.9\.9\.9, hostname pve-23, domain lab\.example$'
expect_match '^Kernel cmdline: BOOT_IMAGE=/boot/vmlinuz forja\.mode=install quiet$'

# The JSON is the --hardware format: it reads back and prints the same bytes.
"$FORJA" system-info --json --sysroot "$R" >"$TMPD/h.json" 2>/dev/null
"$FORJA" system-info --json --hardware "$TMPD/h.json" >"$TMPD/h2.json"
cmp "$TMPD/h.json" "$TMPD/h2.json" || fail "system-info --json does not round-trip through --hardware"
[ "$(jq -r '.dhcp.hostname + "." + .dhcp.domain' "$TMPD/h.json")" = pve-23.lab.example ] || fail "dhcp in JSON"
"$FORJA" disks --json --hardware "$TMPD/h.json" >"$TMPD/disks2.json"
cmp "$TMPD/disks.json" "$TMPD/disks2.json" || fail "disks --json differs between probe and --hardware"
# A disks-only file is a valid hardware file too.
expect_exit 0 "$FORJA" system-info --hardware "$TMPD/disks.json"
expect_match '^Firmware: +BIOS$'
expect_match '^DHCP: +unknown \(no lease\)$'
# The committed examples load.
for f in "$FORJA_SRCDIR"/tests/inventory/hardware/*.json; do
        expect_exit 0 "$FORJA" system-info --hardware "$f"
done
expect_exit 0 "$FORJA" disks --hardware "$FORJA_SRCDIR/tests/inventory/hardware/uefi-nvme-usb-medium.json"
expect_match '^/dev/sda +28\.9 GiB +Ultra Fit +4C530001230815110452 +ssd,removable +\[install medium\] dos, iso9660 "FORJA_0_1_0", sda1: iso9660 "FORJA_0_1_0", sda2: vfat "FORJA_EFI"$'

# The CPU verdict comes from the hardware check (hwcheck) on the same sysroot:
# the fixture's AMD CPU has svm but kvm_amd is not loaded; then it is, with /dev/kvm.
[ "$(jq -r .cpu.virt_verdict "$TMPD/h.json")" = module-not-loaded ] || fail "virt_verdict: $(jq -r .cpu.virt_verdict "$TMPD/h.json")"
expect_exit 0 "$FORJA" system-info --sysroot "$R"
expect_match '^Virtualization: +module-not-loaded$'
mkdir -p "$R/sys/module/kvm/parameters" "$R/sys/module/kvm_amd/parameters"
echo 1 >"$R/sys/module/kvm_amd/parameters/nested"
: >"$R/dev/kvm"
[ "$("$FORJA" system-info --json --sysroot "$R" 2>/dev/null | jq -r .cpu.virt_verdict)" = usable ] || fail "virt_verdict with kvm_amd"
# A file keeps its own verdict, null included.
[ "$("$FORJA" system-info --json --hardware "$FORJA_SRCDIR/tests/inventory/hardware/uefi-nvme-usb-medium.json" | jq -r .cpu.virt_verdict)" = null ] ||
        fail "--hardware must not probe the verdict"
[ "$("$FORJA" system-info --json --hardware "$FORJA_SRCDIR/tests/inventory/hardware/uefi-2disk-server.json" | jq -r .cpu.virt_verdict)" = usable ] ||
        fail "--hardware verdict"

# --- bad input and usage: exit 2, one precise message ---
printf '{"disks": [{"name": "sda", "size": "1T"}]}\n' >"$TMPD/bad.json"
expect_exit 2 "$FORJA" system-info --hardware "$TMPD/bad.json"
expect_match "^error: $TMPD/bad.json: disks\[0\]\.size: expected integer$"
expect_exit 2 "$FORJA" disks --hardware "$TMPD/missing.json"
expect_match 'missing.json: cannot read: No such file or directory'
expect_exit 2 "$FORJA" disks --frobnicate
expect_match "^error: disks: unknown option '--frobnicate'"
expect_exit 2 "$FORJA" nics eth0
expect_match "unexpected argument 'eth0'"
expect_exit 2 "$FORJA" system-info --all
expect_match "unknown option '--all'"
expect_exit 2 "$FORJA" disks --sysroot
expect_match "option '--sysroot' needs an argument"
expect_exit 2 "$FORJA" nics --sysroot "$TMPD/nonexistent"
expect_match "is not a directory"
expect_exit 2 "$FORJA" system-info --sysroot "$R" --hardware "$TMPD/h.json"
expect_match "exclude each other"

echo "inventory-verbs: all checks passed"
